"""StorePipeline: every page's result goes into the crawl journal as it is handled; when
fetching is done the finish stage (storyarchive.finish) makes the documents.

A thin adapter. `process_item` journals a kept page (its extraction, relevance, WARC
pointer: `storyarchive.document.page_record`) or the reason it is not stored; the spider's
discovery facts and the downloader's archived exchanges are journaled through `record`.
Nothing about a page stays in memory once it is journaled, so memory does not grow with the
crawl, and a killed crawl keeps every page it handled (`storyarchive resume` / `finish`).

When the spider closes because there is nothing left to fetch (or a CLOSESPIDER_* limit
was reached), the finish stage runs in a thread (the progress line keeps moving): dedup in
doc-id order, documents, manifest. Any other close (Ctrl-C, SIGTERM) leaves the crawl
resumable. The outcome is in the stats: storyarchive/finish/status = finished | failed |
interrupted, and storyarchive/finish/error.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor, threads

from storyarchive.distributed.coordinator import REDIS_ERRORS, DistributedCrawl
from storyarchive.document import page_record
from storyarchive.finish import FinishError, FinishOptions, FinishReport, finish_crawl, options_from_settings
from storyarchive.items import ArticleItem
from storyarchive.journal import (
    JOURNAL,
    CrawlJournal,
    JournalError,
    ResumeView,
    crawl_dir,
    fetch_complete,
    resume_view,
)
from storyarchive.manifests import check_crawl_id_unused
from storyarchive.store import store_from_crawler
from storyarchive.store.base import ArchiveStore, StoreError

logger = logging.getLogger(__name__)


class _NotStored(DropItem):
    """Dropped here because it is not an article (already journaled as skipped)."""


class StorePipeline:
    def __init__(self, crawler: Crawler, store: ArchiveStore, fsync_interval: float) -> None:
        self.crawler = crawler
        self.store = store
        self.fsync_interval = fsync_interval
        self.journal: CrawlJournal | None = None
        self.crawl_id = ""
        self.slug = ""
        self.started = time.monotonic()
        self.resume = ResumeView({}, set(), set())  # what an earlier run of this crawl did
        self.report: FinishReport | None = None  # set when the finish stage completed
        self.coordinator: DistributedCrawl | None = None  # a distributed crawl's worker part
        self._journal_path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        s = crawler.settings
        options_from_settings(s)  # a bad dedup or finish setting fails now, not after fetching
        pipeline = cls(crawler, store_from_crawler(crawler),
                       s.getfloat("STORYARCHIVE_JOURNAL_FSYNC_INTERVAL"))
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # ---------------------------------------------------------------- journal
    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.slug = spider.story_slug  # type: ignore[union-attr]
        self.crawl_id = spider.crawl_id  # type: ignore[union-attr]
        path = crawl_dir(self.store, self.slug, self.crawl_id) / JOURNAL
        self.coordinator = self.crawler.get_extension(DistributedCrawl)
        if self.coordinator is None:
            # a crawl id used twice (scrapy crawl -a crawl_id=...) fails now, not at its end
            # (a distributed crawl's workers all run one id: its finish lock decides)
            try:
                check_crawl_id_unused(self.store, self.slug, self.crawl_id)
            except StoreError as exc:  # unreachable now: its end says so if it is taken
                logger.warning("cannot check that crawl id %s is new: %s", self.crawl_id, exc)
        if self.coordinator is not None:
            # one journal per worker; its committed parts go to the store (segments), and
            # the finish stage reads them all (storyarchive.distributed)
            path = path.parent / "workers" / self.coordinator.worker / JOURNAL
        elif path.exists():  # this crawl ran before: resume it
            self.resume = resume_view(path)
            logger.info("resuming crawl %s of %s: %d exchanges archived, %d pages handled",
                        self.crawl_id, self.slug, len(self.resume.fetched), len(self.resume.handled))
        self._journal_path = path
        self.journal = CrawlJournal(path, self.fsync_interval)
        story = getattr(spider, "story", None)
        self.started = time.monotonic()
        worker = {"worker": self.coordinator.worker} if self.coordinator is not None else {}
        self.record("run", spider=getattr(spider, "name", None), pid=os.getpid(), **worker,
                    started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    wire_sites=sorted(getattr(story, "wire_sites", ()) or ()))

    def record(self, kind: str, **fields: Any) -> None:
        """Journal one event (see storyarchive.journal). A journal that cannot be written
        stops the crawl: what it fetches from then on could not be finished."""
        if self.journal is None:
            return
        try:
            self.journal.append(kind, **fields)
        except JournalError as exc:
            logger.error("%s; stopping the crawl", exc)
            self.crawler.stats.set_value("storyarchive/finish/error", str(exc))
            self.journal = None
            if self.crawler.engine is not None:
                from scrapy.utils.defer import deferred_from_coro

                deferred_from_coro(self.crawler.engine.close_spider_async(reason="journal-error"))

    def item_dropped(self, item: Any, response: Any, exception: Exception) -> None:
        """Pages other pipelines rejected (off-topic, out of window) go into the manifest."""
        if isinstance(item, ArticleItem) and not isinstance(exception, _NotStored):
            self.record("skip", url=item.url, status=item.status, reason=str(exception),
                        warc=_warc_dict(item))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.skipped_reason or item.extraction is None:
            reason = item.skipped_reason or "no-extraction"
            self.record("skip", url=item.url, status=item.status, reason=reason, warc=_warc_dict(item))
            self.crawler.stats.inc_value(f"storyarchive/skipped/{reason.split(':')[0]}")
            raise _NotStored(f"not stored as an article ({reason}): {item.url}", log_level="DEBUG")
        self.record("page", page=page_record(item, crawl_id=self.crawl_id))
        self.crawler.stats.inc_value("storyarchive/store/kept")
        item.extraction = None  # journaled: nothing of the page stays in memory
        return item

    # ---------------------------------------------------------------- end of the crawl
    async def spider_closed(self, reason: str) -> None:
        stats = self.crawler.stats
        if self.journal is not None:
            self.record("end", reason=reason, at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                        seconds=round(time.monotonic() - self.started, 3),
                        stats={k: v for k, v in stats.get_stats().items()
                               if isinstance(v, int | float | str) and not k.startswith("log_count")})
            try:
                if self.journal is not None:
                    self.journal.close()
            except OSError as exc:
                stats.set_value("storyarchive/finish/error", f"cannot sync the journal: {exc}")
                reason = "journal-error"
            self.journal = None
        else:
            reason = "journal-error"
        coordinator = self.coordinator
        if coordinator is not None and fetch_complete(reason) and not coordinator.finisher:
            done = coordinator.done_elsewhere or {}
            stats.set_value("storyarchive/finish/status", "finished")
            stats.set_value("storyarchive/finish/by", str(done.get("by") or "another worker"))
            stats.set_value("storyarchive/finish/documents", int(done.get("documents") or 0))
            if self._journal_path is not None and not self.crawler.settings.getbool(
                    "STORYARCHIVE_JOURNAL_KEEP"):
                # its committed part is in the store: this worker's journal has served
                import shutil

                shutil.rmtree(self._journal_path.parent, ignore_errors=True)
            return  # another worker ran the finish stage
        if not fetch_complete(reason):
            stats.set_value("storyarchive/finish/status", "interrupted")
            logger.warning("crawl %s of %s stopped (%s) before it was done; "
                           "`storyarchive resume %s` goes on from here", self.crawl_id, self.slug,
                           reason, self.slug)
            return
        try:
            options = options_from_settings(self.crawler.settings)
        except ValueError as exc:
            self._failed(str(exc))
            return
        try:
            await maybe_deferred_to_future(threads.deferToThread(self._finish, options))
        except Exception as exc:  # noqa: BLE001 - whatever it is, the crawl must say so
            self._failed(f"{type(exc).__name__}: {exc}")

    def _finish(self, options: FinishOptions) -> None:
        from storyarchive.progress import CrawlProgress

        progress = self.crawler.get_extension(CrawlProgress)

        def tick(done: int, total: int) -> None:
            if progress is not None:
                reactor.callFromThread(progress.finishing, done, total)  # type: ignore[attr-defined]

        _return_free_memory()
        coordinator = self.coordinator
        try:
            if coordinator is not None:
                self._gather(coordinator)
            self.report = finish_crawl(self.store, self.slug, self.crawl_id, options, progress=tick)
        except (FinishError, JournalError, StoreError, OSError) as exc:
            if coordinator is not None:
                try:  # let another worker, or `finish --redis`, take the crawl's finish
                    coordinator.mark_done("failed", None, 0, str(exc))
                except REDIS_ERRORS as redis_exc:
                    logger.warning("could not tell the other workers: %s", redis_exc)
            reactor.callFromThread(self._failed, str(exc))  # type: ignore[attr-defined]
            return
        if coordinator is not None:
            coordinator.mark_done("finished", self.report.manifest_key, len(self.report.documents))
        stats = self.crawler.stats
        stats.set_value("storyarchive/finish/status", "finished")
        stats.set_value("storyarchive/store/documents_written",
                        sum(1 for d in self.report.documents if d["written"]))
        dedup = self.report.dedup or {}
        for relation, n in (dedup.get("relations") or {}).items():
            stats.set_value(f"storyarchive/dedup/{relation}", n)
        if dedup:
            stats.set_value("storyarchive/dedup/clusters", len(dedup.get("clusters") or []))
        logger.info("finish: %d documents in %.2f s", len(self.report.documents), self.report.seconds)

    def _gather(self, coordinator: DistributedCrawl) -> None:
        """The finisher of a distributed crawl: recover what dead workers left open in the
        spool here, then put every worker's committed journal into the crawl's journal."""
        from storyarchive.warc.recover import recover_spool

        for rep in recover_spool(self.store, self.slug):
            logger.warning("recovered %s", rep.summary())
        n = coordinator.gather(self.store, crawl_dir(self.store, self.slug, self.crawl_id) / JOURNAL)
        logger.info("finish: %d journal segments of crawl %s", n, self.crawl_id)

    def _failed(self, message: str) -> None:
        self.crawler.stats.set_value("storyarchive/finish/status", "failed")
        self.crawler.stats.set_value("storyarchive/finish/error", message)
        logger.error("the finish stage of crawl %s failed: %s; every page is journaled: "
                     "`storyarchive finish %s` completes it without fetching", self.crawl_id,
                     message, self.slug)


def _return_free_memory() -> None:
    """Give the memory the fetch phase freed back to the system before the finish stage
    allocates its own: glibc keeps freed heap for reuse, and the finish stage's objects are
    of other sizes, so without this the two phases' peaks add up."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _warc_dict(item: ArticleItem) -> dict[str, Any] | None:
    if item.warc is None:
        return None
    w = item.warc
    return {"filename": w.filename, "offset": w.offset, "length": w.length, "record_id": w.record_id}
