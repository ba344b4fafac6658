"""RelevancePipeline: scores each extracted page against its story's terms and drops the
story spider's off-topic and out-of-window pages.

Runs after extraction (order 200). The story comes from the running spider's `story`
attribute (a StoryDefinition). Story-spider pages that fail are dropped with the reason as
the DropItem message and counted under `storyarchive/rejected/off-topic` or
`storyarchive/rejected/out-of-window`. Capture-spider pages get a relevance when a story
file was given, and are never dropped. Items with a `skipped_reason` (non-HTML, truncated,
...) pass through untouched.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from storyarchive.discovery import parse_date
from storyarchive.items import ArticleItem
from storyarchive.relevance import score_relevance
from storyarchive.story import StoryDefinition

logger = logging.getLogger(__name__)

DROPPING_SPIDERS = frozenset({"story"})


class RelevancePipeline:
    def __init__(self, crawler: Crawler, check_window: bool, drop_log_level: str) -> None:
        self.crawler = crawler
        self.check_window = check_window
        self.drop_log_level = drop_log_level

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RelevancePipeline:
        settings = crawler.settings
        if not settings.getbool("STORYARCHIVE_RELEVANCE_ENABLED"):
            raise NotConfigured("STORYARCHIVE_RELEVANCE_ENABLED is off")
        return cls(
            crawler,
            check_window=settings.getbool("STORYARCHIVE_RELEVANCE_CHECK_WINDOW"),
            drop_log_level=settings.get("STORYARCHIVE_RELEVANCE_DROP_LOG_LEVEL"),
        )

    def process_item(self, item: Any) -> Any:
        """Set `item.relevance`; raise DropItem(reason) for a rejected story-spider page."""
        if not isinstance(item, ArticleItem) or item.skipped_reason or item.extraction is None:
            return item
        story = getattr(self.crawler.spider, "story", None)
        if not isinstance(story, StoryDefinition):
            return item
        extraction = item.extraction
        item.relevance = score_relevance(story, extraction.title, item.canonical_url, extraction.text)
        stats = self.crawler.stats
        stats.inc_value("storyarchive/relevance/scored")
        if item.spider not in DROPPING_SPIDERS:
            return item
        if not item.relevance.relevant:
            stats.inc_value("storyarchive/rejected/off-topic")
            reason = item.relevance.reason or "not relevant"
            logger.debug("off-topic (%s, score %g): %s", reason, item.relevance.score, item.url)
            raise DropItem(reason, log_level=self.drop_log_level)
        published = parse_date(extraction.published)
        if self.check_window and story.in_window(published) is False:
            stats.inc_value("storyarchive/rejected/out-of-window")
            reason = f"out of window: published {published}, window {_window_text(story)}"
            logger.debug("%s: %s", reason, item.url)
            raise DropItem(reason, log_level=self.drop_log_level)
        stats.inc_value("storyarchive/relevance/kept")
        return item


def _window_text(story: StoryDefinition) -> str:
    start, end = story.window.start, story.window.end
    return f"{start.isoformat() if start else '…'} to {end.isoformat() if end else '…'}"
