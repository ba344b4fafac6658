"""Prometheus metrics of a running crawl, served on a loopback port when asked.

`MetricsExtension` is on when STORYARCHIVE_METRICS_PORT is set (storyarchive/defaults.py):
it serves `/metrics` with prometheus-client on STORYARCHIVE_METRICS_HOST:PORT from
spider_opened until engine_stopped, so the finish stage (which runs while the spider
closes) is watched too. Nothing is counted per response: each scrape reads the crawler's
stats, the scheduler's length (the shared frontier's, with a Redis-backed scheduler) and
the extraction pool's queue. docs/metrics.md lists every metric.

Each server has a registry of its own, never prometheus-client's global one. Crawlers of
one process that ask for the same host and port share one server: every series carries
the labels `story` and `spider`, and the server closes with the last of them.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from storyarchive import __version__

if TYPE_CHECKING:
    from storyarchive.extract.pool import ExtractionPool

logger = logging.getLogger(__name__)

LABELS = ("story", "spider")
# stats key prefix -> the `stage` label of storyarchive_errors_total; the rest of the key
# is the `kind` (an exception class name)
_ERROR_PREFIXES = {
    "downloader/exception_type_count/": "download",  # every failed attempt, retries included
    "storyarchive/errors/": "request",  # requests given up on, once each
    "storyarchive/requisites/failed/": "requisite",
    "spider_exceptions/": "spider",  # raised by a callback
}
_REJECTED_PREFIXES = ("storyarchive/rejected/", "storyarchive/skipped/")


@dataclass(frozen=True)
class CrawlReading:
    """One crawler's numbers at one scrape. `frontier_depth` is None when there is no
    scheduler to ask (before the spider opens, after it closes, or it cannot say);
    `extraction_queue` is None when the extract pipeline is off."""

    story: str
    spider: str
    worker: str
    crawl: str
    stats: Mapping[str, Any]
    pages_fetched: int
    frontier_depth: int | None
    extraction_queue: int | None


def metric_families(readings: Sequence[CrawlReading]) -> list[Metric]:
    """The metric families of every crawler's reading, one series per crawler (labels
    `story` and `spider`), in exposition order."""
    fetched = CounterMetricFamily(
        "storyarchive_pages_fetched", "HTTP responses received from the network (a resumed "
        "crawl's answers from its own WARCs excluded).", labels=LABELS)
    received = CounterMetricFamily(
        "storyarchive_received_bytes", "Bytes of the HTTP responses received, headers included "
        "(Scrapy's downloader/response_bytes).", labels=LABELS)
    kept = CounterMetricFamily(
        "storyarchive_pages_kept", "Pages kept as articles (journaled for the finish stage).",
        labels=LABELS)
    rejected = CounterMetricFamily(
        "storyarchive_pages_rejected", "URLs and pages that did not become articles, by reason.",
        labels=(*LABELS, "reason"))
    errors = CounterMetricFamily(
        "storyarchive_errors", "Errors by stage (download, request, requisite, spider, extract, "
        "finish) and kind (an exception class name).", labels=(*LABELS, "stage", "kind"))
    queue = GaugeMetricFamily(
        "storyarchive_extraction_queue", "Pages in the extraction pool: waiting for a worker "
        "or being extracted.", labels=LABELS)
    frontier = GaugeMetricFamily(
        "storyarchive_frontier_depth", "Requests waiting in the scheduler (with a Redis-backed "
        "scheduler: the shared frontier of every worker).", labels=LABELS)
    info = InfoMetricFamily(
        "storyarchive_worker", "The worker and crawl behind these series.", labels=LABELS)
    for r in readings:
        labels = [r.story, r.spider]
        fetched.add_metric(labels, r.pages_fetched)
        received.add_metric(labels, r.stats.get("downloader/response_bytes", 0))
        kept.add_metric(labels, r.stats.get("storyarchive/store/kept", 0))
        for reason, n in sorted(rejections(r.stats).items()):
            rejected.add_metric([*labels, reason], n)
        for (stage, kind), n in sorted(error_counts(r.stats).items()):
            errors.add_metric([*labels, stage, kind], n)
        if r.extraction_queue is not None:
            queue.add_metric(labels, r.extraction_queue)
        if r.frontier_depth is not None:
            frontier.add_metric(labels, r.frontier_depth)
        info.add_metric(labels, {"worker": r.worker, "crawl": r.crawl, "version": __version__})
    return [fetched, received, kept, rejected, errors, queue, frontier, info]


def rejections(stats: Mapping[str, Any]) -> Counter[str]:
    """reason -> count, over storyarchive/rejected/* and storyarchive/skipped/* (what the
    end-of-crawl summary calls "rejected")."""
    out: Counter[str] = Counter()
    for key, value in stats.items():
        for prefix in _REJECTED_PREFIXES:
            if key.startswith(prefix):
                out[key[len(prefix):]] += int(value)
    return out


def error_counts(stats: Mapping[str, Any]) -> Counter[tuple[str, str]]:
    """(stage, kind) -> count. Download exceptions are named by class (Scrapy's stat has
    the full dotted path); a failed finish stage counts once as ("finish", "failed")."""
    out: Counter[tuple[str, str]] = Counter()
    for key, value in stats.items():
        for prefix, stage in _ERROR_PREFIXES.items():
            if key.startswith(prefix) and key != "spider_exceptions/count":  # that one is the total
                out[stage, key[len(prefix):].rsplit(".", 1)[-1]] += int(value)
    if stats.get("storyarchive/extract/errors"):
        out["extract", "error"] += int(stats["storyarchive/extract/errors"])
    if stats.get("storyarchive/finish/status") == "failed":
        out["finish", "failed"] += 1
    return out


class CrawlReader:
    """Reads one open crawler's numbers, from whichever thread serves the scrape."""

    def __init__(self, crawler: Crawler, spider: Spider) -> None:
        self.crawler = crawler
        self.engine = crawler.engine
        self.story = str(getattr(spider, "story_slug", "") or "")
        self.spider = spider.name
        self.crawl = str(getattr(spider, "crawl_id", "") or "")
        self.worker = str(crawler.settings.get("STORYARCHIVE_WORKER_ID") or "")
        self.pool = _extraction_pool(crawler)
        self._fetched = 0
        self._lock = threading.Lock()

    def read(self) -> CrawlReading:
        assert self.crawler.stats is not None
        # One copy in C under the GIL: a consistent view while the reactor thread counts.
        stats = dict(self.crawler.stats.get_stats())
        fetched = (int(stats.get("response_received_count", 0))
                   - int(stats.get("storyarchive/resume/answered", 0)))
        with self._lock:
            # A resumed crawl counts an answer just before Scrapy counts its response: keep
            # the counter from stepping back (Prometheus would take that for a restart).
            self._fetched = fetched = max(self._fetched, fetched)
        return CrawlReading(
            self.story, self.spider, self.worker, self.crawl, stats, fetched,
            self.frontier_depth(), self.pool.in_flight if self.pool is not None else None)

    def frontier_depth(self) -> int | None:
        scheduler = getattr(self.engine, "scheduler", None)  # public since Scrapy 2.19
        if scheduler is None:
            return None
        for _ in range(3):
            try:
                return len(scheduler)
            except RuntimeError:  # a queue dict changed size under us: read again
                continue
            except Exception as exc:  # Redis away, a scheduler that cannot count: no sample
                logger.debug("metrics: no frontier depth: %s: %s", type(exc).__name__, exc)
                return None
        return None


def _extraction_pool(crawler: Crawler) -> ExtractionPool | None:
    """The ExtractionPool of the crawl's extract pipeline, or None when it is off."""
    from pipelines.extract import ExtractPipeline

    pipeline = crawler.get_item_pipeline(ExtractPipeline)
    return pipeline.pool if pipeline is not None else None


class MetricsServer:
    """One HTTP listener serving /metrics for the crawlers of this process that asked for
    its address; `attach` opens it for the first, `detach` closes it after the last."""

    # A port belongs to the process, not to one crawler: crawlers asking for the same
    # address find its server here. Touched only under _lock.
    _listening: ClassVar[dict[tuple[str, int], MetricsServer]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, host: str, port: int) -> None:
        """Listen on host:port (OSError if it cannot) with a registry of its own."""
        self.address = (host, port)
        self._readers: tuple[CrawlReader, ...] = ()
        self._holds = 0  # `hold`s: a worker keeps its port open between crawls
        # No describe(): collect() runs at scrape time only, and `?name[]=` filters still
        # reach a collector without names with this flag.
        registry = CollectorRegistry(support_collectors_without_names=True)
        registry.register(self)
        self._httpd, self._thread = start_http_server(port, host, registry)

    @classmethod
    def attach(cls, host: str, port: int, reader: CrawlReader) -> MetricsServer:
        """The server on host:port, opened if no crawler of this process has it yet, now
        also serving `reader`'s crawler. OSError if the port cannot be bound; ValueError if
        the server already serves a crawler of the same story and spider (their series
        would have the same labels)."""
        with cls._lock:
            server = cls._listening.get((host, port))
            if server is None:
                server = cls._listening[host, port] = cls(host, port)
            elif any((r.story, r.spider) == (reader.story, reader.spider) for r in server._readers):
                raise ValueError(f"a crawler of story {reader.story!r} with spider {reader.spider!r} "
                                 "is served there already")
            server._readers = (*server._readers, reader)
            return server

    @classmethod
    def hold(cls, host: str, port: int) -> MetricsServer:
        """Open the server on host:port (if it is not) and keep it open, with or without
        crawlers, until `release`: a `storyarchive worker` waiting for crawls still answers
        /metrics (its probes and Prometheus see it alive). OSError if it cannot bind."""
        with cls._lock:
            server = cls._listening.get((host, port))
            if server is None:
                server = cls._listening[host, port] = cls(host, port)
            server._holds += 1
            return server

    def release(self) -> None:
        with self._lock:
            self._holds -= 1
        self.detach(None)

    def detach(self, reader: CrawlReader | None) -> None:
        """Stop serving `reader`'s crawler; the last one out closes the port."""
        with self._lock:
            remaining = tuple(r for r in self._readers if r is not reader)
            if remaining or self._holds:
                self._readers = remaining
                return
            # The last crawler stays served until the port is closed: a scrape answered
            # while the server shuts down (up to its 0.5 s poll) gets the final counts, not
            # an empty page, which Prometheus would read as every counter reset.
            del self._listening[self.address]
            self._httpd.shutdown()  # serve_forever returns within its 0.5 s poll
            self._httpd.server_close()  # the listening socket: the port is free again
            self._thread.join()

    def collect(self) -> Iterator[Metric]:
        """Called by prometheus-client on its server thread, once per scrape."""
        return iter(metric_families([r.read() for r in self._readers]))


def metrics_address(settings: BaseSettings) -> tuple[str, int] | None:
    """(host, port) from STORYARCHIVE_METRICS_HOST and STORYARCHIVE_METRICS_PORT, or None
    when the port is 0 (no metrics). ValueError, naming the setting, for a port that is not
    a port number or an empty host: a command can check this before it starts a crawl."""
    raw = settings.get("STORYARCHIVE_METRICS_PORT")
    try:
        port = settings.getint("STORYARCHIVE_METRICS_PORT")
    except ValueError:
        port = -1
    if not port:
        return None
    if not 0 < port < 65536:
        raise ValueError(f"STORYARCHIVE_METRICS_PORT must be a port number (1-65535), or 0 for "
                         f"no metrics; got {raw!r}")
    host = settings.get("STORYARCHIVE_METRICS_HOST")
    if not host:
        raise ValueError("STORYARCHIVE_METRICS_HOST is empty: set it to 127.0.0.1 (this machine "
                         "only) or to an address a Prometheus server can reach")
    return str(host), port


class MetricsExtension:
    def __init__(self, crawler: Crawler, host: str, port: int) -> None:
        self.crawler = crawler
        self.host = host
        self.port = port
        self.reader: CrawlReader | None = None
        self.server: MetricsServer | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        # Not spider_closed: the finish stage runs in a spider_closed handler.
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MetricsExtension:
        """NotConfigured when STORYARCHIVE_METRICS_PORT is 0; ValueError as metrics_address."""
        address = metrics_address(crawler.settings)
        if address is None:
            raise NotConfigured  # no message: Scrapy would log it as a warning on every crawl
        return cls(crawler, *address)

    def spider_opened(self, spider: Spider) -> None:
        self.reader = CrawlReader(self.crawler, spider)
        try:
            self.server = MetricsServer.attach(self.host, self.port, self.reader)
        except (OSError, ValueError) as exc:
            logger.error("metrics: cannot serve on %s:%d (%s); this crawl runs without metrics",
                         self.host, self.port, exc)
            return
        logger.info("metrics: serving http://%s:%d/metrics", self.host, self.port)

    def engine_stopped(self) -> None:
        server, self.server = self.server, None
        if server is not None and self.reader is not None:
            server.detach(self.reader)
