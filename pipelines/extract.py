"""ExtractPipeline: HTTP body -> `Extraction` (metadata + ordered blocks), in a process pool.

A thin Scrapy adapter around `storyarchive.extract`: settings are read once in
`from_crawler` (defaults in settings.py, "extraction"), the CPU work runs in an
`ExtractionPool` so the reactor never stalls, and nothing about one page can stop the
crawl: non-HTML bodies are skipped with a reason, extraction errors and worker crashes are
recorded on the item as `skipped_reason = "extraction-error: ..."`.

Stats: storyarchive/extract/ok, .../empty, .../skipped/<reason>, .../errors,
.../pool_restarts.

The spiders read each HTML page through `read` (one trip to a worker for its canonical
link, requisites and extraction: storyarchive.extract.reading) and `apply` the result to
the page's item, which then passes `process_item` without a body; any other item is
extracted by `process_item` from its body.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from storyarchive.extract import (
    ExtractOptions,
    NotHtmlError,
    PageReading,
    ReadOptions,
    extract_body,
    options_from_settings,
    read_page,
    skip_reason,
)
from storyarchive.extract.pool import ExtractionPool
from storyarchive.items import ArticleItem, Extraction

logger = logging.getLogger(__name__)

EMPTY_REASON = "no-main-text"


class ExtractPipeline:
    # The functions a worker runs; class attributes so tests can swap in failing ones.
    extract_function = staticmethod(extract_body)
    read_function = staticmethod(read_page)

    def __init__(self, crawler: Crawler, pool: ExtractionPool, options: ExtractOptions) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.pool = pool
        self.options = options

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        s = crawler.settings
        if not s.getbool("STORYARCHIVE_EXTRACT_ENABLED"):
            raise NotConfigured("STORYARCHIVE_EXTRACT_ENABLED is off")
        workers = s.getint("STORYARCHIVE_EXTRACT_WORKERS")
        if workers < 0:
            raise NotConfigured(f"STORYARCHIVE_EXTRACT_WORKERS must be >= 0, got {workers}")
        timeout = s.getfloat("STORYARCHIVE_EXTRACT_TIMEOUT") or None
        options = options_from_settings(s)
        start_method = s.get("STORYARCHIVE_EXTRACT_START_METHOD")
        return cls(crawler, ExtractionPool(workers, timeout, start_method), options)

    def open_spider(self) -> None:
        self.pool.start()

    def close_spider(self) -> None:
        self.pool.close()
        if self.pool.restarts:
            self.stats.set_value("storyarchive/extract/pool_restarts", self.pool.restarts)

    async def read(self, body: bytes, encoding: str | None, url: str, content_type: str,
                   options: ReadOptions) -> PageReading:
        """Read a fetched page in a worker, once, for everything the spider needs from it
        (storyarchive.extract.reading: canonical link, requisites, extraction with this
        pipeline's options when `options.extract` is set). The body crosses to the worker
        once, and the reactor parses nothing. A worker that crashes or hangs on the page
        gives a reading with only `extraction_error` (the page keeps its own URL as its
        canonical one and requests no requisites)."""
        try:
            return await self.pool.run(self.read_function, body, encoding, url, content_type, options)
        except Exception as exc:  # noqa: BLE001 - any failure is this page's, never the crawl's
            error = f"{type(exc).__name__}: {exc}"
            if options.extract is not None:  # `apply` records and logs it on the page's item
                return PageReading(extraction_error=error)
            logger.warning("reading %s failed: %s", url, error)
            return PageReading()

    def apply(self, item: ArticleItem, reading: PageReading) -> ArticleItem:
        """Put the extraction of a page the spider had read (`read`) on its item, counted
        as `process_item` counts it; the item leaves without its body (the WARC keeps it)."""
        item.body = None
        if reading.not_extracted is not None:
            return self._skip(item, reading.not_extracted)
        if reading.extraction_error is not None:
            return self._failed(item, reading.extraction_error)
        if reading.extraction is not None:
            self._extracted(item, reading.extraction)
        return item

    async def process_item(self, item: Any) -> Any:
        """Fill `item.extraction` (or `item.skipped_reason`) and drop `item.body`. An item
        whose page the spider had read (`apply`) comes without a body and passes."""
        if not isinstance(item, ArticleItem) or item.body is None or item.skipped_reason:
            return item
        body, item.body = item.body, None  # the WARC keeps it; the item stays small
        reason = skip_reason(item.content_type, body)
        if reason is not None:
            return self._skip(item, reason)
        try:
            extraction = await self.pool.run(
                self.extract_function, body, item.encoding, item.final_url, self.options,
                item.content_type or "text/html",
            )
        except NotHtmlError as exc:
            return self._skip(item, exc.reason)
        except Exception as exc:  # any failure is this page's, never the crawl's
            return self._failed(item, f"{type(exc).__name__}: {exc}")
        self._extracted(item, extraction)
        return item

    def _extracted(self, item: ArticleItem, extraction: Extraction) -> None:
        item.extraction = extraction
        if not extraction.blocks:
            item.skipped_reason = EMPTY_REASON
            self.stats.inc_value("storyarchive/extract/empty")
        else:
            self.stats.inc_value("storyarchive/extract/ok")

    def _failed(self, item: ArticleItem, error: str) -> ArticleItem:
        item.skipped_reason = f"extraction-error: {error}"
        self.stats.inc_value("storyarchive/extract/errors")
        logger.warning("extraction failed for %s: %s", item.final_url, item.skipped_reason)
        return item

    def _skip(self, item: ArticleItem, reason: str) -> ArticleItem:
        item.skipped_reason = reason
        family = reason.split(":", 1)[0]
        self.stats.inc_value(f"storyarchive/extract/skipped/{family}")
        logger.debug("not extracted (%s): %s", reason, item.final_url)
        return item
