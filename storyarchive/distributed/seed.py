"""`SeedMiddleware`: in a distributed crawl only the process that started the crawl (the
seeder: `storyarchive crawl/capture --redis`) queues the spider's start requests; every
other worker starts with none and takes its requests from the shared frontier. When the
seeder has queued them all it marks the crawl "seeded": until then no worker may conclude
that the crawl is over because the frontier is empty."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from storyarchive.distributed.keys import CrawlRecord, registry_key


class SeedMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        if not s.get("STORYARCHIVE_REDIS_URL") or not s.get("STORYARCHIVE_REDIS_SCOPE"):
            raise NotConfigured
        self.crawler = crawler
        self.seed = s.getbool("STORYARCHIVE_WORKER_SEED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeedMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if not self.seed:
            return
        async for item_or_request in start:
            yield item_or_request
        self._mark_seeded()

    def _mark_seeded(self) -> None:
        from storyarchive.distributed.coordinator import DistributedCrawl

        coordinator = self.crawler.get_extension(DistributedCrawl)
        if coordinator is None or coordinator.keys is None:
            return
        key = registry_key(coordinator.scope)
        raw = coordinator.redis.hget(key, coordinator.slug)
        if raw:
            record = CrawlRecord.from_json(raw)
            if record.crawl_id == coordinator.keys.crawl_id and not record.seeded:
                record.seeded = True
                coordinator.redis.hset(key, coordinator.slug, record.to_json())
