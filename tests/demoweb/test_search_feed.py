"""The news-search endpoint lists coverage across outlets the way a news-search RSS does."""

from __future__ import annotations

from tests.demoweb.helpers import xml


def _items(demo_web, query: str) -> list[dict[str, str]]:
    from urllib.parse import quote

    root = xml(demo_web.url("search", f"/rss/search?q={quote(query)}&hl=en-US"))
    return [{"title": i.findtext("title"), "link": i.findtext("link"), "pubDate": i.findtext("pubDate"),
             "source": i.findtext("source"), "source_url": i.find("source").get("url")}
            for i in root.iterfind("channel/item")]


def test_search_lists_matching_coverage_across_outlets(demo_web):
    items = _items(demo_web, "Venezuela dock strike")
    links = {i["link"] for i in items}
    assert links == {demo_web.entry_url(e) for e in (
        "m-wire", "m-statement", "m-port2024", "h-amp", "c-wire-search", "c-explainer", "a-wire",
        "a-congress", "g-fixture", "m-reaction", "g-qa")}
    assert all(i["pubDate"] and i["source"] for i in items)
    amp = next(i for i in items if i["link"] == demo_web.entry_url("h-amp"))
    assert amp["source"] == "The Harbor Ledger" and amp["source_url"] == demo_web.url("harbor", "/")
    assert amp["title"].endswith(" - The Harbor Ledger")


def test_search_links_carry_tracking_parameters_and_amp(demo_web):
    links = [i["link"] for i in _items(demo_web, "Venezuela dock strike")]
    assert any("utm_source=newsscope" in link for link in links)
    assert any("/amp/" in link for link in links)


def test_search_is_newest_first_and_lists_the_2024_piece_with_its_date(demo_web):
    items = _items(demo_web, "Venezuela dock strike")
    assert items[0]["link"] == demo_web.entry_url("g-qa")
    assert items[-1]["pubDate"] == "Thu, 14 Mar 2024 11:00:00 +0000"


def test_search_does_not_list_unrelated_pages(demo_web):
    assert _items(demo_web, "baseball") == []
    assert _items(demo_web, "") == []
