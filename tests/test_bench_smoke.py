"""The benchmarks keep working: `python -m bench --quick` runs every benchmark on small
inputs and each one produces its figures. Nothing here asserts a speed (rule: speed is
measured by the benchmark, not by a timed test); it only keeps the benchmarks from rotting."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.__main__ import MODULES
from tests.cli import REPO


def test_every_benchmark_runs_and_reports_positive_figures(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    rows = json.loads(out.read_text())["rows"]
    assert {r["bench"] for r in rows} == set(MODULES)
    assert not [r for r in rows if r["metric"] == "FAILED"]
    for row in rows:
        assert isinstance(row["ours"], int | float) and row["ours"] >= 0, row
        if row.get("peer") is not None:  # a count such as "wrongly collapsed" may be 0
            assert row["peer"] >= 0, row
        if row.get("ratio") is not None:
            assert row["ratio"] == row["ratio"] and row["ratio"] >= 0, row  # not NaN
    throughput = [r for r in rows if r["unit"] in ("pages/s", "blocks/s", "MB/s", "records/s")]
    assert throughput and all(r["ours"] > 0 for r in throughput)
