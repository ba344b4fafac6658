"""A Scrapy extension that fails while the spider closes, as a broken component would
(used by test_close_failures through --set EXTENSIONS=...)."""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler

MESSAGE = "the test extension broke while closing"


class FailsWhenClosing:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailsWhenClosing:
        ext = cls()
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self) -> None:
        raise RuntimeError(MESSAGE)
