"""DedupPipeline: the Scrapy adapter of the dedup stage (storyarchive.dedup).

`process_item` marks in-page repeats (tier 1) at once and remembers nothing else: the
cross-document tiers need the whole crawl, so the StorePipeline calls
`crawler.storyarchive_dedup.finalize(items)` once at the end, before writing documents.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from storyarchive.dedup import DedupConfig, DedupSummary, mark_in_page_repeats
from storyarchive.dedup.fingerprint import LshParams
from storyarchive.dedup.story import StoryDedup, open_backend
from storyarchive.dedup.verify import MatchThresholds
from storyarchive.items import ArticleItem
from storyarchive.redis_connection import RedisParams
from storyarchive.store import store_from_crawler
from storyarchive.store.base import ArchiveStore

logger = logging.getLogger(__name__)


def config_from_settings(settings: Any, extra_wire_sites: tuple[str, ...] = ()) -> DedupConfig:
    """The DedupConfig described by the STORYARCHIVE_DEDUP_* settings (defaults in
    settings.py). ValueError naming the setting if a value is out of range."""
    th = MatchThresholds(
        jaccard=settings.getfloat("STORYARCHIVE_DEDUP_JACCARD", 0.6),
        containment=settings.getfloat("STORYARCHIVE_DEDUP_CONTAINMENT", 0.8),
        min_words=settings.getint("STORYARCHIVE_DEDUP_MIN_WORDS", 6),
    )
    for name, v in (("JACCARD", th.jaccard), ("CONTAINMENT", th.containment)):
        if not 0.0 < v <= 1.0:
            raise ValueError(f"STORYARCHIVE_DEDUP_{name} must be in (0, 1], got {v}")
    lsh = LshParams(shingle_words=settings.getint("STORYARCHIVE_DEDUP_SHINGLE_WORDS", 2),
                    bands=settings.getint("STORYARCHIVE_DEDUP_LSH_BANDS", 16),
                    rows=settings.getint("STORYARCHIVE_DEDUP_LSH_ROWS", 2))
    if lsh.shingle_words < 1 or lsh.bands < 1 or lsh.rows < 1:
        raise ValueError("STORYARCHIVE_DEDUP_SHINGLE_WORDS, _LSH_BANDS and _LSH_ROWS must be >= 1")
    sites = [s.strip().lower() for s in settings.getlist("STORYARCHIVE_DEDUP_WIRE_SITES", [])]
    return DedupConfig(
        thresholds=th, lsh=lsh,
        boilerplate_min_urls=max(2, settings.getint("STORYARCHIVE_DEDUP_BOILERPLATE_MIN_URLS", 3)),
        wire_sites=frozenset(s for s in [*sites, *extra_wire_sites] if s),
    )


class DedupPipeline:
    def __init__(self, crawler: Crawler, config: DedupConfig, redis_url: str | None,
                 store: ArchiveStore | None, redis_params: RedisParams | None = None) -> None:
        self.crawler = crawler
        self.config = config
        self.redis_url = redis_url
        self.redis_params = redis_params
        self.store = store
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        s = crawler.settings
        if not s.getbool("STORYARCHIVE_DEDUP_ENABLED", True):
            raise NotConfigured("dedup disabled (STORYARCHIVE_DEDUP_ENABLED=False)")
        redis_url = s.get("STORYARCHIVE_DEDUP_REDIS_URL") or None
        pipeline = cls(crawler, config_from_settings(s), redis_url, store_from_crawler(crawler),
                       RedisParams.from_settings(s))
        crawler.storyarchive_dedup = pipeline  # type: ignore[attr-defined]
        return pipeline

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if isinstance(item, ArticleItem) and item.extraction is not None:
            mark_in_page_repeats(item.extraction.blocks)
            repeats = sum(b.relation == "repeat-in-page" for b in item.extraction.blocks)
            if repeats:
                self.stats.inc_value("storyarchive/dedup/repeat_in_page", repeats)
        return item

    def _wire_sites_of_story(self) -> tuple[str, ...]:
        story = getattr(self.crawler.spider, "story", None)
        return tuple(s.lower() for s in getattr(story, "wire_sites", ()) or ())

    def finalize(self, items: list[ArticleItem]) -> DedupSummary:
        """Tiers 2-4 over the whole crawl (see storyarchive.dedup.engine); sets every
        block's relation and every item's syndication, persists the blocks in the story's
        index and returns the summary. Items of several stories are handled per story."""
        config = self.config
        extra = self._wire_sites_of_story()
        if extra:
            config = DedupConfig(config.thresholds, config.lsh, config.boilerplate_min_urls,
                                 config.wire_sites | frozenset(extra), config.wire_names,
                                 config.max_bucket)
        by_story: dict[str, list[ArticleItem]] = {}
        for item in items:
            if item.extraction is not None:
                by_story.setdefault(item.story, []).append(item)
        total = DedupSummary()
        for slug in sorted(by_story):
            backend = open_backend(slug, self.store, self.redis_url, self.redis_params)
            dedup = StoryDedup(slug, config, backend, self.store)
            try:
                summary = dedup.finalize(by_story[slug])
            finally:
                dedup.close()
            _merge(total, summary)
        for relation, n in total.relations.items():
            self.stats.set_value(f"storyarchive/dedup/{relation}", n)
        self.stats.set_value("storyarchive/dedup/clusters", len(total.clusters))
        self.stats.set_value("storyarchive/dedup/unverifiable", total.unverifiable)
        logger.info("%s", total.format())
        return total


def _merge(total: DedupSummary, s: DedupSummary) -> None:
    total.documents += s.documents
    total.blocks_seen += s.blocks_seen
    for k, v in s.relations.items():
        total.relations[k] = total.relations.get(k, 0) + v
    total.clusters.extend(s.clusters)
    total.earlier_documents += s.earlier_documents
    total.candidates += s.candidates
    total.verified += s.verified
    total.unverifiable += s.unverifiable
