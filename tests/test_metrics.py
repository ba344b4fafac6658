"""Prometheus metrics of a running crawl (storyarchive.metrics): a real crawl of the demo web
scraped over a socket while it runs, and the server's life and sharing in one process."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from scrapy.exceptions import NotConfigured

from demoweb import DemoWeb, free_port
from storyarchive import defaults
from storyarchive.extract.pool import ExtractionPool
from storyarchive.metrics import (
    CrawlReader,
    CrawlReading,
    MetricsExtension,
    MetricsServer,
    error_counts,
)
from tests.cli import REPO, manifests
from tests.crawlers import get_crawler

SLUG = "demo-dock-strike"
LABELS = {"story": SLUG, "spider": "story"}
# `storyarchive crawl` in-process, then what is left of the metrics server once it returned.
DRIVER = """
import json, socket, sys, threading
from storyarchive.cli import main
port = int(sys.argv[1])
code = main(sys.argv[2:])
try:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    listening = True
except OSError:
    listening = False
threads = [t.name for t in threading.enumerate() if "serve_forever" in t.name]
print(json.dumps({"code": code, "listening": listening, "server_threads": threads}))
"""

Samples = dict[str, list[tuple[dict[str, str], float]]]  # sample name -> (labels, value)


def scrape(host: str, port: int) -> Samples:
    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


def value(samples: Samples, name: str, **labels: str) -> float | None:
    """The value of the one sample `name` whose labels include `labels`."""
    found = [v for lab, v in samples.get(name, []) if labels.items() <= lab.items()]
    assert len(found) <= 1, (name, labels, found)
    return found[0] if found else None


def refused(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


@dataclass
class WatchedCrawl:
    port: int
    scrapes: list[Samples] = field(default_factory=list)  # in order, taken during the crawl
    other_loopback_refused: bool | None = None  # 127.0.0.2, while 127.0.0.1 was served
    after: dict[str, Any] = field(default_factory=dict)  # the DRIVER's report
    stats: dict[str, Any] = field(default_factory=dict)  # the crawl's final stats (manifest)

    def series(self, name: str) -> list[float]:
        return [v for s in self.scrapes if (v := value(s, name, **LABELS)) is not None]


@pytest.fixture(scope="module")
def watched_crawl(demo_web: DemoWeb, tmp_path_factory: pytest.TempPathFactory) -> WatchedCrawl:
    """A crawl of the demo story slowed by DOWNLOAD_DELAY (a few seconds), its /metrics
    scraped every 50 ms over a real socket from its start to its end."""
    tmp = tmp_path_factory.mktemp("metrics")
    story = tmp / "demo.toml"
    story.write_text(demo_web.story_toml(), encoding="utf-8")
    watched = WatchedCrawl(free_port())
    settings = ["AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0.1", "STORYARCHIVE_CAPTURE_REQUISITES=False",
                f"STORYARCHIVE_METRICS_PORT={watched.port}"]
    args = ["crawl", str(story), "--store", str(tmp / "archive"),
            *(arg for pair in settings for arg in ("--set", pair))]
    out, err = tmp / "crawl.out", tmp / "crawl.err"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(watched.port), *args], cwd=REPO,
                                env={**os.environ, "STORYARCHIVE_PROGRESS": "off"}, stdout=o, stderr=e)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                watched.scrapes.append(scrape("127.0.0.1", watched.port))
            except OSError:  # not listening yet, or closed at the end
                pass
            else:
                if watched.other_loopback_refused is None:
                    watched.other_loopback_refused = refused("127.0.0.2", watched.port)
            time.sleep(0.05)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.read_text()[-3000:]
    watched.after = json.loads(out.read_text().strip().splitlines()[-1])
    (manifest,) = manifests(tmp / "archive", SLUG)
    watched.stats = manifest["stats"]
    return watched


def test_pages_fetched_rise_during_the_crawl_and_never_pass_the_final_count(watched_crawl):
    fetched = watched_crawl.series("storyarchive_pages_fetched_total")
    assert fetched and max(fetched) > 0
    assert fetched == sorted(fetched)  # a counter
    assert max(fetched) <= watched_crawl.stats["response_received_count"]


def test_bytes_and_kept_pages_follow_the_crawls_own_stats(watched_crawl):
    received = watched_crawl.series("storyarchive_received_bytes_total")
    kept = watched_crawl.series("storyarchive_pages_kept_total")
    assert 0 < max(received) <= watched_crawl.stats["downloader/response_bytes"]
    assert received == sorted(received) and kept == sorted(kept)
    assert max(kept) <= watched_crawl.stats["storyarchive/store/kept"]


def test_rejections_are_served_by_reason(watched_crawl):
    last = watched_crawl.scrapes[-1]
    reasons = {lab["reason"]: v for lab, v in last.get("storyarchive_pages_rejected_total", [])}
    assert reasons, "the demo web has off-topic pages, a 404 and a PDF"
    for reason, n in reasons.items():
        final = (watched_crawl.stats.get(f"storyarchive/rejected/{reason}", 0)
                 + watched_crawl.stats.get(f"storyarchive/skipped/{reason}", 0))
        assert 0 < n <= final, reason


def test_frontier_depth_shows_the_requests_waiting_in_the_scheduler(watched_crawl):
    depth = watched_crawl.series("storyarchive_frontier_depth")
    assert depth, "no frontier depth while the crawl ran"
    # DOWNLOAD_DELAY holds the downloader to one request at a time: the rest wait
    assert max(depth) > 0


def test_the_extraction_queue_and_the_worker_are_described(watched_crawl):
    assert watched_crawl.series("storyarchive_extraction_queue")
    info = [lab for s in watched_crawl.scrapes for lab, _ in s.get("storyarchive_worker_info", [])]
    assert info and all(LABELS.items() <= lab.items() and lab["crawl"] for lab in info)


def test_the_server_listens_on_loopback_only_by_default(watched_crawl):
    assert defaults.STORYARCHIVE_METRICS_HOST == "127.0.0.1"
    assert watched_crawl.other_loopback_refused is True  # 127.0.0.2 is loopback, not 127.0.0.1


def test_the_port_is_closed_and_the_server_thread_gone_when_the_crawl_returns(watched_crawl):
    assert watched_crawl.after == {"code": 0, "listening": False, "server_threads": []}


# ---------------------------------------------------------------------- in one process
def test_metrics_are_off_unless_a_port_is_set():
    with pytest.raises(NotConfigured):
        MetricsExtension.from_crawler(get_crawler(settings_dict={}))
    with pytest.raises(NotConfigured):
        MetricsExtension.from_crawler(get_crawler(settings_dict={"STORYARCHIVE_METRICS_PORT": "0"}))


@pytest.mark.parametrize("port", [70000, -1, "http"])
def test_a_port_that_is_not_a_port_number_is_an_error_naming_the_setting(port):
    with pytest.raises(ValueError, match="STORYARCHIVE_METRICS_PORT must be a port number"):
        MetricsExtension.from_crawler(get_crawler(settings_dict={"STORYARCHIVE_METRICS_PORT": port}))


class FixedReader(CrawlReader):
    """A crawler's reading without a crawler."""

    def __init__(self, story: str, stats: dict[str, Any]) -> None:
        self.story, self.spider = story, "story"
        self.reading = CrawlReading(story, "story", "w1", "c1", stats, stats["response_received_count"],
                                    frontier_depth=3, extraction_queue=0)

    def read(self) -> CrawlReading:
        return self.reading


def test_crawlers_of_one_process_share_a_port_with_a_series_each():
    port = free_port()
    first = FixedReader("a", {"response_received_count": 5})
    second = FixedReader("b", {"response_received_count": 7})
    host = defaults.STORYARCHIVE_METRICS_HOST
    server = MetricsServer.attach(host, port, first)
    assert MetricsServer.attach(host, port, second) is server
    try:
        samples = scrape(host, port)
        assert value(samples, "storyarchive_pages_fetched_total", story="a") == 5
        assert value(samples, "storyarchive_pages_fetched_total", story="b") == 7
        with pytest.raises(ValueError, match="served there already"):  # its labels are taken
            MetricsServer.attach(host, port, FixedReader("a", {"response_received_count": 1}))
        server.detach(first)
        samples = scrape(host, port)  # still served for the other crawler
        assert value(samples, "storyarchive_pages_fetched_total", story="a") is None
        assert value(samples, "storyarchive_frontier_depth", story="b") == 3
    finally:
        server.detach(second)
    assert refused(host, port)


def test_a_scrape_while_the_last_crawler_detaches_gets_its_final_counts():
    """The server shuts down when its last crawler detaches; a scrape it answers meanwhile
    (here: one made from inside the shutdown) still carries that crawler's counts, never an
    empty page (Prometheus would read every counter as reset)."""
    port, host = free_port(), defaults.STORYARCHIVE_METRICS_HOST
    reader = FixedReader("a", {"response_received_count": 5, "storyarchive/rejected/off-topic": 2})
    server = MetricsServer.attach(host, port, reader)
    during: list[Samples] = []
    shutdown = server._httpd.shutdown

    def scrape_then_shut_down() -> None:
        during.append(scrape(host, port))
        shutdown()

    server._httpd.shutdown = scrape_then_shut_down  # type: ignore[method-assign]
    server.detach(reader)
    assert refused(host, port)
    assert value(during[0], "storyarchive_pages_fetched_total", story="a") == 5
    assert value(during[0], "storyarchive_pages_rejected_total", story="a", reason="off-topic") == 2


def test_errors_are_counted_by_stage_and_exception_class():
    stats = {
        "downloader/exception_type_count/twisted.internet.error.ConnectionRefusedError": 3,
        "storyarchive/errors/ConnectionRefusedError": 1,
        "storyarchive/requisites/failed/TimeoutError": 2,
        "spider_exceptions/count": 4,
        "spider_exceptions/ValueError": 4,
        "storyarchive/extract/errors": 1,
        "storyarchive/finish/status": "failed",
    }
    assert error_counts(stats) == {
        ("download", "ConnectionRefusedError"): 3,
        ("request", "ConnectionRefusedError"): 1,
        ("requisite", "TimeoutError"): 2,
        ("spider", "ValueError"): 4,
        ("extract", "error"): 1,
        ("finish", "failed"): 1,
    }


def test_the_extraction_pool_counts_the_calls_it_has_not_finished():
    pool = ExtractionPool(1, start_method="fork")

    async def two_calls() -> tuple[int, int]:
        calls = [asyncio.ensure_future(pool.run(time.sleep, 0.5)) for _ in range(2)]
        await asyncio.sleep(0.2)
        during = pool.in_flight  # one running, one waiting for the worker
        await asyncio.gather(*calls)
        return during, pool.in_flight

    try:
        assert asyncio.run(two_calls()) == (2, 0)
    finally:
        pool.close()
