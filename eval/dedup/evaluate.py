"""Score the dedup decision on the labeled pairs: a pair is collapsed when the two blocks
are LSH candidates (share a band key, or the same exact key) AND pass verification, exactly
the path a block takes in `BlockDeduplicator`."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.fingerprint import Fingerprinter
from storyarchive.dedup.normalize import normalize
from storyarchive.dedup.verify import verify

PAIRS = Path(__file__).parent / "pairs.jsonl"
GOALS = {"precision": 0.99, "exact": 0.95, "format": 0.95, "edit": 0.85}


def load_pairs(path: Path = PAIRS) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def decide(pairs: list[dict[str, str]], config: DedupConfig) -> list[dict[str, Any]]:
    """One verdict per pair: collapsed, candidate, jaccard, containment, reason."""
    fp = Fingerprinter(config.lsh)
    out = []
    for p in pairs:
        a, b = normalize(p["a"]), normalize(p["b"])
        fa = fp.fingerprint([a.hashes])
        fb = fp.fingerprint([b.hashes])
        shared_bands = int(np.sum(fa.band_keys[0] == fb.band_keys[0]))
        candidate = a.key == b.key or shared_bands >= config.lsh.min_bands
        m = verify(a.key, fa.shingle_set(0), a.numbers, a.words,
                   b.key, fb.shingle_set(0), b.numbers, b.words, config.thresholds)
        out.append({"id": p["id"], "kind": p["kind"], "label": p["label"],
                    "collapsed": candidate and m.same, "candidate": candidate,
                    "jaccard": round(m.jaccard, 4), "containment": round(m.containment, 4),
                    "reason": m.reason if candidate else "no-lsh-candidate"})
    return out


def score(verdicts: list[dict[str, Any]]) -> dict[str, Any]:
    """Per kind: n, collapsed, and recall (positive kinds) or false-collapse rate; overall
    precision and recall; whether each goal is met."""
    kinds: dict[str, dict[str, Any]] = defaultdict(lambda: {"n": 0, "collapsed": 0})
    tp = fp = fn = 0
    for v in verdicts:
        k = kinds[v["kind"]]
        k["n"] += 1
        k["label"] = v["label"]
        k["collapsed"] += int(v["collapsed"])
        positive = v["label"] in ("same", "near")
        tp += int(positive and v["collapsed"])
        fp += int(not positive and v["collapsed"])
        fn += int(positive and not v["collapsed"])
    for k in kinds.values():
        rate = k["collapsed"] / k["n"]
        if k["label"] == "different":
            k["false_collapse_rate"] = round(rate, 4)
        else:
            k["recall"] = round(rate, 4)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    edit_n = sum(kinds[k]["n"] for k in kinds if k.startswith("edit-"))
    edit_c = sum(kinds[k]["collapsed"] for k in kinds if k.startswith("edit-"))
    recalls = {
        "exact": kinds["exact"].get("recall", 0.0),
        "format": kinds["format"].get("recall", 0.0),
        "edit": round(edit_c / edit_n, 4) if edit_n else 0.0,
    }
    goals = {"precision": precision >= GOALS["precision"],
             **{k: recalls[k] >= GOALS[k] for k in recalls},
             # the hard negatives (shared quotes, templates, number changes, paraphrases,
             # unrelated texts): not one pair collapsed
             "hard negatives": all(k["collapsed"] == 0 for k in kinds.values()
                                   if k["label"] == "different")}
    return {"pairs": len(verdicts), "precision": round(precision, 4), "recall": round(recall, 4),
            "recall_1_3_word_edits": recalls["edit"], "kinds": dict(sorted(kinds.items())),
            "goals": GOALS, "goals_met": goals}
