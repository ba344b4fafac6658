"""The labeled evaluation set (eval/dedup/pairs.jsonl) is well formed. Its goals with the
default settings are `make eval` (python -m eval.dedup, exit 1 when one is missed), not a
unit test."""

from eval.dedup.evaluate import load_pairs


def test_every_pair_is_labeled_with_a_known_kind():
    pairs = load_pairs()
    assert len(pairs) >= 300
    labels = {"same", "near", "different"}
    for p in pairs:
        assert p["label"] in labels and p["a"].strip() and p["b"].strip()
