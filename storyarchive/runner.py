"""Run one of our spiders in this process with the project's settings, and collect what the
end-of-crawl summary needs."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings


@dataclass
class CrawlResult:
    spider: Any
    stats: dict[str, Any]
    store_uri: str
    record: Any = None  # pipelines.store.CrawlRecord
    rejected: list[dict[str, Any]] = field(default_factory=list)


def project_settings(
    store_uri: str | None, overrides: dict[str, Any] | None = None, verbose: bool = False
) -> Settings:
    """The project's settings (settings.py) with the store and command-line overrides."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings")
    settings = get_project_settings()
    if store_uri:
        settings.set("STORYARCHIVE_STORE", store_uri, priority="cmdline")
    if not verbose:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def parse_overrides(pairs: list[str] | None) -> dict[str, str]:
    """--set NAME=VALUE pairs into a dict; ValueError on a pair without '='."""
    out = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"--set takes NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def run_spider(spider_name: str, settings: Settings, **spider_kwargs: Any) -> CrawlResult:
    """Run the spider to completion (blocking) and return its stats and records."""
    process = CrawlerProcess(settings)
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    crawler: Crawler = process.create_crawler(spider_name)
    process.crawl(crawler, **spider_kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    spider = crawler.spider
    return CrawlResult(
        spider=spider,
        stats=stats,
        store_uri=settings.get("STORYARCHIVE_STORE"),
        record=getattr(crawler, "storyarchive_store_record", None),
        rejected=list(getattr(spider, "rejected", [])),
    )
