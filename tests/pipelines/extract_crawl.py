"""A real Scrapy crawl through ExtractPipeline (run as a script by test_extract.py).

argv: base_url out.jsonl page names... The spider fetches each page from the loopback
server, yields an ArticleItem with the raw body, and a collector pipeline writes what the
extract pipeline produced as JSON lines.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import scrapy
from scrapy.crawler import CrawlerProcess

from storyarchive.items import ArticleItem
from tests.crawlers import DEFAULTS_ADDON


class PagesSpider(scrapy.Spider):
    name = "pages"

    def __init__(self, urls: list[str], **kwargs):
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url)

    def parse(self, response):
        yield ArticleItem(
            story="test", url=response.url, final_url=response.url,
            canonical_url=response.url, fetched_at="2026-01-01T00:00:00Z",
            status=response.status,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
            encoding=None, body=response.body,
        )


class CollectPipeline:
    def __init__(self, path: str) -> None:
        self.out = open(path, "w", encoding="utf-8")  # noqa: SIM115

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings["COLLECT_TO"])

    def process_item(self, item):
        record = asdict(item)
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()
        return item

    def close_spider(self):
        self.out.close()


def main() -> None:
    base, out, stats_out, *names = sys.argv[1:]
    process = CrawlerProcess({
        "ADDONS": dict(DEFAULTS_ADDON),  # the project's defaults, as every crawl has them
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ITEM_PIPELINES": {
            "pipelines.extract.ExtractPipeline": 100,
            "tests.pipelines.extract_crawl.CollectPipeline": 900,
        },
        "COLLECT_TO": out,
        "STORYARCHIVE_EXTRACT_WORKERS": 2,
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
    })
    crawler = process.create_crawler(PagesSpider)
    process.crawl(crawler, urls=[f"{base}/{n}" for n in names])
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("storyarchive/")}
    with open(stats_out, "w", encoding="utf-8") as fh:
        json.dump(stats, fh)


if __name__ == "__main__":
    main()
