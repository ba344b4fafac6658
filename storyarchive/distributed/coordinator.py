"""`DistributedCrawl`: one worker's part in a crawl shared through Redis (a Scrapy extension,
on when STORYARCHIVE_REDIS_URL is set; see storyarchive/distributed/__init__.py).

On a timer it
- heartbeats (a key that expires after STORYARCHIVE_LEASE_TIMEOUT) and puts the leases of
  workers whose heartbeat expired back into the frontier;
- commits, every STORYARCHIVE_WORKER_COMMIT_INTERVAL seconds and whenever it is idle: closes
  its WARC file and waits until the store holds it, uploads the new part of its journal as
  a segment (`stories/<slug>/journal/<crawl_id>/<worker>-<seq>.jsonl.gz`), then acknowledges
  the leases of the requests whose handling is complete. A page whose lease is gone is in
  the store for good: its WARC records and its journal lines;
- when it is idle, the frontier is empty and no worker holds a lease (so nothing is left to
  fetch and nothing left to discover), takes the crawl's finish lock. The worker that gets
  it closes its spider "finished" and runs the finish stage over every worker's segments
  (`gather`); the others wait until it is done. A finisher that dies lets its lock expire
  and the next idle worker takes it.

Any Redis error stops this worker's crawl ("redis-error", exit status 1): nothing it
fetched after its last commit is acknowledged, so what it did not commit is fetched again
by whoever resumes (`storyarchive resume <slug> --redis ...`).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import task, threads

from storyarchive.distributed.frontier import _REQUEUE, REDIS_ERRORS
from storyarchive.distributed.keys import (
    CrawlKeys,
    CrawlRecord,
    last_key,
    registry_key,
)
from storyarchive.redis_connection import RedisParams, redacted, redis_client

logger = logging.getLogger(__name__)


# KEYS: frontier, workers. ARGV: the prefix of the lease hashes. -> {frontier size, leases}
_PENDING = """
local n = redis.call('ZCARD', KEYS[1])
local leased = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  leased = leased + redis.call('HLEN', ARGV[1] .. w)
end
return {n, leased}
"""

# KEYS: finisher lock. ARGV: worker, ms. Extends the lock only if this worker holds it.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

DONE_TTL = 7 * 24 * 3600  # seconds the "done" mark of a finished crawl is kept for late workers


def pending(r: redis.Redis, keys: CrawlKeys) -> tuple[int, int]:
    """(requests in the frontier, requests leased by any worker) of a crawl."""
    n, leased = r.eval(_PENDING, 2, keys.frontier, keys.workers, keys.leases(""))
    return int(n), int(leased)


def live_workers(r: redis.Redis, keys: CrawlKeys) -> list[str]:
    workers = sorted(w.decode() if isinstance(w, bytes) else w for w in r.smembers(keys.workers))
    return [w for w in workers if r.exists(keys.alive(w))]


def requeue_dead(r: redis.Redis, keys: CrawlKeys, me: str | None = None) -> int:
    """Give the leases of every worker of the crawl whose heartbeat expired back to the
    frontier; returns how many requests went back."""
    total = 0
    for raw in r.smembers(keys.workers):
        w = raw.decode() if isinstance(raw, bytes) else raw
        if w == me or r.exists(keys.alive(w)):
            continue
        n = int(r.eval(_REQUEUE, 2, keys.frontier, keys.leases(w)))
        r.srem(keys.workers, w)
        if n:
            logger.warning("worker %s stopped heartbeating: %d leased requests back in the frontier", w, n)
        total += n
    return total


class DistributedCrawl:
    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        url = s.get("STORYARCHIVE_REDIS_URL") or ""
        if not url or not s.get("STORYARCHIVE_REDIS_SCOPE"):
            # not set up by storyarchive.distributed.worker.distributed_settings (the
            # commands' --redis): a one-machine crawl
            raise NotConfigured
        self.crawler = crawler
        self.url = url
        self.redis = redis_client(url, RedisParams.from_settings(s))
        self.scope: str = s["STORYARCHIVE_REDIS_SCOPE"]
        self.worker: str = s["STORYARCHIVE_WORKER_ID"]
        self.lease_timeout = s.getfloat("STORYARCHIVE_LEASE_TIMEOUT")
        self.commit_interval = s.getfloat("STORYARCHIVE_WORKER_COMMIT_INTERVAL")
        self.keys: CrawlKeys | None = None
        self.slug = ""
        self.finisher = False  # this worker took the finish lock
        self.done_elsewhere: dict[str, Any] | None = None  # how another worker finished it
        self.error: str | None = None  # the Redis error that stopped this worker
        self.committed = 0  # journal bytes in the store
        self.seq = 0
        self._last_commit = time.monotonic()
        self._pushed: dict[str, int] = {}
        self._busy = False
        self.closing = False
        self._loop: task.LoopingCall | None = None
        self._renew: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedCrawl:
        return cls(crawler)

    # ------------------------------------------------------------------ life
    def spider_opened(self, spider: Any) -> None:
        self.keys = CrawlKeys(self.scope, spider.crawl_id)
        self.slug = spider.story_slug
        self._heartbeat()
        self.redis.sadd(self.keys.workers, self.worker)
        self._loop = task.LoopingCall(self._tick)
        self._loop.start(max(0.2, min(1.0, self.lease_timeout / 5)), now=False)

    def spider_idle(self) -> None:
        """Idle here is not the end: other workers may still discover requests."""
        if not self.closing:
            raise DontCloseSpider

    def engine_stopped(self) -> None:
        for loop in (self._loop, self._renew):
            if loop is not None and loop.running:
                loop.stop()
        if self.error is not None or self.keys is None:
            return  # Redis is gone: our leases come back when our heartbeat expires
        try:
            sched = self._scheduler()
            if sched is not None and sched.leased:
                n = sched.release()  # a clean stop: others take what we had not committed
                logger.warning("gave %d uncommitted requests back to the frontier", n)
            self.redis.srem(self.keys.workers, self.worker)
            self.redis.delete(self.keys.alive(self.worker))
        except REDIS_ERRORS as exc:
            logger.warning("could not leave the crawl cleanly (%s): leases return after %.0f s",
                           exc, self.lease_timeout)

    def _close(self, reason: str) -> None:
        if self.closing:
            return
        self.closing = True
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=reason))

    def fail(self, exc: Exception) -> None:
        """A Redis error: stop this worker's crawl, loudly, committing nothing more."""
        if self.error is None:
            self.error = f"Redis at {redacted(self.url)} failed: {type(exc).__name__}: {exc}"
            logger.error("%s; stopping this worker (`storyarchive resume %s --redis ...` goes on)",
                         self.error, self.slug)
            self.crawler.stats.set_value("storyarchive/finish/error", self.error)
        self._close("redis-error")

    # ------------------------------------------------------------------ timer
    def _tick(self) -> None:
        if self._busy or self.error is not None:
            return
        self._busy = True
        d = deferred_from_coro(self._tick_async())
        d.addBoth(self._tick_done)

    def _tick_done(self, result: Any) -> None:
        self._busy = False
        if hasattr(result, "value") and isinstance(result.value, REDIS_ERRORS):
            self.fail(result.value)
        elif hasattr(result, "getErrorMessage"):
            logger.error("distributed crawl: %s", result.getTraceback())

    async def _tick_async(self) -> None:
        assert self.keys is not None
        self._heartbeat()
        self._push_stats()
        if self.closing and not self.finisher:
            return
        if self.redis.exists(self.keys.done):  # another worker finished the crawl
            self._maybe_end()
            return
        requeue_dead(self.redis, self.keys, me=self.worker)
        if self.closing:
            return
        self._ask_frontier()
        idle = self._locally_idle()
        if idle or time.monotonic() - self._last_commit >= self.commit_interval:
            await self.commit()
        if idle and not self._scheduler_leases():
            self._maybe_end()

    def _ask_frontier(self) -> None:
        """Have the engine ask the shared frontier for requests now.

        Scrapy asks its scheduler again only when a request it sent ends, or on its 5 s
        heartbeat. A worker with nothing in flight (it joined while the frontier was empty,
        or drained it) would otherwise notice what other workers discover up to 5 s late:
        a crawl shorter than that could end without it, and the last pages of any crawl are
        left to the workers that happen to be busy. The engine's next call is scheduled
        once however often it is asked, and backs out when the downloader is full."""
        slot = self._slot()
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def _heartbeat(self) -> None:
        value = json.dumps({"host": os.uname().nodename, "pid": os.getpid(), "at": time.time()})
        assert self.keys is not None
        self.redis.set(self.keys.alive(self.worker), value, px=int(self.lease_timeout * 1000))
        if not self.closing:
            self.redis.sadd(self.keys.workers, self.worker)

    def _push_stats(self) -> None:
        """Add this worker's new pages and errors to the crawl's totals (`status`)."""
        assert self.keys is not None
        stats = self.crawler.stats.get_stats()
        now = {
            "pages": int(stats.get("response_received_count", 0)),
            "bytes": int(stats.get("downloader/response_bytes", 0)),
            "kept": int(stats.get("storyarchive/store/kept", 0)),
            "errors": sum(int(v) for k, v in stats.items() if k.startswith("storyarchive/errors/")),
        }
        pipe = self.redis.pipeline(transaction=False)
        for name, value in now.items():
            delta = value - self._pushed.get(name, 0)
            if delta:
                pipe.hincrby(self.keys.stats, name, delta)
        pipe.execute()
        self._pushed = now

    # ------------------------------------------------------------------ state
    def _slot(self) -> Any:
        """The engine's slot: its scheduler (ours, holding the leases) and the requests in
        progress (downloaded, parsed or with their item in the pipelines). Scrapy has no
        public way to either; None before the spider opens and after it closed."""
        engine = self.crawler.engine
        return getattr(engine, "_slot", None) if engine is not None else None

    def _scheduler(self) -> Any:
        slot = self._slot()
        return slot.scheduler if slot is not None else None

    def _scheduler_leases(self) -> int:
        sched = self._scheduler()
        return len(sched.leased) if sched is not None else 0

    def _inprogress(self) -> set[Any]:
        slot = self._slot()
        return slot.inprogress if slot is not None else set()

    def _locally_idle(self) -> bool:
        """No request of this worker is being downloaded, parsed or its item processed."""
        return not self._inprogress()

    # ------------------------------------------------------------------ commit
    async def commit(self) -> bool:
        """Make what this worker has handled durable in the store, then acknowledge those
        requests' leases. False if the store could not take it (the leases are kept and
        the next commit tries again)."""
        from pipelines.store import StorePipeline
        from storyarchive.layout import journal_segment_key
        from storyarchive.warc.middleware import WarcRecorderMiddleware

        sched = self._scheduler()
        pipeline = self.crawler.get_item_pipeline(StorePipeline)
        if sched is None or pipeline is None or pipeline.journal is None:
            return False
        inprogress = self._inprogress()
        done = [lease for lease, request in sched.leased.items() if request not in inprogress]
        journal = pipeline.journal
        # by its descriptor: the finisher removes the crawl's state directory on this machine
        # when it is done, and this worker may still be committing its last lines
        end = journal.size()  # whole lines: they are written on this thread
        if not done and end == self.committed:
            self._last_commit = time.monotonic()
            return True
        recorder = self.crawler.get_downloader_middleware(WarcRecorderMiddleware)
        if recorder is not None and not await recorder.checkpoint():
            logger.warning("the store did not take this worker's WARC file yet; its %d requests "
                           "stay leased until it does", len(done))
            return False
        if end > self.committed:
            key = journal_segment_key(self.slug, self.keys.crawl_id, self.worker, self.seq)  # type: ignore[union-attr]
            data = journal.read(self.committed, end)
            await maybe_deferred_to_future(threads.deferToThread(
                pipeline.store.put_bytes, key, gzip.compress(data, 6),
                content_type="application/gzip"))
            self.seq += 1
            self.committed = end
        sched.ack(done)
        self.crawler.stats.inc_value("storyarchive/distributed/committed", len(done))
        self._last_commit = time.monotonic()
        return True

    # ------------------------------------------------------------------ the end
    def _maybe_end(self) -> None:
        assert self.keys is not None
        done = self.redis.get(self.keys.done)
        if done is not None:
            self.done_elsewhere = json.loads(done)
            self._close("finished")
            return
        raw = self.redis.hget(registry_key(self.scope), self.slug)
        record = CrawlRecord.from_json(raw) if raw else None
        if record is None or record.crawl_id != self.keys.crawl_id:
            last = self.redis.get(last_key(self.scope, self.slug))
            self.done_elsewhere = json.loads(last) if last else {"status": "gone"}
            self._close("finished")
            return
        if not record.seeded:
            return  # the seeding process is still queueing the start requests
        frontier, leased = pending(self.redis, self.keys)
        if frontier or leased:
            return
        ms = int(self.lease_timeout * 1000)
        if self.redis.set(self.keys.finisher, self.worker, nx=True, px=ms):
            self.finisher = True
            self._renew = task.LoopingCall(self._renew_lock)
            self._renew.start(max(0.2, self.lease_timeout / 3), now=False)
            logger.info("crawl %s: nothing left to fetch; this worker runs the finish stage",
                        self.keys.crawl_id)
            self._close("finished")

    def _renew_lock(self) -> None:
        assert self.keys is not None
        try:
            self.redis.eval(_RENEW, 1, self.keys.finisher, self.worker, int(self.lease_timeout * 1000))
        except REDIS_ERRORS as exc:
            logger.warning("could not renew the finish lock: %s", exc)

    def gather(self, store: Any, target: Path) -> int:
        assert self.keys is not None
        return gather_segments(store, self.slug, self.keys.crawl_id, target, self.worker)

    def mark_done(self, status: str, manifest: str | None, documents: int, error: str | None = None) -> None:
        assert self.keys is not None
        mark_done(self.redis, self.scope, self.keys, self.slug, self.worker, status, manifest,
                  documents, error)
        renew = self._renew
        if renew is not None:
            from twisted.internet import reactor

            def stop_renewing() -> None:
                if renew.running:
                    renew.stop()

            reactor.callFromThread(stop_renewing)  # type: ignore[attr-defined]


def gather_segments(store: Any, slug: str, crawl_id: str, target: Path, by: str) -> int:
    """Write every worker's committed journal segments of a crawl, in key order, into the
    journal `target` the finish stage reads, ending with the "end" event that says fetching
    completed. Returns the number of segments."""
    from storyarchive.layout import journal_segment_prefix

    keys = sorted(store.list_keys(journal_segment_prefix(slug, crawl_id)))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "wb") as out:
        for key in keys:
            out.write(gzip.decompress(store.get_bytes(key)))
        end = {"t": "end", "reason": "finished", "worker": by,
               "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        out.write(json.dumps(end).encode() + b"\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)
    return len(keys)


def mark_done(r: redis.Redis, scope: str, keys: CrawlKeys, slug: str, by: str, status: str,
              manifest: str | None, documents: int, error: str | None = None) -> None:
    """Tell the workers (and `status`) how a crawl's finish stage ended; on success, take
    the crawl out of the registry and drop its frontier, fingerprints and counters."""
    record = {"crawl_id": keys.crawl_id, "status": status, "manifest": manifest,
              "documents": documents, "error": error, "by": by,
              "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    raw = json.dumps(record)
    pipe = r.pipeline()
    pipe.set(last_key(scope, slug), raw)
    if status == "finished":
        pipe.set(keys.done, raw, ex=DONE_TTL)
        pipe.delete(*keys.all_fixed())
        pipe.execute()
        current = r.hget(registry_key(scope), slug)
        if current and CrawlRecord.from_json(current).crawl_id == keys.crawl_id:
            r.hdel(registry_key(scope), slug)
    else:
        pipe.delete(keys.finisher)  # another worker, or `finish`, may try again
        pipe.execute()

