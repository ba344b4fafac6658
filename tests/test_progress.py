"""The live progress line (storyarchive.progress.CrawlProgress), finish stage included."""

from __future__ import annotations

import logging

from storyarchive.progress import CrawlProgress
from tests.crawlers import get_crawler


def test_the_progress_line_counts_the_crawl_and_then_the_finish_stage(caplog):
    crawler = get_crawler(settings_dict={"STORYARCHIVE_PROGRESS": "log"})
    crawler.stats.open_spider()
    progress = CrawlProgress.from_crawler(crawler)
    crawler.stats.set_value("response_received_count", 12)
    crawler.stats.set_value("storyarchive/store/kept", 7)
    crawler.stats.set_value("storyarchive/rejected/off-topic", 2)
    crawler.stats.set_value("storyarchive/skipped/not-html", 1)
    assert progress.line().startswith("fetched 12 · kept 7 · rejected 3 · errors 0 · ")
    assert "finishing" not in progress.line()
    with caplog.at_level(logging.INFO, logger="storyarchive.progress"):
        progress.finishing(3, 7)
        progress.finishing(7, 7)  # the last one is always shown
    assert progress.line().endswith(" · finishing: documents 7/7")
    shown = [r.getMessage() for r in caplog.records if "finishing" in r.getMessage()]
    assert shown and shown[-1].endswith("finishing: documents 7/7")
