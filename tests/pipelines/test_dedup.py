"""DedupPipeline: the Scrapy adapter around storyarchive.dedup."""

from pathlib import Path

import pytest
import redis
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from pipelines.dedup import DedupPipeline, config_from_settings
from storyarchive.dedup import text_dedup
from storyarchive.dedup.records import unpack_rows
from tests.dedup.data import FIXTURE, HARBOR, WIRE, article, blocks_of, wire_story


def make_pipeline(tmp_path: Path, **settings) -> DedupPipeline:
    crawler = get_crawler(settings_dict={"STORYARCHIVE_STORE": str(tmp_path / "archive"),
                                         **settings})
    pipeline = DedupPipeline.from_crawler(crawler)
    assert crawler.storyarchive_dedup is pipeline  # how the StorePipeline finds it
    return pipeline


def test_process_item_marks_in_page_repeats_at_once(tmp_path):
    pipeline = make_pipeline(tmp_path)
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    item = pipeline.process_item(article("http://127.0.0.1:9201/fixture", lines))
    assert [b.of_block for b in item.extraction.blocks[8:]] == list(range(1, 8))
    assert {b.relation for b in item.extraction.blocks[8:]} == {"repeat-in-page"}
    assert text_dedup(item.extraction.blocks) == "\n\n".join(lines[:8])
    assert pipeline.crawler.stats.get_value("storyarchive/dedup/repeat_in_page") == 7


def test_finalize_sets_tiers_and_syndication_and_persists_the_embedded_index(tmp_path):
    pipeline = make_pipeline(tmp_path, STORYARCHIVE_DEDUP_WIRE_SITES=[WIRE])
    items = [pipeline.process_item(i) for i in wire_story()]
    summary = pipeline.finalize(items)
    assert summary.relations["wire-near"] == 5 and len(summary.clusters) == 6
    assert blocks_of(items, HARBOR)[1].relation == "wire-near"
    assert all(i.syndication is not None for i in items)
    assert (tmp_path / "archive" / ".state" / "dock-strike" / "dedup.sqlite").stat().st_size > 0
    d = summary.to_dict()
    assert d["collapsed"] == {"wire-exact": 18, "wire-near": 5}
    assert d["clusters"][0]["sites"] and d["clusters"][0]["canonical"]["site"] == WIRE
    assert pipeline.crawler.stats.get_value("storyarchive/dedup/wire-near") == 5


def test_redis_url_setting_puts_the_index_in_redis(tmp_path, redis_url):
    pipeline = make_pipeline(tmp_path, STORYARCHIVE_DEDUP_REDIS_URL=redis_url)
    pipeline.finalize([pipeline.process_item(i) for i in wire_story()])
    r = redis.Redis.from_url(redis_url)
    records = unpack_rows(r.lrange("sa:dd:dock-strike", 0, -1))
    kinds = {rec[:1] for rec in records}
    assert len(records) > 4 and kinds >= {b"M", b"T", b"D"}
    assert sum(rec[:1] == b"D" for rec in records) == len(wire_story())
    assert not (tmp_path / "archive" / ".state" / "dock-strike").exists()


def test_disabled_dedup_is_not_configured(tmp_path):
    with pytest.raises(NotConfigured):
        make_pipeline(tmp_path, STORYARCHIVE_DEDUP_ENABLED=False)


def test_settings_out_of_range_are_refused_with_the_setting_name(tmp_path):
    crawler = get_crawler(settings_dict={"STORYARCHIVE_DEDUP_JACCARD": 1.5})
    with pytest.raises(ValueError, match="STORYARCHIVE_DEDUP_JACCARD"):
        config_from_settings(crawler.settings)
