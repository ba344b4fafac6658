"""The labeled evaluation set (eval/dedup/pairs.jsonl) meets its goals with the defaults."""

from eval.dedup.evaluate import GOALS, decide, load_pairs, score
from storyarchive.dedup import DedupConfig


def test_evaluation_goals_are_met_with_the_default_settings():
    pairs = load_pairs()
    assert len(pairs) >= 300
    result = score(decide(pairs, DedupConfig()))
    kinds = result["kinds"]
    assert result["precision"] >= GOALS["precision"]
    assert kinds["exact"]["recall"] >= 0.95 and kinds["format"]["recall"] >= 0.95
    assert result["recall_1_3_word_edits"] >= 0.85
    # the hard negatives: nothing collapsed
    for kind in ("shared-quote", "template", "number-change", "paraphrase", "unrelated"):
        assert kinds[kind]["collapsed"] == 0, kind
    assert all(result["goals_met"].values())


def test_every_pair_is_labeled_with_a_known_kind():
    labels = {"same", "near", "different"}
    for p in load_pairs():
        assert p["label"] in labels and p["a"].strip() and p["b"].strip()
