"""Scale-out benchmark: one story crawl shared by 1, 2 and 4 worker processes through Redis,
against stock scrapy-redis doing the same fetching, in the same run.

The input: a generated demo site of PAGES article pages (`DemoWeb(generated_articles=...)`,
its sitemap index the story's only source) whose server waits LATENCY seconds before every
response, as a distant server does; a fresh demo web per crawl (so its access log is that
crawl's), served in this process. A real `redis-server` on a free 127.0.0.1 port
(`tests.fixtures.redisserver.start_redis`), emptied between crawls, and a fresh local store
per crawl.

Ours: `storyarchive worker --exit-when-idle` processes started first (each ready), then the
seeder, `storyarchive crawl STORY --redis`, which is one of the N workers. Pages/s = articles
/ wall seconds from the seeder's start to its exit (fetching, extraction, the finish stage
and the summary included). Every crawl must write one document per article (asserted).

The peer: a minimal Scrapy spider (`peer_crawl`, below) on stock scrapy-redis's `Scheduler`
and `RFPDupeFilter` that follows the same sitemap index and fetches the same article pages
with the same concurrency, and does nothing with them (no WARC, no extraction), in N
processes (`python -m bench.scaleout --peer-spider ...`): N-1 started first, then the one
that queues the sitemap index. Stock scrapy-redis has no notion of a finished crawl (a
process stops after PEER_IDLE_CLOSE seconds with nothing to do once the crawl has begun, as
RedisSpider's MAX_IDLE_TIME_BEFORE_CLOSE does), so its wall seconds end at the last article
page a process received: a bound in the peer's favour, as is its idle processes' look at the
queue every PEER_HEARTBEAT seconds instead of Scrapy's 5.

Both run with the same per-process settings (FETCH_SETTINGS, and why in FETCH_WHY). CPU
seconds are those of every process tree of the crawl (each process and its descendants);
the demo web's (this process) and the whole machine's over the same span are reported
beside them, so a figure taken while something else kept the cores busy can be told apart.

Also measured: Redis's `used_memory` during our 4-worker crawl (peak minus the value before
the seeder started, per 1,000 pages; the peer's alongside), and the cost of a lost worker:
2 workers, one that is not the seeder killed with SIGKILL once it has handled KILL_SHARE of
the pages; from the demo web's access log, the requests fetched twice; from the store, whether
every article was written. The same for the peer, where the pages no process received are
lost: stock scrapy-redis deletes a request from Redis when a process pops it. Ours is killed
twice: with the default commit interval and lease timeout, and with short ones
(SHORT_LEASES, the values tests/commands/test_distributed.py uses), since what a kill costs
is what the victim had not committed.

Everything goes to `scaleout.json` next to the results file; the table gets its rows.
`--quick`: QUICK_PAGES pages, QUICK_WORKER_COUNTS, and only the short-lease kill of ours.
Raises RuntimeError when a process fails, or a crawl that lost no worker misses an article.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.pipeline import REPO, _tree_rss, story_for

PAGES = 5000
QUICK_PAGES = 60
LATENCY = 0.05  # seconds the demo web waits before each response
WORKER_COUNTS = (1, 2, 4)
QUICK_WORKER_COUNTS = (1, 2)
KILL_SHARE = 0.25  # the victim is killed once it has handled this share of the pages
SLUG = "tidewater"  # the generated outlet
STORY_SLUG = "bench-generated"  # bench.pipeline.story_for's story
CPU_SAMPLE_SECONDS = 0.5  # one scan of /proc per sample, for every process of a crawl
REDIS_SAMPLE_SECONDS = 0.1
WORKER_IDLE_EXIT = 8  # `worker --exit-when-idle`: the seeder starts within it
PEER_IDLE_CLOSE = 2.0  # seconds a peer process, its queue empty, waits before it closes
PEER_HEARTBEAT = 1.0  # seconds between an idle peer process's looks at the shared queue
RUN_TIMEOUT = 1800.0  # seconds any one crawl may take

# Per process, ours and the peer's: one request in flight.
FETCH_SETTINGS: dict[str, Any] = {
    "CONCURRENT_REQUESTS": 1,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
}
FETCH_WHY = (
    "one request in flight per worker process (the politest per-site setting), AutoThrottle and "
    "robots.txt off (one site, ours, on loopback), the same for the peer's processes: a worker "
    "then waits on the 50 ms latency (at most 1 / 0.05 s = 20 pages/s) and even 4 of ours leave "
    "CPU to spare on 2 cores, so every worker count is latency-bound and an added worker can add "
    "a worker's throughput, as an added machine does over a real network (with 2 in flight, 4 "
    "of our workers kept both cores busy here: CPU-bound, not what the goal is about)")
# What test_distributed.py runs with: a dead worker noticed within 3 s, commits every second.
SHORT_LEASES = ("STORYARCHIVE_LEASE_TIMEOUT=3", "STORYARCHIVE_WORKER_COMMIT_INTERVAL=1")


# ---------------------------------------------------------------------- measuring
def _usage_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> float:
    """CPU seconds every core of the machine has spent busy since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


@dataclass
class CpuUse:
    """CPU seconds over one crawl: its processes', this process's (the demo web, the
    samplers) and the whole machine's (those two, Redis, and whatever else runs there)."""

    crawl: float
    bench: float
    machine: float
    seconds: float  # wall seconds from the first process's start to the last one's end

    @property
    def machine_cores(self) -> float:
        return self.machine / self.seconds

    @property
    def elsewhere(self) -> float:
        return max(0.0, self.machine - self.crawl - self.bench)


class CrawlCpu:
    """CPU seconds of a crawl's processes: each process's own from getrusage once it was
    waited for (exact; this process waits for nothing else during a crawl), its descendants'
    (our fork server and extraction workers) as last sampled from /proc, every
    CPU_SAMPLE_SECONDS, as `bench.pipeline.measured_run` counts them. `procs` may grow."""

    def __init__(self, procs: list[Started]) -> None:
        self.procs = procs
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds, last seen
        self._children = _usage_seconds(resource.RUSAGE_CHILDREN)
        self._self = _usage_seconds(resource.RUSAGE_SELF)
        self._machine = _machine_busy()
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for p in list(self.procs):
                _tree_rss(p.proc.pid, self.cpu)
            self._stop.wait(CPU_SAMPLE_SECONDS)

    def stop(self) -> CpuUse:
        """The CPU seconds, once every process was waited for."""
        self._stop.set()
        self._thread.join()
        own = _usage_seconds(resource.RUSAGE_CHILDREN) - self._children
        roots = {p.proc.pid for p in self.procs}
        return CpuUse(own + sum(v for pid, v in self.cpu.items() if pid not in roots),
                      _usage_seconds(resource.RUSAGE_SELF) - self._self, _machine_busy() - self._machine,
                      time.monotonic() - self._started)


class RedisMemory:
    """`used_memory` of a Redis server, sampled every REDIS_SAMPLE_SECONDS until `stop`."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.baseline = self.used()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def used(self) -> int:
        return int(self.client.info("memory")["used_memory"])

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.used())
            self._stop.wait(REDIS_SAMPLE_SECONDS)

    def stop(self) -> dict[str, int]:
        """{"baseline", "peak", "after"} in bytes ("after": what the crawl left in Redis)."""
        self._stop.set()
        self._thread.join()
        after = self.used()
        self.client.close()
        return {"baseline": self.baseline, "peak": max(self.peak, after), "after": after}


class Started:
    """One subprocess of a crawl, its output in files (never pipes: a killed process, or a
    child it leaves behind, can never block the benchmark)."""

    def __init__(self, name: str, cmd: list[str], logdir: Path) -> None:
        self.name = name
        self.out_path, self.err_path = logdir / f"{name}.out", logdir / f"{name}.err"
        env = {**os.environ, "STORYARCHIVE_PROGRESS": "off"}
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=err)
        self.ended: float | None = None

    def output(self) -> str:
        return self.out_path.read_text(errors="replace") + self.err_path.read_text(errors="replace")

    def wait_for(self, condition: Any, what: str, timeout: float = 120.0) -> None:
        """Poll `condition()` until true. RuntimeError if the process ends first or `timeout`
        passes."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                state = "timed out" if self.proc.poll() is None else f"exited {self.proc.returncode}"
                raise RuntimeError(f"{self.name} {state} before {what}:\n{self.output()[-3000:]}")
            time.sleep(0.05)

    def wait(self, timeout: float = RUN_TIMEOUT) -> int:
        code = self.proc.wait(timeout=timeout)
        if self.ended is None:
            self.ended = time.monotonic()
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.wait(60)

    def stop(self) -> None:
        """After a failure: stop it and wait, so nothing outlives the benchmark."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Crawl:
    """What one crawl (ours or the peer's) did. Seconds count from the seeder's start."""

    tool: str  # "ours" | "peer"
    workers: int
    pages: int  # articles on the site
    seconds: float  # ours: until the seeder exited; the peer: until its last article page
    fetch_seconds: float  # until the demo web's last response
    cpu: CpuUse  # of every process tree of the crawl, this process and the machine
    documents: int  # ours: documents in the store; the peer: article pages received
    fetched_twice: int  # paths the demo web served more than once
    never_requested: int  # article paths the demo web never saw
    lost: int  # articles neither written (ours) nor received (peer)
    killed_after: int | None = None  # pages the victim had handled when it was killed
    settings: list[str] = field(default_factory=list)
    per_process: dict[str, Any] = field(default_factory=dict)
    redis: dict[str, int] | None = None

    @property
    def rate(self) -> float:
        return self.pages / self.seconds

    @property
    def fetch_rate(self) -> float:
        """Articles per second until the demo web's last response: the fetching alone."""
        return self.pages / self.fetch_seconds


def _fetch_figures(web: Any, t0: float) -> tuple[float, int, int, set[str]]:
    """(seconds from t0 to the demo web's last response, paths served more than once,
    article paths never requested, the article paths)."""
    log = web.requests(SLUG)
    base = web.url(SLUG, "")
    articles = {u.removeprefix(base) for u in web.generated_urls()}
    served = web.served(SLUG)
    last = (served.last_at - t0) if served.last_at is not None else 0.0
    return last, sum(1 for n in log.values() if n > 1), sum(1 for p in articles if not log[p]), articles


# ---------------------------------------------------------------------- ours
def _ours_settings(extra: tuple[str, ...]) -> list[str]:
    pairs = [f"{k}={v}" for k, v in FETCH_SETTINGS.items()] + list(extra)
    return [a for pair in pairs for a in ("--set", pair)]


def run_ours(workers: int, pages: int, redis_url: str, tmp: Path, *, extra: tuple[str, ...] = (),
             kill_at: int | None = None, redis_memory: bool = False) -> Crawl:
    """One crawl of a fresh demo site by `workers` processes of ours (the seeder is one).
    With `kill_at`, worker1 is killed with SIGKILL once it has handled that many pages, and
    nothing is asserted about the documents. RuntimeError if a process fails, or (no kill)
    if the store holds other than one document per article."""
    from demoweb import DemoWeb

    name = f"ours-{workers}" + (f"-kill-{kill_at}" if kill_at else "") + ("-short" if extra else "")
    logdir, store = tmp / name / "logs", tmp / name / "archive"
    logdir.mkdir(parents=True)
    sets = _ours_settings(extra)
    with DemoWeb(base_port=0, generated_articles=pages, latency=LATENCY) as web:
        story = tmp / name / "story.toml"
        story.write_text(story_for(web.url(SLUG, "/sitemap_index.xml")), encoding="utf-8")
        procs: list[Started] = []
        sampler = CrawlCpu(procs)
        try:
            for i in range(1, workers):
                procs.append(Started(f"worker{i}", [
                    sys.executable, "-m", "storyarchive", "worker", "--redis", redis_url, "--store",
                    str(store), "--exit-when-idle", str(WORKER_IDLE_EXIT), *sets,
                    "--set", f"STORYARCHIVE_WORKER_ID=worker{i}"], logdir))
            for p in procs:
                p.wait_for(lambda p=p: "waiting for crawls" in p.err_path.read_text(), "it was ready")
            memory = RedisMemory(redis_url) if redis_memory else None
            t0 = time.monotonic()
            seeder = Started("seeder", [sys.executable, "-m", "storyarchive", "crawl", str(story), "--redis",
                                        redis_url, "--store", str(store), *sets], logdir)
            procs.append(seeder)
            killed_after = None
            if kill_at is not None:
                victim = procs[0]
                handled = _JournalPages(store, "worker1")
                victim.wait_for(lambda: handled.count() >= kill_at, f"it handled {kill_at} pages",
                                timeout=RUN_TIMEOUT)
                victim.kill()
                killed_after = handled.count()
            code = seeder.wait()
            seconds = (seeder.ended or time.monotonic()) - t0
            redis_figures = memory.stop() if memory is not None else None
            if code != 0:
                raise RuntimeError(f"our seeder exited {code}:\n{seeder.output()[-3000:]}")
            for p in procs:
                if p.wait(WORKER_IDLE_EXIT + 120) != 0 and not (kill_at is not None and p is procs[0]):
                    raise RuntimeError(f"our {p.name} exited {p.proc.returncode}:\n{p.output()[-3000:]}")
        finally:
            for p in procs:
                p.stop()
            cpu = sampler.stop()
        fetch_seconds, twice, never, _ = _fetch_figures(web, t0)
    articles = store / "stories" / STORY_SLUG / "articles"
    documents = sum(1 for _ in articles.iterdir()) if articles.is_dir() else 0
    if kill_at is None and documents != pages:
        raise RuntimeError(f"our {workers}-worker crawl wrote {documents} documents for {pages} articles:\n"
                           f"{seeder.output()[-3000:]}")
    per_process = _took_part(procs, f"our {workers}-worker crawl")
    return Crawl("ours", workers, pages, seconds, fetch_seconds, cpu, documents, twice, never,
                 pages - documents, killed_after, list(extra), per_process, redis_figures)


class _JournalPages:
    """Pages a worker has handled so far: "page" events in its journal, read as it grows."""

    def __init__(self, store: Path, worker: str) -> None:
        self.pattern = f"{STORY_SLUG}/crawls/*/workers/{worker}/journal.jsonl"
        self.state = store / ".state"
        self.offset = 0
        self.pages = 0
        self.tail = b""

    def count(self) -> int:
        found = list(self.state.glob(self.pattern))
        if not found:
            return 0
        with open(found[0], "rb") as f:
            f.seek(self.offset)
            data = self.tail + f.read()
        self.offset += len(data) - len(self.tail)
        lines = data.split(b"\n")
        self.tail = lines.pop()  # an incomplete last line waits for the rest
        self.pages += sum(1 for line in lines if line.startswith(b'{"t":"page"'))
        return self.pages


def _took_part(procs: list[Started], crawl: str) -> dict[str, int | None]:
    """Responses per process (None: killed). RuntimeError if one received none: the figures
    would not be those of that many workers."""
    responses = {p.name: _responses(p) for p in procs}
    idle = [name for name, n in responses.items() if n == 0]
    if idle:
        raise RuntimeError(f"in {crawl}, {', '.join(idle)} received no response")
    return responses


def _responses(p: Started) -> int | None:
    """Responses a process says it received (our worker's line, our seeder's summary or the
    peer's JSON line)."""
    import re

    out = p.output()
    found = re.findall(r"(\d+) responses", out)
    if found:
        return int(found[-1])
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            return int(json.loads(line).get("responses", 0))
    return None


# ---------------------------------------------------------------------- the peer
def peer_settings(redis_url: str) -> dict[str, Any]:
    """Stock scrapy-redis: its Scheduler and RFPDupeFilter on `redis_url`; the queue kept
    when a process closes (SCHEDULER_PERSIST, else the first process to close would empty
    the shared queue under the others)."""
    return {
        **FETCH_SETTINGS,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }


def peer_crawl(redis_url: str, sitemap: str, progress: Path, seed: bool) -> dict[str, Any]:
    """The peer's process: follow the sitemap index `sitemap` (queued by the process with
    `seed`) and fetch every article it lists, through the shared scrapy-redis queue; write
    "<monotonic time> <url>" to `progress` for each article page received. Closes after
    PEER_IDLE_CLOSE seconds with nothing to do. Starts the reactor: once per process."""
    import scrapy
    from scrapy import signals
    from scrapy.core.engine import ExecutionEngine
    from scrapy.crawler import CrawlerProcess
    from scrapy.exceptions import DontCloseSpider
    from scrapy.utils.sitemap import Sitemap

    class SitemapFollower(scrapy.Spider):
        name = "scaleout-peer"

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.out = open(progress, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - see closed()
            self.idle_since: float | None = None
            self.begun = False

        @classmethod
        def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SitemapFollower:
            spider = super().from_crawler(crawler, *args, **kwargs)
            crawler.signals.connect(spider.idle, signal=signals.spider_idle)
            crawler.signals.connect(spider.opened, signal=signals.spider_opened)
            return spider

        def opened(self) -> None:
            print("peer ready", file=sys.stderr, flush=True)

        async def start(self) -> Any:
            if seed:
                yield scrapy.Request(sitemap, callback=self.parse_sitemap)

        def parse_sitemap(self, response: Any) -> Any:
            self.idle_since = None
            entries = Sitemap(response.body)
            callback = self.parse_sitemap if entries.type == "sitemapindex" else self.parse_article
            for entry in entries:
                yield scrapy.Request(entry["loc"], callback=callback)

        def parse_article(self, response: Any) -> None:
            self.idle_since = None
            self.out.write(f"{time.monotonic():.4f} {response.url}\n")

        def closed(self, reason: str) -> None:
            self.out.close()

        def idle(self) -> None:
            """Wait while the crawl has not begun (scrapy-redis's dupefilter key is made by
            the seeder's first request), then close after PEER_IDLE_CLOSE idle seconds."""
            if not self.begun:
                from scrapy_redis.connection import from_settings

                self.begun = bool(from_settings(self.settings).exists(f"{self.name}:dupefilter"))
            now = time.monotonic()
            self.idle_since = (self.idle_since or now) if self.begun else None
            if self.idle_since is None or now - self.idle_since < PEER_IDLE_CLOSE:
                raise DontCloseSpider

    # An idle Scrapy engine looks at its scheduler once per heartbeat (5 s): a process
    # waiting for the seeder's first requests would join up to 5 s late, which our workers,
    # polling the registry every second, do not. Every second, so the peer is not held back.
    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = PEER_HEARTBEAT
    process = CrawlerProcess(peer_settings(redis_url))
    crawler = process.create_crawler(SitemapFollower)
    process.crawl(crawler)
    process.start()
    assert crawler.stats is not None
    return {"responses": crawler.stats.get_value("response_received_count", 0)}


def run_peer(workers: int, pages: int, redis_url: str, tmp: Path, *, kill_at: int | None = None,
             redis_memory: bool = False) -> Crawl:
    """One crawl of a fresh demo site by `workers` processes of the peer. With `kill_at`, the
    first (not the seeder) is killed with SIGKILL once it has received that many article
    pages. RuntimeError if a process fails or (no kill) an article page was not received."""
    from demoweb import DemoWeb

    name = f"peer-{workers}" + (f"-kill-{kill_at}" if kill_at else "")
    logdir = tmp / name / "logs"
    logdir.mkdir(parents=True)
    with DemoWeb(base_port=0, generated_articles=pages, latency=LATENCY) as web:
        sitemap = web.url(SLUG, "/sitemap_index.xml")

        def start(pname: str, *more: str) -> Started:
            return Started(pname, [sys.executable, "-m", "bench.scaleout", "--peer-spider", "--redis",
                                   redis_url, "--sitemap", sitemap, "--progress",
                                   str(logdir / f"{pname}.pages"), *more], logdir)

        procs: list[Started] = []
        sampler = CrawlCpu(procs)
        try:
            procs.extend(start(f"process{i}") for i in range(1, workers))
            for p in procs:
                p.wait_for(lambda p=p: "peer ready" in p.err_path.read_text(), "it was ready")
            memory = RedisMemory(redis_url) if redis_memory else None
            t0 = time.monotonic()
            seeder = start("seeder", "--seed")
            procs.append(seeder)
            killed_after = None
            if kill_at is not None:
                victim = procs[0]
                victim.wait_for(lambda: _lines(logdir / "process1.pages") >= kill_at,
                                f"it received {kill_at} pages", timeout=RUN_TIMEOUT)
                victim.kill()
                killed_after = _lines(logdir / "process1.pages")
            for p in reversed(procs):  # the seeder first: the others wait for its requests
                if p.wait() != 0 and not (kill_at is not None and p is procs[0]):
                    raise RuntimeError(f"peer {p.name} exited {p.proc.returncode}:\n{p.output()[-3000:]}")
            redis_figures = memory.stop() if memory is not None else None
        finally:
            for p in procs:
                p.stop()
            cpu = sampler.stop()
        fetch_seconds, twice, never, articles = _fetch_figures(web, t0)
        base = web.url(SLUG, "")
    received: set[str] = set()
    last = 0.0
    for p in procs:
        for line in (logdir / f"{p.name}.pages").read_text().splitlines():
            at, url = line.split(" ", 1)
            received.add(url.removeprefix(base))
            last = max(last, float(at) - t0)
    got = len(received & articles)
    if kill_at is None and got != pages:
        raise RuntimeError(f"the peer's {workers}-process crawl received {got} of {pages} article pages:\n"
                           f"{seeder.output()[-3000:]}")
    per_process = _took_part(procs, f"the peer's {workers}-process crawl")
    return Crawl("peer", workers, pages, last, fetch_seconds, cpu, got, twice, never, pages - got,
                 killed_after, [], per_process, redis_figures)


def _lines(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return sum(1 for line in f if line.endswith(b"\n"))
    except FileNotFoundError:
        return 0


# ---------------------------------------------------------------------- the table
def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    import redis

    from tests.fixtures.redisserver import start_redis, stop_redis

    pages = QUICK_PAGES if args.quick else PAGES
    counts = QUICK_WORKER_COUNTS if args.quick else WORKER_COUNTS
    kill_at = math.ceil(pages * KILL_SHARE)
    settings = ", ".join(f"{k}={v}" for k, v in FETCH_SETTINGS.items())
    print(f"scaleout: {pages} pages, {LATENCY * 1000:.0f} ms per response; per process {settings}: "
          f"{FETCH_WHY}", file=sys.stderr, flush=True)
    proc, url, workdir = start_redis()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    ours: dict[int, Crawl] = {}
    peer: dict[int, Crawl] = {}
    kills: list[Crawl] = []
    client = redis.Redis.from_url(url)

    def fresh() -> None:
        client.flushall()

    try:
        for n in counts:
            biggest = n == max(counts)
            for tool, runner, into in (("ours", run_ours, ours), ("peer", run_peer, peer)):
                fresh()
                into[n] = runner(n, pages, url, tmp, redis_memory=biggest)
                c = into[n]
                print(f"scaleout: {tool}, {n} worker(s): {c.rate:.1f} pages/s ({c.seconds:.1f} s, "
                      f"{c.documents} of {pages}; CPU s: crawl {c.cpu.crawl:.0f}, demo web "
                      f"{c.cpu.bench:.0f}, elsewhere {c.cpu.elsewhere:.0f})", file=sys.stderr, flush=True)
        plans: list[tuple[str, Any]] = [("peer", {})]
        plans += [("ours", {"extra": SHORT_LEASES})] if args.quick else [
            ("ours", {}), ("ours", {"extra": SHORT_LEASES})]
        for tool, options in plans:
            fresh()
            runner = run_ours if tool == "ours" else run_peer
            c = runner(2, pages, url, tmp, kill_at=kill_at, **options)
            kills.append(c)
            print(f"scaleout: {tool}, 2 workers, one killed after {c.killed_after} pages: {c.fetched_twice} "
                  f"fetched twice, {c.lost} lost, {c.seconds:.1f} s", file=sys.stderr, flush=True)
    finally:
        client.close()
        stop_redis(proc, workdir)
        shutil.rmtree(tmp, ignore_errors=True)

    rows = table(pages, counts, ours, peer, kills)
    out = Path(args.out).parent / "scaleout.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "pages": pages, "latency_seconds": LATENCY, "per_process_settings": FETCH_SETTINGS, "why": FETCH_WHY,
        "kill_share": KILL_SHARE, "short_leases": list(SHORT_LEASES), "cpus": os.cpu_count(),
        "crawls": [{**asdict(c), "pages_per_second": round(c.rate, 2)}
                   for c in [*ours.values(), *peer.values(), *kills]],
        "rows": rows,
    }, indent=2), encoding="utf-8")
    print(f"scaleout: wrote {out}", file=sys.stderr, flush=True)
    return rows


def table(pages: int, counts: tuple[int, ...], ours: dict[int, Crawl], peer: dict[int, Crawl],
          kills: list[Crawl]) -> list[dict[str, Any]]:
    def row(metric: str, value: float, unit: str, note: str = "", peer_name: str = "",
            peer_value: float | None = None) -> dict[str, Any]:
        return {"bench": "scaleout", "metric": metric, "ours": value, "peer_name": peer_name,
                "peer": peer_value, "unit": unit, "ratio": value / peer_value if peer_value else None,
                "note": note}

    def workers(n: int) -> str:
        return f"{n} worker{'s' if n > 1 else ''}"

    settings = ", ".join(f"{k}={v}" for k, v in FETCH_SETTINGS.items())
    rows = [row("requests in flight per worker", FETCH_SETTINGS["CONCURRENT_REQUESTS"], "requests",
                f"ours and the peer: {settings}; {pages:,} pages, {LATENCY * 1000:.0f} ms per response. "
                f"Why: {FETCH_WHY}")]
    for n in counts:
        o, p = ours[n], peer[n]
        rows.append(row(
            f"pages/s, {workers(n)}", o.rate, "pages/s",
            f"ours: {o.documents:,} documents = {pages:,} articles, seeder start -> exit {o.seconds:.1f} s, "
            f"of which {o.seconds - o.fetch_seconds:.1f} s after the last page was fetched (the finish "
            f"stage, one worker); peer: start -> last article page received {p.seconds:.1f} s, no WARC, "
            f"extraction or finish; machine busy {o.cpu.machine_cores:.2f} / {p.cpu.machine_cores:.2f} "
            f"of {os.cpu_count()} cores",
            f"stock scrapy-redis, {n} process{'es' if n > 1 else ''}", p.rate))
    for n in counts:
        o, p = ours[n], peer[n]
        rows.append(row(
            f"pages/s until the last page fetched, {workers(n)}", o.fetch_rate, "pages/s",
            f"start -> the demo web's last response: ours {o.fetch_seconds:.1f} s, peer "
            f"{p.fetch_seconds:.1f} s (the fetching alone, before our finish stage)",
            f"stock scrapy-redis, {n} process{'es' if n > 1 else ''}", p.fetch_rate))
    for n in counts[1:]:
        for what, speed in (("", lambda c: c.rate), (" until the last page fetched", lambda c: c.fetch_rate)):
            so, sp = speed(ours[n]) / speed(ours[1]), speed(peer[n]) / speed(peer[1])
            po, pp = (so - 1) / (n - 1), (sp - 1) / (n - 1)
            rows.append(row(
                f"speed-up{what}, {workers(n)}", so, "x",
                f"per added worker, (speed-up - 1) / {n - 1}: ours {po:.2f} (goal >= 0.9: "
                f"{'met' if po >= 0.9 else 'NOT met'}), peer {pp:.2f}",
                "stock scrapy-redis", sp))
    for n in counts:
        o, p = ours[n], peer[n]
        rows.append(row(
            f"CPU seconds, {workers(n)}", o.cpu.crawl, "s",
            f"every process tree of the crawl; ours {1000 * o.cpu.crawl / pages:.1f} ms per page "
            f"(fetch, WARC, extraction, dedup, documents), peer {1000 * p.cpu.crawl / pages:.1f} ms "
            f"(fetch only); meanwhile the demo web (this process) {o.cpu.bench:.0f} / {p.cpu.bench:.0f} s, "
            f"the rest of the machine (Redis, anything else running) {o.cpu.elsewhere:.0f} / "
            f"{p.cpu.elsewhere:.0f} s",
            "stock scrapy-redis", p.cpu.crawl))
    n = max(counts)
    o, p = ours[n], peer[n]
    if o.redis and p.redis:
        per = (o.redis["peak"] - o.redis["baseline"]) / (pages / 1000)
        peer_per = (p.redis["peak"] - p.redis["baseline"]) / (pages / 1000)
        rows.append(row(
            f"Redis memory per 1,000 pages, {workers(n)}", per / 1000, "KB",
            f"used_memory peak {o.redis['peak'] / 1e6:.2f} MB - before the seeder "
            f"{o.redis['baseline'] / 1e6:.2f} MB (frontier, leases, fingerprints, dedup and digest "
            f"indexes); left after the crawl "
            f"{(o.redis['after'] - o.redis['baseline']) / 1e6:.2f} MB; peer: queue and fingerprints, "
            f"left after {(p.redis['after'] - p.redis['baseline']) / 1e6:.2f} MB",
            "stock scrapy-redis", peer_per / 1000))
    peer_kill = next(c for c in kills if c.tool == "peer")
    for c in (c for c in kills if c.tool == "ours"):
        which = ("short leases: " + ", ".join(SHORT_LEASES)) if c.settings else \
            "default lease timeout (60 s) and commit interval (30 s)"
        clean = ours[2].seconds
        rows.append(row(
            f"lost worker, requests fetched twice ({'short leases' if c.settings else 'defaults'})",
            c.fetched_twice, "requests",
            f"2 workers, worker1 killed (SIGKILL) after {c.killed_after} pages; {which}; every article "
            f"written: {'yes' if c.documents == pages else 'NO'} ({c.documents:,}/{pages:,}); "
            f"{c.seconds:.1f} s against {clean:.1f} s unkilled; peer's victim killed after "
            f"{peer_kill.killed_after} pages",
            "stock scrapy-redis", peer_kill.fetched_twice))
    worst = max((c for c in kills if c.tool == "ours"), key=lambda c: c.lost)
    rows.append(row(
        "lost worker, pages lost", worst.lost, "pages",
        f"articles never archived (ours) / never received by any process (peer); peer: "
        f"{peer_kill.never_requested} never requested, the rest were in flight at the kill and "
        f"are in its dupefilter, so no process fetches them again",
        "stock scrapy-redis", peer_kill.lost))
    return rows


if __name__ == "__main__":
    # `python -m bench.scaleout --peer-spider ...`: one process of the peer (`run_peer`); prints
    # its result as one JSON line.
    cli = argparse.ArgumentParser(prog="python -m bench.scaleout")
    cli.add_argument("--peer-spider", action="store_true", required=True)
    cli.add_argument("--redis", required=True)
    cli.add_argument("--sitemap", required=True)
    cli.add_argument("--progress", type=Path, required=True)
    cli.add_argument("--seed", action="store_true")
    a = cli.parse_args()
    print(json.dumps(peer_crawl(a.redis, a.sitemap, a.progress, a.seed)))
