"""ExtractPipeline: HTTP body -> `Extraction` (metadata + ordered blocks), in a process pool.

A thin Scrapy adapter around `storyarchive.extract`: settings are read once in
`from_crawler` (defaults in settings.py, "extraction"), the CPU work runs in an
`ExtractionPool` so the reactor never stalls, and nothing about one page can stop the
crawl: non-HTML bodies are skipped with a reason, extraction errors and worker crashes are
recorded on the item as `skipped_reason = "extraction-error: ..."`.

Stats: storyarchive/extract/ok, .../empty, .../skipped/<reason>, .../errors,
.../pool_restarts.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from storyarchive.extract import (
    ExtractOptions,
    NotHtmlError,
    extract_body,
    options_from_settings,
    skip_reason,
)
from storyarchive.extract.pool import ExtractionPool
from storyarchive.items import ArticleItem

logger = logging.getLogger(__name__)

EMPTY_REASON = "no-main-text"


class ExtractPipeline:
    # The function a worker runs; a class attribute so tests can swap in a failing one.
    extract_function = staticmethod(extract_body)

    def __init__(self, crawler: Crawler, pool: ExtractionPool, options: ExtractOptions) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.pool = pool
        self.options = options

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        s = crawler.settings
        if not s.getbool("STORYARCHIVE_EXTRACT_ENABLED", True):
            raise NotConfigured("STORYARCHIVE_EXTRACT_ENABLED is off")
        workers = s.getint("STORYARCHIVE_EXTRACT_WORKERS", 2)
        if workers < 0:
            raise NotConfigured(f"STORYARCHIVE_EXTRACT_WORKERS must be >= 0, got {workers}")
        timeout = s.getfloat("STORYARCHIVE_EXTRACT_TIMEOUT", 60.0) or None
        options = options_from_settings(s)
        start_method = s.get("STORYARCHIVE_EXTRACT_START_METHOD", "forkserver")
        return cls(crawler, ExtractionPool(workers, timeout, start_method), options)

    def open_spider(self) -> None:
        self.pool.start()

    def close_spider(self) -> None:
        self.pool.close()
        if self.pool.restarts:
            self.stats.set_value("storyarchive/extract/pool_restarts", self.pool.restarts)

    async def process_item(self, item: Any) -> Any:
        """Fill `item.extraction` (or `item.skipped_reason`) and drop `item.body`."""
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
            item.skipped_reason = f"extraction-error: {type(exc).__name__}: {exc}"
            self.stats.inc_value("storyarchive/extract/errors")
            logger.warning("extraction failed for %s: %s", item.final_url, item.skipped_reason)
            return item
        item.extraction = extraction
        if not extraction.blocks:
            item.skipped_reason = EMPTY_REASON
            self.stats.inc_value("storyarchive/extract/empty")
        else:
            self.stats.inc_value("storyarchive/extract/ok")
        return item

    def _skip(self, item: ArticleItem, reason: str) -> ArticleItem:
        item.skipped_reason = reason
        family = reason.split(":", 1)[0]
        self.stats.inc_value(f"storyarchive/extract/skipped/{family}")
        logger.debug("not extracted (%s): %s", reason, item.final_url)
        return item
