"""ArchiveSpider.readable: whether a fetched page may be parsed, decided once per response."""

from __future__ import annotations

from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

import spiders.base
from spiders.capture import CaptureSpider


def _spider(limit: int) -> CaptureSpider:
    crawler = get_crawler(CaptureSpider, {"STORYARCHIVE_MAX_PAGE_ELEMENTS": limit})
    spider: CaptureSpider = CaptureSpider.from_crawler(crawler, urls="http://news.example/a")
    return spider


def _page(elements: int) -> HtmlResponse:
    return HtmlResponse("http://news.example/a", body=b"<p>" * elements + b"x" * 200,
                        headers={"Content-Type": "text/html"})


def test_a_page_within_the_element_limit_is_counted_once_however_often_it_is_asked(monkeypatch):
    counted = []
    monkeypatch.setattr(spiders.base, "too_many_elements",
                        lambda body, limit: counted.append(body) or False)
    spider, page = _spider(limit=50), _page(elements=10)
    assert spider.readable(page) and spider.readable(page)
    assert len(counted) == 1
    assert spider.readable(_page(elements=10))  # another response is counted on its own
    assert len(counted) == 2


def test_a_page_over_the_element_limit_is_flagged_and_counted_in_the_stats_once():
    spider, page = _spider(limit=50), _page(elements=60)
    assert not spider.readable(page) and not spider.readable(page)
    assert page.flags == ["too_many_elements"]
    assert spider.crawler.stats.get_value("storyarchive/page_element_limit_hit") == 1
