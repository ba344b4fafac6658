"""Memory benchmark: does a story crawl's memory stay flat whatever the crawl size?

The demo web's generated outlet serves realistic-size article pages (150-200 KB of HTML:
scripts, a state JSON blob, JSON-LD, menus; `demoweb.realistic`). `storyarchive crawl` (the
pipeline benchmark's command: politeness off) crawls 2,000 and then 10,000 of them (with
--quick: 300 and 1,500), each from its own demo site into a fresh temporary store, while the
whole process tree (crawl process, fork server, extraction workers) is sampled every 50 ms
for its resident set and CPU seconds (`bench.pipeline._tree_rss`; the sum double-counts
pages the workers share with the fork server, as the pipeline benchmark's does).

Rows: the peak at each size, their ratio (goal <= GROWTH_GOAL), the larger crawl's peak
against PEAK_GOAL_MB, each crawl's pages/s (stored documents / wall seconds of the command)
against trafilatura alone extracting a sample of the same pages in one process, and the
demo server's own rate for these pages. Every crawl's samples, (seconds, MB), go to
`memory-<pages>.json` next to the results file, with the fetch phase marked (first and last
response of the generated outlet), so the shape of memory over the crawl can be read: the
notes give the RSS at 25/50/75/100 % of the fetch phase and the peak of the end-of-crawl
phase (after the last response: extraction drain, dedup, documents, WARC close).

Raises RuntimeError when a crawl exits non-zero or stores fewer documents than the site
has article pages.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.pipeline import REPO, crawl_command, measured_run, story_for

PAGES = (2000, 10000)
QUICK_PAGES = (300, 1500)
PEER_SAMPLE = 500  # pages trafilatura extracts alone (fetched into memory beforehand)
FETCH_CONNECTIONS = 4  # keep-alive connections fetching the sample (the server's rate)
GROWTH_GOAL = 1.15  # peak RSS of the larger crawl / of the smaller one
PEAK_GOAL_MB = 600.0  # peak RSS of the larger crawl
SLUG = "tidewater"  # the generated outlet


@dataclass
class CrawlMemory:
    """What one measured crawl did. Times are seconds since the command started."""

    pages: int
    stored: int
    wall: float
    cpu: float
    peak: int  # bytes
    samples: list[tuple[float, int]]  # (seconds, bytes)
    fetch_start: float  # the generated outlet's first and last response
    fetch_end: float
    responses: int

    @property
    def rate(self) -> float:
        return self.stored / self.wall

    def rss_at(self, t: float) -> int:
        """The last sample taken at or before `t` (the first sample if none)."""
        before = [rss for when, rss in self.samples if when <= t]
        return before[-1] if before else self.samples[0][1]

    def shape(self) -> dict[str, float]:
        """RSS in MB at 25/50/75/100 % of the fetch phase, and the peak of the start-up phase
        (before the first response) and of the end phase (after the last)."""
        span = self.fetch_end - self.fetch_start
        shape = {f"fetch {q}%": self.rss_at(self.fetch_start + span * q / 100) / 1e6
                 for q in (25, 50, 75, 100)}
        start = [rss for when, rss in self.samples if when < self.fetch_start]
        end = [rss for when, rss in self.samples if when > self.fetch_end]
        shape["start-up peak"] = max(start, default=0) / 1e6
        shape["end phase peak"] = max(end, default=0) / 1e6
        shape["end phase seconds"] = self.wall - self.fetch_end
        return shape

    def describe(self) -> str:
        s = self.shape()
        fetching = "/".join(f"{s[f'fetch {q}%']:.0f}" for q in (25, 50, 75, 100))
        return (f"{self.stored}/{self.pages} stored, {self.wall:.0f} s, {self.cpu:.0f} CPU s; "
                f"RSS at 25/50/75/100 % of fetching {fetching} MB, "
                f"end phase ({s['end phase seconds']:.0f} s) peak {s['end phase peak']:.0f} MB")

    def to_json(self) -> dict[str, Any]:
        return {
            "pages": self.pages, "stored": self.stored, "wall_seconds": round(self.wall, 2),
            "cpu_seconds": round(self.cpu, 2), "pages_per_second": round(self.rate, 2),
            "peak_mb": round(self.peak / 1e6, 1), "generated_outlet_responses": self.responses,
            "fetch_seconds": [round(self.fetch_start, 2), round(self.fetch_end, 2)],
            "shape_mb": {k: round(v, 1) for k, v in self.shape().items()},
            "samples": [[round(t, 2), round(rss / 1e6, 1)] for t, rss in self.samples],
        }


@dataclass
class PageSample:
    """Article pages fetched into memory, and how long the demo server took to send them."""

    bodies: list[bytes]
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.bodies) / self.seconds

    @property
    def mean_bytes(self) -> float:
        return sum(map(len, self.bodies)) / len(self.bodies)


def measure_crawl(pages: int, sample: int = 0) -> tuple[CrawlMemory, PageSample | None]:
    """Crawl a realistic generated site of `pages` articles with `storyarchive crawl` into a
    fresh temporary store, sampling the process tree. Afterwards, while the site is still up,
    fetch `sample` of its article pages (evenly spaced) into memory.

    Returns the measure and the fetched sample (None when `sample` is 0). Raises RuntimeError
    when the crawl exits non-zero or stores fewer than `pages` documents."""
    from demoweb.server import DemoWeb

    with (DemoWeb(base_port=0, generated_articles=pages, realistic_pages=True) as web,
          tempfile.TemporaryDirectory() as tmp):
        story = Path(tmp) / "bench.toml"
        story.write_text(story_for(web.url(SLUG, "/sitemap_index.xml")), encoding="utf-8")
        run = measured_run(crawl_command(story, f"{tmp}/archive", "STORYARCHIVE_PROGRESS=off"))
        out, started = run.output, run.started
        if run.returncode != 0:
            raise RuntimeError(f"memory benchmark crawl of {pages} pages failed ({run.returncode}):\n"
                               f"{out[-3000:]}")
        articles = Path(tmp, "archive", "stories", "bench-generated", "articles")
        stored = sum(1 for _ in articles.iterdir()) if articles.is_dir() else 0
        if stored < pages:
            raise RuntimeError(f"memory benchmark crawl stored {stored} documents of the {pages} pages "
                               f"served:\n{out[-3000:]}")
        served = web.served(SLUG)
        assert served.first_at is not None and served.last_at is not None  # it stored pages
        measure = CrawlMemory(
            pages=pages, stored=stored, wall=run.seconds, cpu=run.cpu, peak=run.peak,
            samples=[(t - started, rss) for t, rss, _cpu in run.memory.samples],
            fetch_start=served.first_at - started, fetch_end=served.last_at - started,
            responses=served.responses)
        if not sample:
            return measure, None
        urls = web.generated_urls()
        t0 = time.perf_counter()
        bodies = fetch_pages(urls[:: max(1, len(urls) // sample)][:sample])
        return measure, PageSample(bodies, time.perf_counter() - t0)


def fetch_pages(urls: list[str]) -> list[bytes]:
    """GET `urls` over FETCH_CONNECTIONS keep-alive connections; the bodies, in order.
    Raises RuntimeError on a status other than 200."""
    bodies: dict[int, bytes] = {}
    errors: list[str] = []

    def worker(indexes: range) -> None:
        parts = urlsplit(urls[0])
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        try:
            for i in indexes:
                conn.request("GET", urlsplit(urls[i]).path)
                resp = conn.getresponse()
                bodies[i] = resp.read()
                if resp.status != 200:
                    errors.append(f"{urls[i]}: HTTP {resp.status}")
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(range(k, len(urls), FETCH_CONNECTIONS),))
               for k in range(FETCH_CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors or len(bodies) != len(urls):
        raise RuntimeError(f"fetching the peer's sample failed: {errors[:3] or 'pages missing'}")
    return [bodies[i] for i in range(len(urls))]


def _git_state() -> str | None:
    try:
        proc = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True,
                              text=True, timeout=10)
    except OSError:
        return None
    return proc.stdout.strip() or None


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    import trafilatura

    small_n, large_n = QUICK_PAGES if args.quick else PAGES
    out_dir = Path(args.out).parent
    out_dir.mkdir(parents=True, exist_ok=True)
    code = _git_state()
    crawls: list[CrawlMemory] = []
    sample: PageSample | None = None
    for n in (small_n, large_n):
        # The peer's pages come from the first site, fetched after its crawl.
        measure, fetched = measure_crawl(n, sample=0 if sample else min(PEER_SAMPLE, n))
        sample = sample or fetched
        crawls.append(measure)
        (out_dir / f"memory-{n}.json").write_text(
            json.dumps({"bench": "memory", "code": code, **measure.to_json()}), encoding="utf-8")
        print(f"memory: {n} pages: peak {measure.peak / 1e6:.0f} MB; {measure.describe()}", file=sys.stderr,
              flush=True)
    small, large = crawls
    assert sample is not None

    t0 = time.perf_counter()
    for html in sample.bodies:
        trafilatura.extract(html)
    peer = len(sample.bodies) / (time.perf_counter() - t0)

    growth = large.peak / small.peak
    peer_name = "trafilatura.extract, 1 process"

    def row(metric: str, ours: float, unit: str, note: str = "", peer_name: str = "",
            peer: float | None = None) -> dict[str, Any]:
        return {"bench": "memory", "metric": metric, "ours": ours, "peer_name": peer_name, "peer": peer,
                "unit": unit, "ratio": ours / peer if peer else None, "note": note}

    return [
        row(f"peak RSS, {small_n:,} pages (crawl + workers)", small.peak / 1e6, "MB", small.describe()),
        row(f"peak RSS, {large_n:,} pages (crawl + workers)", large.peak / 1e6, "MB", large.describe()),
        row(f"peak RSS growth, {large_n:,} / {small_n:,} pages", growth, "x",
            f"goal <= {GROWTH_GOAL}: {'met' if growth <= GROWTH_GOAL else 'NOT met'}"),
        row(f"peak RSS, {large_n:,} pages, against the goal", large.peak / 1e6, "MB",
            f"under {PEAK_GOAL_MB:.0f} MB: {'yes' if large.peak / 1e6 < PEAK_GOAL_MB else 'NO'}",
            "goal", PEAK_GOAL_MB),
        row(f"story crawl, {small_n:,} realistic pages", small.rate, "pages/s",
            f"stored documents / wall s of the command; peer: {len(sample.bodies)} of the same pages, "
            "in memory",
            peer_name, peer),
        row(f"story crawl, {large_n:,} realistic pages", large.rate, "pages/s",
            "stored documents / wall s of the command", peer_name, peer),
        row("demo server, realistic pages (uncached)", sample.rate, "pages/s",
            f"{len(sample.bodies)} pages, mean {sample.mean_bytes / 1000:.0f} kB, {FETCH_CONNECTIONS} "
            "keep-alive connections, client in the same process (a lower bound); goal >= 500"),
    ]
