"""`scrapy crawl SPIDER`: Scrapy's crawl command, exiting with status 1 when the crawl did
not end with every document and its manifest written, or when something failed while the
spider was closing (storyarchive.closing). Scrapy's own exits 1 only when a crawl cannot
start."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.spiders import Spider


class Command(ScrapyCrawl):
    crawler: Crawler | None = None

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        self.crawler = super()._create_crawler(spidercls)
        return self.crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        super().run(args, opts)
        if self.exitcode or self.crawler is None or self.crawler.spider is None:
            return
        from storyarchive.runner import crawl_result, scrapy_crawl_failure

        assert self.settings is not None
        failure = scrapy_crawl_failure(crawl_result(self.crawler, self.settings))
        if failure:
            print(f"storyarchive: {failure}", file=sys.stderr)
            self.exitcode = 1
