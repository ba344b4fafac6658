"""The extraction evaluation set (eval/extraction) is whole. The quality bar itself (our
F1 against trafilatura's presets on the held-out half) is `make eval`
(python -m eval.extraction), not a unit test."""

from eval.extraction.score import load_pages, split


def test_eval_set_is_complete_and_split_without_overlap():
    halves = split()
    assert not set(halves["tuning"]) & set(halves["heldout"])
    pages = load_pages()
    assert len(pages) >= 20
    assert sorted(p.name for p in pages) == sorted(halves["tuning"] + halves["heldout"])
    assert all(p.expected.strip() for p in pages)
