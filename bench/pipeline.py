"""Whole-pipeline benchmark: a story crawl of a generated demo site of >= 2,000 article pages
(fetch, WARC, extraction in the process pool, relevance, dedup, JSON), against trafilatura
alone extracting the same pages in one process, in the same run.

Reports pages/s for both and their ratio, CPU seconds and the peak memory (sum of the
resident set of the crawl process and its extraction workers, sampled every 50 ms). CPU
seconds are those of the whole process tree (crawl process, fork server and extraction
workers), sampled from /proc with the memory: the workers are children of the fork
server, which getrusage(RUSAGE_CHILDREN) never sees.

The ceiling: in the same run, against the same site and article URLs, a bare Scrapy spider
(same concurrency, politeness off) fetches every article and does nothing with it. It runs
in a subprocess (`python -m bench.pipeline --bare-scrapy URLS.json`), so its reactor does not
share a GIL with the demo server in this process. Every story crawl goes through that one
reactor thread, so its pages/s bound the pipeline's from above whatever the process pool
does; the row reports it against trafilatura in one process, with the CPU seconds it took.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# The bare fetch's settings: the concurrency and politeness of `crawl_command`, and nothing
# of the project's (no WARC handler, no middlewares, no pipelines).
BARE_FETCH_SETTINGS: dict[str, Any] = {
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "ROBOTSTXT_OBEY": False,
    "AUTOTHROTTLE_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
}


def _tree_rss(pid: int, cpu: dict[int, float] | None = None) -> int:
    """Resident bytes of `pid` and all its descendants (Linux /proc); with `cpu`, also
    record each one's CPU seconds so far (user + system) in it."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
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
            if cpu is not None:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                cpu[p] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(children.get(p, []))
    return total


class PeakMemory:
    """Samples the process tree of `pid` every 50 ms until stopped: its peak resident
    bytes, each process's CPU seconds as last seen, and every sample as (time.monotonic(),
    tree resident bytes, the root process's CPU seconds) for benchmarks that need the
    course of a run (bench.memory: RSS over time; bench.realpages: the root's CPU after
    its spider closed)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds, last seen
        self.samples: list[tuple[float, int, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = _tree_rss(self.pid, self.cpu)
            self.peak = max(self.peak, rss)
            self.samples.append((time.monotonic(), rss, self.cpu.get(self.pid, 0.0)))
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass
class MeasuredRun:
    """A command run to completion with its process tree sampled (see `measured_run`)."""

    returncode: int
    output: str  # stdout and stderr
    started: float  # time.monotonic() at the start
    seconds: float  # wall time
    peak: int  # peak resident bytes of the process tree
    cpu: float  # CPU seconds of the whole tree (the process exact, descendants as sampled)
    memory: PeakMemory  # the sampler, with its samples


def measured_run(cmd: list[str]) -> MeasuredRun:
    """Run `cmd` from the repository to completion while a PeakMemory samples its process
    tree's memory and CPU. CPU seconds: the process itself from getrusage (exact, it was
    waited for), its descendants (extraction workers under the fork server, which
    RUSAGE_CHILDREN never sees) as last sampled from /proc."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    mem = PeakMemory(proc.pid)
    out, _ = proc.communicate()
    seconds = time.monotonic() - started
    peak = mem.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu = own + sum(v for pid, v in mem.cpu.items() if pid != proc.pid)
    return MeasuredRun(proc.returncode, out, started, seconds, peak, cpu, mem)


def story_for(sitemap_url: str) -> str:
    return f'''slug = "bench-generated"
title = "Benchmark: generated coverage"
[terms]
required = ["venezuel*", "strike | attack"]
min_score = 1.0
[sources]
sitemaps = ["{sitemap_url}"]
'''


def crawl_command(story: Path, store: str, *settings: str) -> list[str]:
    """`storyarchive crawl` as the benchmarks run it: politeness off (the site is ours, on
    loopback), so the figures measure the pipeline, not the crawl delay."""
    cmd = [sys.executable, "-m", "storyarchive", "crawl", str(story), "--store", store]
    for pair in ("AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS=32",
                 "CONCURRENT_REQUESTS_PER_DOMAIN=32", "ROBOTSTXT_OBEY=False", *settings):
        cmd += ["--set", pair]
    return cmd


def bare_fetch(urls: list[str]) -> dict[str, float]:
    """Fetch `urls` with a Scrapy spider that does nothing with the responses, in this
    process (it starts the reactor, so call it once, in a process of its own).

    Returns {"responses": responses received, "seconds": spider open -> closed,
    "cpu_seconds": this process's CPU seconds over the same span}."""
    import scrapy
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    cpu_marks: list[float] = []

    def mark_cpu() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_marks.append(usage.ru_utime + usage.ru_stime)

    class BareFetchSpider(scrapy.Spider):
        name = "bare-fetch"

        async def start(self) -> Any:  # Scrapy 2.13+: start_requests alone is not read here
            for url in urls:
                yield scrapy.Request(url, callback=self.parse, dont_filter=True)

        def parse(self, response: Any) -> None:
            return None

    process = CrawlerProcess(BARE_FETCH_SETTINGS)
    crawler = process.create_crawler(BareFetchSpider)
    crawler.signals.connect(mark_cpu, signal=signals.spider_opened)
    crawler.signals.connect(mark_cpu, signal=signals.spider_closed)
    process.crawl(crawler)
    process.start()
    assert crawler.stats is not None  # set when the crawl starts
    stats = crawler.stats.get_stats()
    return {"responses": stats.get("response_received_count", 0), "seconds": stats["elapsed_time_seconds"],
            "cpu_seconds": cpu_marks[-1] - cpu_marks[0]}


def time_bare_fetch(urls: list[str], tmp: str) -> dict[str, float]:
    """Run `bare_fetch` over `urls` in a subprocess. Returns its result plus "rate" (pages/s
    from the spider's own open -> closed time) and "process_cpu_seconds" (the subprocess's
    CPU seconds, start-up included, from getrusage of this process's children).

    Raises RuntimeError when the subprocess fails or does not fetch every URL."""
    urls_file = Path(tmp) / "bare-fetch-urls.json"
    urls_file.write_text(json.dumps(urls), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "bench.pipeline", "--bare-scrapy", str(urls_file)],
                          cwd=REPO, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"bare Scrapy fetch failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["responses"] != len(urls):
        raise RuntimeError(f"bare Scrapy fetch got {result['responses']}/{len(urls)} responses:\n"
                           f"{proc.stderr[-3000:]}")
    result["rate"] = result["responses"] / result["seconds"]
    result["process_cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    from demoweb.server import DemoWeb

    n = 300 if args.quick else 2000
    with DemoWeb(base_port=0, generated_articles=n) as web, tempfile.TemporaryDirectory() as tmp:
        urls = web.generated_urls()
        story = Path(tmp) / "bench.toml"
        story.write_text(story_for(web.url("tidewater", "/sitemap_index.xml")), encoding="utf-8")
        run = measured_run(crawl_command(story, f"{tmp}/archive", "STORYARCHIVE_PROGRESS=off"))
        elapsed, peak, cpu = run.seconds, run.peak, run.cpu
        if run.returncode != 0:
            raise RuntimeError(f"benchmark crawl failed ({run.returncode}):\n{run.output[-3000:]}")
        stored = sum(1 for _ in Path(tmp, "archive", "stories", "bench-generated", "articles").iterdir())
        (manifest,) = Path(tmp, "archive", "stories", "bench-generated", "crawls").glob("*.json")
        spider_elapsed = json.loads(manifest.read_text())["elapsed_seconds"]
        pipeline_rate = stored / elapsed

        # The ceiling, after the story crawl so that crawl's figures are as before; the demo
        # site now serves these pages from its cache, which can only raise the ceiling.
        bare = time_bare_fetch(urls, tmp)

        # The peer: trafilatura alone, one process, the same pages (fetched beforehand).
        pages = [urllib.request.urlopen(u, timeout=30).read() for u in urls]
        import trafilatura

        t0 = time.perf_counter()
        for html in pages:
            trafilatura.extract(html)
        single = len(pages) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        for html in pages:  # what the pipeline asks of it: metadata too
            trafilatura.extract(html, with_metadata=True, deduplicate=False)
        single_meta = len(pages) / (time.perf_counter() - t0)

    # The best any Scrapy + trafilatura pipeline could do here: both cores busy with nothing
    # but Scrapy's own work per page (measured above) and trafilatura's (the peer's rate).
    fetch_ms = 1000 * bare["cpu_seconds"] / bare["responses"]
    ceiling = 2 / (fetch_ms / 1000 + 1 / single)
    note = f"{stored}/{n} stored; {cpu:.1f} CPU s ({cpu / elapsed:.2f} cores); peak {peak / 1e6:.0f} MB"
    spider_rate = stored / spider_elapsed

    def row(metric: str, ours: float, peer_name: str = "", peer: float | None = None, unit: str = "pages/s",
            note: str = "") -> dict[str, Any]:
        return {"bench": "pipeline", "metric": metric, "ours": ours, "peer_name": peer_name, "peer": peer,
                "unit": unit, "ratio": ours / peer if peer else None, "note": note}

    return [
        row("story crawl, whole command", pipeline_rate, "trafilatura.extract, 1 process", single, note=note),
        row("story crawl, spider open->closed", spider_rate, "trafilatura.extract, 1 process", single,
            note="without process start-up"),
        row("story crawl, spider open->closed", spider_rate, "trafilatura.extract+metadata, 1 process",
            single_meta, note="the same extraction work per page"),
        row("bare Scrapy fetch, no processing", bare["rate"], "trafilatura.extract, 1 process", single,
            note=f"ceiling: Scrapy's one reactor thread doing nothing else, the pipeline can never exceed it"
                 f"; {bare['responses']} article URLs, open->closed; crawl process "
                 f"{bare['process_cpu_seconds']:.1f} CPU s with start-up, "
                 f"{bare['cpu_seconds'] / bare['seconds']:.2f} cores while fetching"),
        row("ceiling on 2 cores: fetch + extract only", ceiling, "trafilatura.extract, 1 process", single,
            note=f"2 cores / (Scrapy's CPU per page fetched, {fetch_ms:.2f} ms, + trafilatura's per page, "
                 f"{1000 / single:.2f} ms): no WARC, dedup, JSON or demo server counted"),
        row("peak memory (crawl + workers)", peak / 1e6, unit="MB", note="goal < 500 MB"),
        row("CPU time", cpu, unit="s", note=f"wall {elapsed:.1f} s"),
    ]


if __name__ == "__main__":
    # `python -m bench.pipeline --bare-scrapy URLS.json`: the subprocess of `time_bare_fetch`;
    # prints bare_fetch's result as one JSON line.
    cli = argparse.ArgumentParser(prog="python -m bench.pipeline")
    cli.add_argument("--bare-scrapy", metavar="URLS.json", type=Path, required=True,
                     help="a JSON list of URLs to fetch with a spider that does nothing")
    urls_path = cli.parse_args().bare_scrapy
    print(json.dumps(bare_fetch(json.loads(urls_path.read_text(encoding="utf-8")))))
