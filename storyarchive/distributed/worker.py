"""Running crawls as a worker of the shared frontier: `storyarchive worker`, and
`storyarchive crawl/capture/resume --redis`, which seed (or join) one crawl and take part in
it until it is finished.

A worker process polls the registry of running crawls (`<scope>:crawls`) and runs a Scrapy
crawler for each (up to STORYARCHIVE_WORKER_MAX_CRAWLS at once), with the spider, story and
settings the crawl was started with, so every machine runs the same code on the same
input. One reactor, one CrawlerProcess: SIGTERM or Ctrl-C stops every crawler cleanly
(leases not yet committed go back to the frontier).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy.settings import Settings

from storyarchive.distributed.keys import CrawlRecord, new_worker_id, registry_key, scope_for

logger = logging.getLogger(__name__)

SCHEDULER = "storyarchive.distributed.frontier.LeasingScheduler"
# Seconds before a worker joins again a crawl its part in which ended (a finish stage that
# failed stays registered: retrying it at once, in a loop, would only fail again).
REJOIN_AFTER = 60.0


class CrawlRunning(Exception):
    """A crawl of the story is running already and a fresh one was asked for."""


def distributed_settings(settings: Settings, redis_url: str) -> Settings:
    """`settings` for a process of a distributed crawl: the shared frontier on `redis_url`,
    the shared dedup and digest indexes there too (unless set otherwise), this process's
    worker id and the store's Redis scope. Raises StoreError if the store cannot be read."""
    from storyarchive.store import store_from_settings
    from storyarchive.store.identity import store_id

    settings.set("STORYARCHIVE_REDIS_URL", redis_url, priority="cmdline")
    for name in ("STORYARCHIVE_DEDUP_REDIS_URL", "STORYARCHIVE_WARC_DIGEST_INDEX"):
        if not settings.get(name):
            settings.set(name, redis_url, priority="cmdline")
    settings.set("SCHEDULER", SCHEDULER, priority="cmdline")
    if not settings.get("STORYARCHIVE_WORKER_ID"):
        settings.set("STORYARCHIVE_WORKER_ID", new_worker_id(), priority="cmdline")
    store = store_from_settings(settings)
    try:
        settings.set("STORYARCHIVE_REDIS_SCOPE", scope_for(store_id(store)), priority="cmdline")
    finally:
        store.close()
    return settings


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def register_crawl(r: Any, scope: str, record: CrawlRecord, *, fresh: bool) -> tuple[CrawlRecord, bool]:
    """Put `record` into the registry, or return the story's running crawl to join:
    (the crawl, whether it was running already). CrawlRunning if `fresh` and one runs."""
    key = registry_key(scope)
    if r.hsetnx(key, record.slug, record.to_json()):
        return record, False
    running = CrawlRecord.from_json(r.hget(key, record.slug))
    if fresh:
        raise CrawlRunning(
            f"crawl {running.crawl_id} of {record.slug!r} is running (started {running.created}); "
            "join it (leave out --fresh) or wait until it is finished")
    return running, True


def running_crawls(r: Any, scope: str) -> list[CrawlRecord]:
    return sorted((CrawlRecord.from_json(v) for v in r.hgetall(registry_key(scope)).values()),
                  key=lambda rec: rec.created)


def spider_kwargs(record: CrawlRecord) -> dict[str, Any]:
    """The spider arguments of a registered crawl (the story travels as its text)."""
    from storyarchive.story import parse_story

    kwargs: dict[str, Any] = {"crawl_id": record.crawl_id}
    if record.spider == "story":
        kwargs["story"] = parse_story(record.kwargs["story_text"], f"{record.slug}.toml")
    else:
        kwargs["urls"] = list(record.kwargs["urls"])
        text = record.kwargs.get("story_text")
        kwargs["story"] = parse_story(text, f"{record.slug}.toml") if text else record.slug
    return kwargs


def crawl_settings(settings: Settings, record: CrawlRecord, seed: bool) -> Settings:
    """The process settings with the crawl's own --set values (never its store or Redis:
    those are the worker's) and whether this process seeds it."""
    from storyarchive.runner import parse_overrides

    out = settings.copy()
    for name, value in parse_overrides(record.settings).items():
        if name not in ("STORYARCHIVE_STORE", "STORYARCHIVE_REDIS_URL", "STORYARCHIVE_WORKER_ID"):
            out.set(name, value, priority="cmdline")
    out.set("STORYARCHIVE_WORKER_SEED", seed, priority="cmdline")
    return out


@dataclass
class WorkerRun:
    """What one worker process did: a CrawlResult per crawl it took part in."""

    results: list[Any] = field(default_factory=list)  # storyarchive.runner.CrawlResult


def run_worker(settings: Settings, *, only: CrawlRecord | None = None, seed: bool = False,
               exit_when_idle: float | None = None, poll: float = 1.0,
               on_result: Callable[[Any, CrawlRecord], None] | None = None) -> WorkerRun:
    """Work on the registry's crawls until stopped (SIGTERM, Ctrl-C); with `only`, on that
    crawl alone until it is done (seeding it if `seed`); with `exit_when_idle`, until no
    crawl has run here for that many seconds. Blocking."""
    import time

    from scrapy.crawler import Crawler, CrawlerProcess

    from storyarchive.redis_connection import RedisParams, redis_client
    from storyarchive.runner import crawl_result

    r = redis_client(settings.get("STORYARCHIVE_REDIS_URL"), RedisParams.from_settings(settings))
    scope = settings.get("STORYARCHIVE_REDIS_SCOPE")
    limit = max(1, settings.getint("STORYARCHIVE_WORKER_MAX_CRAWLS"))
    from scrapy.utils.reactor import install_reactor

    process = CrawlerProcess(settings)
    # Each crawl gets its own settings (Crawler(...), not process.create_crawler), so the
    # reactor the settings ask for is installed here, once, before anything imports one.
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import reactor, task

    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    run = WorkerRun()
    active: dict[str, Any] = {}
    state: dict[str, Any] = {"stopping": False, "started_any": False, "idle_since": time.monotonic()}

    def stop() -> None:
        if not state["stopping"]:
            state["stopping"] = True
            from twisted.internet.error import ReactorNotRunning

            try:
                reactor.stop()  # type: ignore[attr-defined,misc]
            except ReactorNotRunning:  # a signal stopped it already
                pass

    left: dict[str, float] = {}  # crawl id -> when this worker's part in it ended

    def ended(outcome: Any, crawler: Any, record: CrawlRecord) -> None:
        active.pop(record.crawl_id, None)
        left[record.crawl_id] = time.monotonic()
        if hasattr(outcome, "getTraceback"):  # the crawler could not run
            logger.error("crawl %s could not run: %s", record.crawl_id, outcome.getTraceback())
            crawler.stats.set_value("storyarchive/finish/error", outcome.getErrorMessage())
        result = crawl_result(crawler, settings)
        run.results.append(result)
        if on_result is not None:
            on_result(result, record)
        if only is not None:
            stop()

    def start(record: CrawlRecord, seeding: bool) -> None:
        spidercls = process.spider_loader.load(record.spider)
        crawler = Crawler(spidercls, crawl_settings(settings, record, seeding))
        active[record.crawl_id] = crawler
        state["started_any"] = True
        d = process.crawl(crawler, **spider_kwargs(record))
        d.addBoth(ended, crawler, record)

    def tick() -> None:
        if state["stopping"] or getattr(process, "_stopping", False):
            return
        try:
            records = [only] if only is not None else running_crawls(r, scope)
        except Exception as exc:  # noqa: BLE001 - say it and go on polling (counts as idle)
            logger.error("cannot read the running crawls from Redis: %s", exc)
            records = []
        for record in records:
            if record.crawl_id in active or len(active) >= limit:
                continue
            if time.monotonic() - left.get(record.crawl_id, -REJOIN_AFTER) < REJOIN_AFTER:
                continue  # it just ended here (its finish failed, or is being marked done)
            if only is not None and state["started_any"]:
                continue
            start(record, seed and record is only)
        if active:
            state["idle_since"] = time.monotonic()
        elif exit_when_idle is not None and only is None:
            if time.monotonic() - state["idle_since"] >= exit_when_idle:
                stop()

    loop = task.LoopingCall(tick)
    reactor.callWhenRunning(loop.start, poll)  # type: ignore[attr-defined]
    held = _hold_metrics(settings) if only is None else None
    try:
        process.start(stop_after_crawl=False)
    finally:
        if held is not None:
            held.release()
    return run


def _hold_metrics(settings: Settings) -> Any:
    """A worker with --metrics-port answers /metrics between crawls too."""
    from storyarchive.metrics import MetricsServer, metrics_address

    address = metrics_address(settings)
    if address is None:
        return None
    try:
        return MetricsServer.hold(*address)
    except OSError as exc:
        logger.error("metrics: cannot serve on %s:%d (%s)", *address, exc)
        return None
