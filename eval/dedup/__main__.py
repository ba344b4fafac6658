"""`python -m eval.dedup [--sweep]`: precision/recall of the dedup decision per kind of pair,
written to .bench/dedup-eval.json. `--sweep` prints a grid of thresholds (how the defaults
in settings.py were chosen)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from eval.dedup.evaluate import decide, load_pairs, score
from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.fingerprint import LshParams
from storyarchive.dedup.verify import MatchThresholds


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.dedup")
    ap.add_argument("--sweep", action="store_true", help="also print a threshold grid")
    ap.add_argument("--out", default=".bench/dedup-eval.json")
    args = ap.parse_args()
    pairs = load_pairs()
    config = DedupConfig()
    verdicts = decide(pairs, config)
    result = score(verdicts)
    th = config.thresholds
    print(f"dedup evaluation: {result['pairs']} pairs; shingles of {config.lsh.shingle_words} "
          f"words, LSH {config.lsh.bands}x{config.lsh.rows}, jaccard >= {th.jaccard}, "
          f"containment >= {th.containment}, min words {th.min_words}")
    print(f"{'kind':15} {'label':10} {'n':>4} {'collapsed':>9}  metric")
    for kind, k in result["kinds"].items():
        metric = (f"recall {k['recall']:.3f}" if "recall" in k
                  else f"false collapses {k['false_collapse_rate']:.3f}")
        print(f"{kind:15} {k['label']:10} {k['n']:>4} {k['collapsed']:>9}  {metric}")
    print(f"overall precision {result['precision']:.4f}, recall {result['recall']:.4f}; "
          f"1-3 word edits recall {result['recall_1_3_word_edits']:.4f}")
    print("goals met: " + ", ".join(f"{k} {'yes' if v else 'NO'}"
                                    for k, v in result["goals_met"].items()))
    result["misses"] = [v for v in verdicts if v["collapsed"] != (v["label"] != "different")]
    if args.sweep:
        result["sweep"] = sweep(pairs)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")
    return 0 if all(result["goals_met"].values()) else 1


def sweep(pairs: list[dict[str, str]]) -> list[dict[str, object]]:
    rows = []
    print(f"\n{'k':>2} {'bands':>5} {'jacc':>5} {'cont':>5} {'prec':>6} {'recall':>6} {'edits':>6}")
    for k in (2, 3):
        for bands, r in ((16, 2), (8, 2)):
            for j in (0.4, 0.5, 0.55, 0.6, 0.7):
                for c in (0.7, 0.8, 0.9):
                    cfg = DedupConfig(thresholds=replace(MatchThresholds(), jaccard=j, containment=c),
                                      lsh=LshParams(shingle_words=k, bands=bands, rows=r))
                    s = score(decide(pairs, cfg))
                    rows.append({"shingle_words": k, "bands": bands, "rows": r, "jaccard": j,
                                 "containment": c, "precision": s["precision"],
                                 "recall": s["recall"], "edits": s["recall_1_3_word_edits"]})
                    print(f"{k:>2} {bands:>5} {j:>5} {c:>5} {s['precision']:>6.3f} "
                          f"{s['recall']:>6.3f} {s['recall_1_3_word_edits']:>6.3f}")
    return rows


if __name__ == "__main__":
    sys.exit(main())
