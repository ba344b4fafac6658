"""Close failures: what went wrong while a crawl was being closed, so the run can say so and
exit with status 1 instead of ending as if everything had been written.

Our own components report theirs with `record_close_failure` (the WARC recorder when its
last file cannot be closed). Scrapy catches everything else that fails while a spider
closes (an item pipeline's close_spider, a spider_closed handler, the scheduler, the
downloader) and only logs it ("... close failure", "Error caught on signal handler");
`CloseFailures` (an extension) counts those log records of its crawler into the stats:

    storyarchive/close_failures   how many
    storyarchive/close_failure    the first one's message

`storyarchive.runner.CrawlOutcome` turns them into exit status 1 and one line saying what
failed; `scrapy crawl` does the same through storyarchive.scrapy_commands.crawl.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

COUNT = "storyarchive/close_failures"
FIRST = "storyarchive/close_failure"

# Loggers through which Scrapy reports what failed while closing a spider.
_ENGINE = "scrapy.core.engine"
_SIGNALS = "scrapy.utils.signal"
_ENGINE_MESSAGES = ("close failure", "Error while sending spider_close signal",
                    "Error running spider_closed_callback")


def record_close_failure(stats: StatsCollector, message: str) -> None:
    """Count one close failure; the first one's message is what the run reports."""
    stats.inc_value(COUNT)
    if stats.get_value(FIRST) is None:
        stats.set_value(FIRST, message)


def close_failure(stats: dict[str, Any]) -> str | None:
    """The first close failure in a finished crawl's stats, or None."""
    value = stats.get(FIRST)
    return str(value) if value else None


class CloseFailures:
    """Counts what Scrapy caught and logged while this crawler's spider was closing."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.closing = False
        self._handler = _Watch(self)
        self._loggers = [logging.getLogger(_ENGINE), logging.getLogger(_SIGNALS)]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CloseFailures:
        ext = cls(crawler)
        for target in ext._loggers:
            target.addHandler(ext._handler)
        # Extensions connect before the downloader and the pipelines, so this runs before
        # any other spider_closed handler can fail.
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_closed(self) -> None:
        self.closing = True

    def engine_stopped(self) -> None:
        for target in self._loggers:
            target.removeHandler(self._handler)

    def seen(self, record: logging.LogRecord) -> None:
        spider = getattr(record, "spider", None)
        if spider is None or spider is not self.crawler.spider or self.crawler.stats is None:
            return
        text = record.getMessage()
        if record.name == _ENGINE:
            if not any(m in text for m in _ENGINE_MESSAGES):
                return
        elif not (self.closing and text.startswith("Error caught on signal handler")):
            return
        if isinstance(record.args, dict) and "receiver" in record.args:
            receiver = record.args["receiver"]
            text = f"{getattr(receiver, '__qualname__', receiver)} failed"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f": {type(exc).__name__}: {exc}"
        record_close_failure(self.crawler.stats, text)


class _Watch(logging.Handler):
    def __init__(self, owner: CloseFailures) -> None:
        super().__init__(logging.ERROR)
        self.owner = owner

    def emit(self, record: logging.LogRecord) -> None:
        self.owner.seen(record)
