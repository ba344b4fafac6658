"""StorySpider.parse_seed: article links read from a seed page."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from spiders.story import StorySpider


def test_a_seed_page_with_a_malformed_base_and_link_still_gives_its_other_links(tmp_path: Path, monkeypatch):
    """w3lib and urllib refuse "http://[x/" (an unclosed IPv6 bracket) with ValueError. A
    seed page whose <base href> is such a URL resolves its links against its own URL, as a
    browser does; a link that is such a URL is skipped, never the page's other links."""
    story = tmp_path / "story.toml"
    story.write_text('slug = "harbor"\ntitle = "Harbor"\n\n[terms]\nrequired = ["harbor"]\n\n'
                     '[sources]\nseeds = ["http://news.example/"]\n')
    crawler = get_crawler(StorySpider, {})
    spider = StorySpider.from_crawler(crawler, story=str(story))
    monkeypatch.setattr(spider, "journal", lambda *a, **k: None)
    body = (b'<html><head><base href="http://[x/"></head><body>'
            b'<a href="http://[oops/2026/01/02/bad-link-here">bad</a>'
            b'<a href="/2026/01/02/harbor-fire-spreads">one</a>'
            b'<a href="harbor-fire-update-three.html">two</a></body></html>')
    response = HtmlResponse("http://news.example/world/", body=body, headers={"Content-Type": "text/html"},
                            request=Request("http://news.example/world/"))
    urls = [request.url for request in spider.parse_seed(response)]
    assert urls == ["http://news.example/2026/01/02/harbor-fire-spreads",
                    "http://news.example/world/harbor-fire-update-three.html"]
