"""`WarcRecorderMiddleware`: the Scrapy adapter of the WARC recorder.

A downloader middleware placed next to the downloader (order 950, after HttpCompression
590 / Redirect 600 / Retry 550 in process_response terms), so it sees every response as
received: still content-encoded, every 3xx, every retried failure, robots.txt. It records
nothing for responses flagged "cached" (HTTP cache hits) or for requests that never passed
through its process_request (responses made up by other middlewares).

Writing, compressing, digesting and delivering run on one dedicated thread; process_response
awaits the result so `response.meta["storyarchive_warc"]` (a WarcRef) is set before the
response reaches the spider.

Flags for the spider: a body cut at STORYARCHIVE_MAX_BODY_BYTES arrives with
`response.flags` containing "download_stopped" and `response.meta["storyarchive_truncated"]
== "length"`; a connection lost before the declared length with "dataloss" and
"disconnect". Such responses must not be extracted.
"""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, task, threads
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from storyarchive.layout import check_slug, check_warc_prefix, warc_key
from storyarchive.redis_connection import RedisParams
from storyarchive.store import store_from_crawler
from storyarchive.store.base import StoreError
from storyarchive.store.spool import spool_dir, spool_path, state_dir
from storyarchive.useragent import user_agent_from_settings
from storyarchive.warc.handler import RAW_HEAD_HEADER, decode_head
from storyarchive.warc.records import HttpExchange
from storyarchive.warc.recover import recover_spool
from storyarchive.warc.revisits import DigestIndex, check_digest_index_setting, open_digest_index
from storyarchive.warc.writer import (
    RotatingWarcWriter,
    WarcWriteError,
    WriterConfig,
    check_gzip_level,
    deliver_closed,
)

logger = logging.getLogger(__name__)

META_REF = "storyarchive_warc"
META_TRUNCATED = "storyarchive_truncated"
# Scrapy's finish reason of a crawl stopped because what it fetched could not be archived.
WRITE_ERROR_REASON = "warc-write-error"
_META_STAMP = "_storyarchive_warc_stamp"  # (id(request), datetime) set in process_request


def exchange_from(
    request: Request, response: Response, when: datetime, truncated: str | None
) -> HttpExchange:
    """The HttpExchange of a Scrapy request/response pair (no body copied)."""
    req_headers = [(k, v) for k, vs in request.headers.items() for v in vs]
    raw = response.headers.pop(RAW_HEAD_HEADER, None)  # never let it reach the spider
    resp_headers = [(k, v) for k, vs in response.headers.items() for v in vs]
    return HttpExchange(
        url=request.url,
        method=request.method,
        request_headers=req_headers,
        request_body=request.body,
        status=response.status,
        protocol=response.protocol or "HTTP/1.1",
        response_headers=resp_headers,
        body=response.body,
        date=when,
        ip_address=str(response.ip_address) if response.ip_address else None,
        truncated=truncated,
        raw_response_head=decode_head(raw),
    )


class WarcRecorderMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        if not s.getbool("STORYARCHIVE_WARC_ENABLED"):
            raise NotConfigured("STORYARCHIVE_WARC_ENABLED is off")
        self.crawler = crawler
        self.stats = crawler.stats
        self.prefix = check_warc_prefix(s.get("STORYARCHIVE_WARC_PREFIX"))
        self.max_bytes = s.getint("STORYARCHIVE_WARC_MAX_BYTES")
        self.max_age = s.getfloat("STORYARCHIVE_WARC_MAX_AGE")
        self.operator = s.get("STORYARCHIVE_WARC_OPERATOR")
        self.gzip_level = check_gzip_level(s.getint("STORYARCHIVE_WARC_GZIP_LEVEL"))  # at start-up
        self.revisits = s.getbool("STORYARCHIVE_WARC_REVISITS")
        self.revisit_min_bytes = s.getint("STORYARCHIVE_WARC_REVISIT_MIN_BYTES")
        self.digest_index = s.get("STORYARCHIVE_WARC_DIGEST_INDEX")
        self.user_agent = user_agent_from_settings(s)
        # an on-demand capture may ignore robots.txt (capture --ignore-robots): say so
        self.robots = "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore"
        check_digest_index_setting(self.digest_index)  # fail at start-up, not mid-crawl
        self.redis_params = RedisParams.from_settings(s)
        self.writer: RotatingWarcWriter | None = None
        self._pool = ThreadPool(minthreads=1, maxthreads=1, name="storyarchive-warc")
        self._timer: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorderMiddleware:
        return cls(crawler)

    def _in_thread(self, fn: Any, *args: Any) -> Any:
        return maybe_deferred_to_future(threads.deferToThreadPool(reactor, self._pool, fn, *args))

    async def spider_opened(self, spider: Spider) -> None:
        slug = check_slug(getattr(spider, "story_slug", None) or spider.name)
        crawl_id = str(getattr(spider, "crawl_id", "") or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
        store = store_from_crawler(self.crawler)  # the crawl's store, with its S3 options
        config = WriterConfig(
            slug=slug,
            crawl_id=crawl_id,
            prefix=self.prefix,
            max_bytes=self.max_bytes,
            max_age=self.max_age,
            operator=self.operator,
            gzip_level=self.gzip_level,
            revisits=self.revisits,
            revisit_min_bytes=self.revisit_min_bytes,
            user_agent=self.user_agent,
            robots=self.robots,
            # a distributed worker's id names its WARC files, so workers never collide
            host=self.crawler.settings.get("STORYARCHIVE_WORKER_ID") or socket.gethostname(),
        )
        self._pool.start()
        index = None
        if self.revisits:
            index = await self._open_digest_index(store, slug)
        self.writer = RotatingWarcWriter(store, config, index)
        logger.info("WARC recorder: story %s, spool %s", slug, spool_dir(store))
        recovered = await self._in_thread(recover_spool, store, slug)
        for rep in recovered:
            self.stats.inc_value("storyarchive/warc/recovered_files")
            logger.warning("recovered %s", rep.summary())
        self._timer = task.LoopingCall(self._rotate_tick)
        self._timer.start(max(1.0, min(60.0, self.max_age / 4)), now=False)

    async def _open_digest_index(self, store: Any, slug: str) -> DigestIndex | None:
        """The story's digest index, scoped to the store's identity wherever it lives
        outside the store (Redis; the local state of a remote store, which a bucket emptied
        and made again under the same name must not inherit): an index never names an
        original that is not in this store. None (revisits only within this run) if the
        store's identity cannot be read."""
        from storyarchive.store.identity import store_id

        shared = check_digest_index_setting(self.digest_index) == "redis"
        ident = None
        if shared or getattr(store, "root", None) is None:
            try:
                ident = await self._in_thread(store_id, store)
            except StoreError as exc:
                logger.warning("no revisits of earlier crawls: cannot read the identity of %s: %s",
                               store.uri, exc)
                return None
        scope = "storyarchive"
        if shared and ident is not None:
            from storyarchive.distributed.keys import scope_for

            scope = scope_for(ident)
        return open_digest_index(self.digest_index, state_dir(store), slug, self.redis_params, scope,
                                 store_ident=None if shared else ident)

    def _rotate_tick(self) -> None:
        if self.writer is not None:
            threads.deferToThreadPool(reactor, self._pool, self.writer.rotate_if_due).addErrback(
                self._rotation_failed)

    def _rotation_failed(self, failure: Failure) -> None:
        if failure.check(WarcWriteError) and failure.value is not None:
            self._write_failed(failure.value)
        else:
            logger.error("WARC rotation failed: %s", failure.getErrorMessage())

    def _write_failed(self, exc: BaseException) -> None:
        """What was fetched can no longer be archived (a full disk): stop the crawl, once.
        It ends `interrupted` (exit status 1, `storyarchive resume` goes on); the exchanges
        that were not archived are queued again, so a resume fetches them."""
        self.stats.inc_value("storyarchive/warc/write_errors")
        if self.stats.get_value("storyarchive/warc/error") is not None:
            return
        self.stats.set_value("storyarchive/warc/error", str(exc))
        # what the crawl's summary says about why it stopped (storyarchive.runner)
        self.stats.set_value("storyarchive/finish/error", str(exc))
        logger.error("%s; stopping the crawl", exc)
        if self.crawler.engine is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason=WRITE_ERROR_REASON))

    async def checkpoint(self) -> bool:
        """Close the open WARC file and wait until the store holds every closed file (a
        distributed worker's commit: storyarchive.distributed). False if one waits in the
        spool because the store could not take it."""
        writer = self.writer
        if writer is None:
            return True

        def close_and_deliver() -> bool:
            writer.close_file()
            writer.wait_delivered()
            slug = writer.config.slug
            for closed in writer.closed:  # one the store refused before: try it again
                if not closed.delivered:
                    path = spool_path(writer.store, warc_key(slug, closed.filename))
                    closed.delivered = deliver_closed(writer.store, slug, path)
            return all(c.delivered for c in writer.closed)

        try:
            return bool(await self._in_thread(close_and_deliver))
        except WarcWriteError as exc:  # the file waits `.open` in the spool; nothing is committed
            self._write_failed(exc)
            return False

    async def spider_closed(self, spider: Spider) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        if self.writer is None:
            return
        writer, self.writer = self.writer, None
        try:
            closed = await self._in_thread(writer.close)
        finally:
            self._pool.stop()
        if writer.failures:
            # a file that could not be closed waits `.open` in the spool: the crawl must not
            # end as if everything was delivered (storyarchive.closing)
            from storyarchive.closing import record_close_failure

            self.stats.set_value("storyarchive/warc/error", writer.failures[0])
            if not self.stats.get_value("storyarchive/warc/write_errors"):
                record_close_failure(self.stats, writer.failures[-1])
        st = writer.stats
        for key, value in (
            ("records", st.records),
            ("responses", st.responses),
            ("revisits", st.revisits),
            ("bytes", st.bytes),
            ("files", st.files_closed),
        ):
            self.stats.set_value(f"storyarchive/warc/{key}", value)
        undelivered = [c.filename for c in closed if not c.delivered]
        if undelivered:
            logger.warning("WARC files left in the spool (run `storyarchive store sync`): %s", undelivered)

    def process_request(self, request: Request) -> None:
        request.meta[_META_STAMP] = (id(request), datetime.now(UTC))
        return None

    async def process_response(self, request: Request, response: Response) -> Response | Request:
        stamp = request.meta.get(_META_STAMP)
        if "cached" in response.flags or stamp is None or stamp[0] != id(request) or self.writer is None:
            response.headers.pop(RAW_HEAD_HEADER, None)
            self.stats.inc_value("storyarchive/warc/not_recorded")
            return response
        truncated = None
        if "download_stopped" in response.flags:
            truncated = request.meta.get(META_TRUNCATED) or "unspecified"
        elif "dataloss" in response.flags:
            truncated = "disconnect"
            request.meta[META_TRUNCATED] = truncated
        ex = exchange_from(request, response, stamp[1], truncated)
        try:
            ref = await self._in_thread(self.writer.write_exchange, ex)
        except WarcWriteError as exc:
            self._write_failed(exc)
            self.stats.inc_value("storyarchive/warc/not_archived")
            # not archived, so not handed on: queued again (JOBDIR keeps it for the resume)
            return request.replace(dont_filter=True)
        request.meta[META_REF] = ref
        self.stats.inc_value(f"storyarchive/warc/{ref.record_type}")
        if truncated:
            self.stats.inc_value(f"storyarchive/warc/truncated/{truncated}")
        return response
