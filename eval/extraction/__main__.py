"""python -m eval.extraction [--ablations] [--speed] [--out .bench/extraction-eval.json]

Prints precision/recall/F1 per system and whether the goals are met: on the held-out half,
our F1 is at least each of trafilatura's default and favor_precision presets'. Exits 1 when
a goal is missed (`make eval` runs it)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from eval.extraction.score import (
    ablations,
    evaluate,
    load_pages,
    mean_f1,
    pages_per_second,
    split,
    systems,
)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.extraction")
    parser.add_argument("--ablations", action="store_true", help="also score option variants")
    parser.add_argument("--speed", action="store_true", help="also time pages/s per system")
    parser.add_argument("--per-page", action="store_true", help="print per-page F1")
    parser.add_argument("--out", default=".bench/extraction-eval.json")
    args = parser.parse_args()

    halves = split()
    pages = {half: load_pages(names) for half, names in halves.items()}
    candidates = systems()
    if args.ablations:
        candidates.update(ablations())
    report: dict = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "systems": {}}
    rows = []
    for name, extract in candidates.items():
        entry: dict = {}
        for half, half_pages in pages.items():
            pooled, per_page = evaluate(extract, half_pages)
            entry[half] = {
                **pooled.as_dict(), "mean_f1": round(mean_f1(per_page), 4),
                "pages": {p: s.as_dict() for p, s in per_page.items()},
            }
        if args.speed:
            entry["pages_per_second"] = round(
                pages_per_second(extract, pages["tuning"] + pages["heldout"]), 1
            )
        report["systems"][name] = entry
        rows.append((name, entry))

    print(_table(rows, args.speed))
    if args.per_page:
        print(_per_page(rows))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwrote {out}")
    goals = goals_met(report["systems"])
    print("goals met: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in goals.items()))
    return 0 if all(goals.values()) else 1


# On the held-out half, ours must be at least as good as these presets (F1).
GOAL_PEERS = ("trafilatura default", "trafilatura favor_precision")
OURS = "storyarchive extract_article"


def goals_met(results: dict) -> dict[str, bool]:
    """{goal: met} from the report's systems (held-out F1 of ours >= each peer's)."""
    ours = results[OURS]["heldout"]["f1"]
    return {f"held-out F1 >= {peer}": ours >= results[peer]["heldout"]["f1"] for peer in GOAL_PEERS}


def _table(rows: list, speed: bool) -> str:
    head = "| system | tuning P | tuning R | tuning F1 | held-out P | held-out R | held-out F1 |"
    sep = "|---|---:|---:|---:|---:|---:|---:|"
    if speed:
        head += " pages/s |"
        sep += "---:|"
    lines = [head, sep]
    for name, e in rows:
        t, h = e["tuning"], e["heldout"]
        line = (
            f"| {name} | {t['precision']:.3f} | {t['recall']:.3f} | {t['f1']:.3f} "
            f"| {h['precision']:.3f} | {h['recall']:.3f} | {h['f1']:.3f} |"
        )
        if speed:
            line += f" {e['pages_per_second']:.1f} |"
        lines.append(line)
    return "\n".join(lines)


def _per_page(rows: list) -> str:
    names = [n for n, _ in rows]
    lines = ["", "per-page F1: " + " / ".join(names)]
    for half in ("tuning", "heldout"):
        for page in rows[0][1][half]["pages"]:
            cells = " ".join(f"{e[half]['pages'][page]['f1']:.3f}" for _, e in rows)
            lines.append(f"  [{half[0]}] {page:32s} {cells}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
