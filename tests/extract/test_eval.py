"""The extraction quality bar, computed live on the evaluation set (eval/extraction)."""

from eval.extraction.score import evaluate, load_pages, split, systems


def _f1(system: str, half: str) -> float:
    pooled, _ = evaluate(systems()[system], load_pages(split()[half]))
    return pooled.f1


def test_ours_beats_trafilatura_defaults_on_the_held_out_half():
    ours = _f1("storyarchive extract_article", "heldout")
    default = _f1("trafilatura default", "heldout")
    assert ours >= default, f"ours {ours:.3f} < trafilatura default {default:.3f}"


def test_ours_beats_trafilatura_favor_precision_on_the_held_out_half():
    ours = _f1("storyarchive extract_article", "heldout")
    precision = _f1("trafilatura favor_precision", "heldout")
    assert ours >= precision, f"ours {ours:.3f} < trafilatura favor_precision {precision:.3f}"


def test_eval_set_is_complete_and_split_without_overlap():
    halves = split()
    assert not set(halves["tuning"]) & set(halves["heldout"])
    pages = load_pages()
    assert len(pages) >= 20
    assert sorted(p.name for p in pages) == sorted(halves["tuning"] + halves["heldout"])
    assert all(p.expected.strip() for p in pages)
