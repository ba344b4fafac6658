"""RelevancePipeline: scores pages, drops the story spider's off-topic and out-of-window ones."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from pipelines.relevance import RelevancePipeline
from storyarchive.items import ArticleItem, Block, Extraction
from storyarchive.story import StoryDefinition, parse_story
from tests.crawlers import get_crawler

STORY = parse_story("""
slug = "venezuela-dock-strike"
title = "US strike on a Venezuelan dock"
[terms]
required = ["venezuela | venezuelan | venezolano", "strike | attack | ataque"]
optional = ["CIA", "dock", "Maduro", "Tren de Aragua"]
excluded = ["baseball"]
min_score = 2.0
[window]
start = "2025-12-01"
end = "2026-01-31"
""", "stories/venezuela-dock-strike.toml")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "000_e8344a3bda362c86.txt"


class _StorySpider(scrapy.Spider):
    name = "story"


def make_crawler(story: StoryDefinition | str | None = STORY, **settings: Any) -> Crawler:
    crawler = get_crawler(_StorySpider, settings)
    spider = _StorySpider.from_crawler(crawler)
    spider.story = story  # type: ignore[attr-defined]
    crawler.spider = spider
    return crawler


def article(title: str, text: str, *, spider: str = "story", published: str | None = "2025-12-30",
            url: str = "https://news.example/2025/12/30/cia-strike-venezuela-dock",
            skipped_reason: str | None = None) -> ArticleItem:
    blocks = [Block(index=i, kind="paragraph", text=p) for i, p in enumerate(text.split("\n")) if p]
    return ArticleItem(story="venezuela-dock-strike", url=url, final_url=url, canonical_url=url,
                       fetched_at="2025-12-31T10:00:00Z", status=200, spider=spider,
                       extraction=Extraction(title=title, published=published, blocks=blocks),
                       skipped_reason=skipped_reason)


OFF_TOPIC = ("Venezuela wins the Caribbean Series", "Venezuelan players celebrated a baseball title.")


def test_relevant_story_page_is_kept_with_its_relevance() -> None:
    crawler = make_crawler()
    pipeline = RelevancePipeline.from_crawler(crawler)
    item = article("CIA drone strike hit a dock in Venezuela", FIXTURE.read_text(encoding="utf-8"))
    assert pipeline.process_item(item) is item
    assert item.relevance is not None and item.relevance.relevant is True
    assert item.relevance.matched["title"] == ["venezuela", "strike", "CIA", "dock"]
    assert "Tren de Aragua" in item.relevance.matched["text"]
    assert item.relevance.score == 4 * 3 + 4 * 2 + 6 * 1
    assert crawler.stats.get_value("storyarchive/relevance/scored") == 1
    assert crawler.stats.get_value("storyarchive/relevance/kept") == 1


def test_off_topic_story_page_is_dropped_quietly_with_its_reason() -> None:
    crawler = make_crawler()
    pipeline = RelevancePipeline.from_crawler(crawler)
    item = article(*OFF_TOPIC, url="https://news.example/sport/venezuela-wins")
    with pytest.raises(DropItem) as info:
        pipeline.process_item(item)
    assert str(info.value) == "excluded term: baseball"
    assert info.value.log_level == "DEBUG"
    assert crawler.stats.get_value("storyarchive/rejected/off-topic") == 1
    assert crawler.stats.get_value("storyarchive/relevance/kept") is None
    assert item.relevance is not None and item.relevance.reason == "excluded term: baseball"
    # Scrapy's "Dropped:" line is logged at DEBUG, not the default WARNING
    assert crawler.spider is not None
    entry = crawler.logformatter.dropped(item, info.value, None, crawler.spider)
    assert entry["level"] == logging.DEBUG


def test_page_missing_a_required_term_is_dropped_naming_it() -> None:
    crawler = make_crawler()
    with pytest.raises(DropItem) as info:
        RelevancePipeline.from_crawler(crawler).process_item(
            article("Venezuela's oil exports rise", "Venezuelan crude output grew, Maduro said.",
                    url="https://news.example/oil"))
    assert str(info.value) == "missing required term: strike | attack | ataque"
    assert crawler.stats.get_value("storyarchive/rejected/off-topic") == 1


def test_page_published_outside_the_window_is_dropped_as_out_of_window() -> None:
    crawler = make_crawler()
    item = article("CIA strike on a Venezuelan dock", "The CIA strike in Venezuela hit a dock.",
                   published="2025-10-03T10:00:00+00:00")
    with pytest.raises(DropItem) as info:
        RelevancePipeline.from_crawler(crawler).process_item(item)
    assert str(info.value) == "out of window: published 2025-10-03, window 2025-12-01 to 2026-01-31"
    assert info.value.log_level == "DEBUG"
    assert crawler.stats.get_value("storyarchive/rejected/out-of-window") == 1
    assert crawler.stats.get_value("storyarchive/rejected/off-topic") is None


@pytest.mark.parametrize("published", [None, "", "sometime last week", "2026-01-31", "2025-12-01"])
def test_unknown_or_in_window_dates_are_kept(published: str | None) -> None:
    crawler = make_crawler()
    item = article("CIA strike on a Venezuelan dock", "The CIA strike in Venezuela hit a dock.",
                   published=published)
    assert RelevancePipeline.from_crawler(crawler).process_item(item) is item
    assert crawler.stats.get_value("storyarchive/rejected/out-of-window") is None


def test_window_check_can_be_switched_off() -> None:
    crawler = make_crawler(STORYARCHIVE_RELEVANCE_CHECK_WINDOW=False)
    item = article("CIA strike on a Venezuelan dock", "The CIA strike in Venezuela hit a dock.",
                   published="2020-01-01")
    assert RelevancePipeline.from_crawler(crawler).process_item(item) is item


def test_drop_log_level_is_a_setting() -> None:
    crawler = make_crawler(STORYARCHIVE_RELEVANCE_DROP_LOG_LEVEL="INFO")
    with pytest.raises(DropItem) as info:
        RelevancePipeline.from_crawler(crawler).process_item(article(*OFF_TOPIC))
    assert info.value.log_level == "INFO"


def test_capture_page_is_scored_but_never_dropped() -> None:
    crawler = make_crawler()
    item = article(*OFF_TOPIC, spider="capture", published="2019-05-05")
    assert RelevancePipeline.from_crawler(crawler).process_item(item) is item
    assert item.relevance is not None
    assert item.relevance.relevant is False and item.relevance.reason == "excluded term: baseball"
    assert crawler.stats.get_value("storyarchive/rejected/off-topic") is None
    assert crawler.stats.get_value("storyarchive/rejected/out-of-window") is None


def test_capture_without_a_story_file_passes_items_untouched() -> None:
    crawler = make_crawler(story=None)
    item = article(*OFF_TOPIC, spider="capture")
    assert RelevancePipeline.from_crawler(crawler).process_item(item) is item
    assert item.relevance is None


def test_skipped_items_pass_through_untouched() -> None:
    crawler = make_crawler()
    item = article(*OFF_TOPIC, skipped_reason="non-html: application/pdf")
    assert RelevancePipeline.from_crawler(crawler).process_item(item) is item
    assert item.relevance is None
    assert crawler.stats.get_value("storyarchive/relevance/scored") is None


def test_items_without_extraction_and_other_items_pass_through() -> None:
    crawler = make_crawler()
    pipeline = RelevancePipeline.from_crawler(crawler)
    item = article(*OFF_TOPIC)
    item.extraction = None
    assert pipeline.process_item(item) is item and item.relevance is None
    other = {"url": "https://x.example/"}
    assert pipeline.process_item(other) is other


def test_switched_off_pipeline_is_not_configured() -> None:
    with pytest.raises(NotConfigured):
        RelevancePipeline.from_crawler(make_crawler(STORYARCHIVE_RELEVANCE_ENABLED=False))


def test_relevance_defaults_and_the_pipeline_order() -> None:
    import settings
    from storyarchive import defaults

    assert defaults.STORYARCHIVE_RELEVANCE_ENABLED is True
    assert defaults.STORYARCHIVE_RELEVANCE_CHECK_WINDOW is True
    assert defaults.STORYARCHIVE_RELEVANCE_DROP_LOG_LEVEL == "DEBUG"
    assert settings.ITEM_PIPELINES["pipelines.relevance.RelevancePipeline"] == 200
