"""Whole-pipeline benchmark: a story crawl of a generated demo site of >= 2,000 article pages
(fetch, WARC, extraction in the process pool, relevance, dedup, JSON), against trafilatura
alone extracting the same pages in one process, in the same run.

Reports pages/s for both and their ratio, CPU seconds and the peak memory (sum of the
resident set of the crawl process and its extraction workers, sampled every 50 ms).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (Linux /proc)."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError):
            continue
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total


class PeakMemory:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def story_for(sitemap_url: str) -> str:
    return f'''slug = "bench-generated"
title = "Benchmark: generated coverage"
[terms]
required = ["venezuel*", "strike | attack"]
min_score = 1.0
[sources]
sitemaps = ["{sitemap_url}"]
'''


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from demoweb.server import DemoWeb

    n = 300 if args.quick else 2000
    rows: list[dict[str, Any]] = []
    with DemoWeb(base_port=0, generated_articles=n) as web, tempfile.TemporaryDirectory() as tmp:
        urls = web.generated_urls()
        story = Path(tmp) / "bench.toml"
        story.write_text(story_for(web.url("tidewater", "/sitemap_index.xml")), encoding="utf-8")
        cmd = [
            sys.executable,
            "-m",
            "storyarchive",
            "crawl",
            str(story),
            "--store",
            f"{tmp}/archive",
            "--set",
            "AUTOTHROTTLE_ENABLED=False",
            "--set",
            "CONCURRENT_REQUESTS=32",
            "--set",
            "CONCURRENT_REQUESTS_PER_DOMAIN=32",
            "--set",
            "STORYARCHIVE_PROGRESS=off",
            "--set",
            "ROBOTSTXT_OBEY=False",
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        mem = PeakMemory(proc.pid)
        out, _ = proc.communicate()
        elapsed = time.perf_counter() - started
        peak = mem.stop()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise RuntimeError(f"benchmark crawl failed ({proc.returncode}):\n{out[-3000:]}")
        stored = sum(1 for _ in Path(tmp, "archive", "stories", "bench-generated", "articles").iterdir())
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        pipeline_rate = stored / elapsed

        # The peer: trafilatura alone, one process, the same pages (fetched beforehand).
        pages = [urllib.request.urlopen(u, timeout=30).read() for u in urls]
        import trafilatura

        t0 = time.perf_counter()
        for html in pages:
            trafilatura.extract(html)
        single = len(pages) / (time.perf_counter() - t0)

    note = (
        f"{stored}/{n} articles stored; {cpu:.1f} CPU s ({cpu / elapsed:.2f} cores); peak {peak / 1e6:.0f} MB"
    )
    rows.append(
        {
            "bench": "pipeline",
            "metric": "story crawl, whole pipeline",
            "ours": pipeline_rate,
            "peer_name": "trafilatura.extract, 1 process",
            "peer": single,
            "unit": "pages/s",
            "ratio": pipeline_rate / single,
            "note": note,
        }
    )
    rows.append(
        {
            "bench": "pipeline",
            "metric": "peak memory (crawl + workers)",
            "ours": peak / 1e6,
            "unit": "MB",
            "note": "goal < 500 MB",
        }
    )
    rows.append(
        {"bench": "pipeline", "metric": "CPU time", "ours": cpu, "unit": "s", "note": f"wall {elapsed:.1f} s"}
    )
    return rows
