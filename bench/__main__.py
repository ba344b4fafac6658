"""Run the benchmarks, print one table, and write bench results to .bench/results.json.

Each bench module exposes `run(args) -> list[BenchRow]`; a row compares us with the peer
tool on the same input in the same run, so the ratio is what to read on a noisy machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from pathlib import Path

MODULES = ["pipeline", "capture", "dedup", "s3", "replay", "memory", "scaleout", "realpages", "web"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help=f"which benchmarks (default all: {MODULES})")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("--out", default=".bench/results.json")
    args = parser.parse_args()
    rows: list[dict] = []
    failed: list[str] = []
    for name in args.names or MODULES:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                continue
            raise
        print(f"== {name}", file=sys.stderr, flush=True)
        try:
            rows.extend(module.run(args))
        except Exception as exc:  # one broken benchmark must not lose the others' figures
            traceback.print_exc()
            failed.append(name)
            rows.append({"bench": name, "metric": "FAILED", "note": f"{type(exc).__name__}: {exc}"[:200]})
    print(format_table(rows))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
                "rows": rows,
            },
            indent=2,
        )
    )
    print(f"\nwrote {out}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def format_table(rows: list[dict]) -> str:
    """rows: {bench, metric, ours, peer_name, peer, unit, ratio, note}."""
    header = ("bench", "metric", "ours", "peer", "peer value", "unit", "ours/peer", "note")
    lines = [header]
    for r in rows:
        lines.append(
            (
                r["bench"],
                r["metric"],
                _fmt(r.get("ours")),
                r.get("peer_name", "") or "",
                _fmt(r.get("peer")),
                r.get("unit", ""),
                _fmt(r.get("ratio")),
                r.get("note", "") or "",
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines)


def _fmt(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


if __name__ == "__main__":
    sys.exit(main())
