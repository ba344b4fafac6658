"""The catalog's hand-written labels agree with what the pages print, and page bytes change
only when asked to (for the WARC revisit tests)."""

from __future__ import annotations

from demoweb import catalog
from demoweb.content_coverage import SHARED_QUOTE
from demoweb.content_wire import WIRE_ORIGINAL
from demoweb.site import ARTICLES
from tests.demoweb.helpers import fetch, page


def test_expected_canonical_urls_are_the_relevant_articles(demo_web):
    urls = demo_web.expected_canonical_urls()
    assert urls == {demo_web.entry_url(i) for i in (
        "m-wire", "h-wire", "c-wire", "a-wire", "c-explainer", "a-congress", "p-ataque", "g-fixture",
        "m-reaction", "h-editorial", "p-pescadores", "g-qa",
        "m-oil", "h-timeline", "c-war-powers", "a-satellite", "p-region", "g-trinidad")}
    assert all("?" not in u and "#" not in u and "/amp/" not in u for u in urls)


def test_every_news_outlet_has_at_least_three_stored_articles():
    # So each outlet's boilerplate paragraph repeats on >= 3 stored pages of its site
    # (STORYARCHIVE_DEDUP_BOILERPLATE_MIN_URLS = 3: the site-boilerplate tier finds it).
    from collections import Counter

    from demoweb.outlets import NEWS_OUTLETS

    counts = Counter(e.outlet for e in catalog.relevant_articles())
    assert all(counts[slug] >= 3 for slug in NEWS_OUTLETS), counts


def test_each_outlets_boilerplate_is_printed_on_at_least_three_relevant_pages(demo_web):
    from demoweb.outlets import NEWS_OUTLETS, spec_for

    for slug in NEWS_OUTLETS:
        boilerplate = spec_for(slug).boilerplate
        pages_with_it = set()
        for e in catalog.relevant_articles():
            if e.outlet != slug:
                continue
            doc = page(demo_web.entry_url(e.id))
            if doc.xpath("//div[@class='article-body']/p[@class='site-note']/text()") == [boilerplate]:
                pages_with_it.add(e.path)
        assert len(pages_with_it) >= 3, (slug, pages_with_it)


def test_new_coverage_does_not_reuse_wire_text_or_the_shared_quote():
    wire = set(WIRE_ORIGINAL.paragraphs())
    for i in ("m-oil", "h-timeline", "c-war-powers", "a-satellite", "p-region", "g-trinidad"):
        paragraphs = ARTICLES[i].paragraphs()
        assert not wire & set(paragraphs), i
        assert not any(SHARED_QUOTE in p or "Whitcombe" in p for p in paragraphs), i
        assert catalog.entry(i).published[:10] >= "2025-12-30"


def test_every_non_article_resolves_to_an_article_or_nothing():
    for e in catalog.CATALOG:
        if e.kind == "article":
            assert e.canonical == e.id
        elif e.reject_reason and e.reject_reason.startswith("duplicate-of:"):
            assert e.canonical == e.reject_reason.split(":", 1)[1]
            assert catalog.entry(e.canonical).kind == "article"
            assert e.canonical_path == catalog.entry(e.canonical).path
        else:
            assert e.canonical is None and e.reject_reason in ("not-found", "not-html")


def test_wire_copies_are_light_edits_of_the_original():
    original = WIRE_ORIGINAL.paragraphs()
    harbor, capital, atlantic = (ARTICLES[i].paragraphs() for i in ("h-wire", "c-wire", "a-wire"))
    assert harbor[0] != original[0] and harbor[1:4] == original[1:4]
    assert harbor[4].startswith(original[4]) and len(harbor[4]) > len(original[4])
    assert capital[2] != original[2] and len(capital[5]) < len(original[5]) and capital[6:] == original[6:]
    assert atlantic[1].startswith(original[1]) and len(atlantic) == len(original) - 1
    assert len({ARTICLES[i].title for i in ("m-wire", "h-wire", "c-wire", "a-wire")}) == 4
    assert ARTICLES["a-wire"].byline != ARTICLES["m-wire"].byline


def test_wire_original_is_the_earliest_copy():
    dates = {e.id: e.published for e in catalog.CATALOG if e.wire_cluster and e.kind == "article"}
    assert min(dates, key=lambda i: dates[i]) == "m-wire" and len(dates) == 4


def test_shared_quote_appears_in_two_otherwise_different_articles():
    explainer, congress = ARTICLES["c-explainer"].paragraphs(), ARTICLES["a-congress"].paragraphs()
    assert any(SHARED_QUOTE in p for p in explainer) and any(SHARED_QUOTE in p for p in congress)
    assert not set(explainer) & set(congress)


def test_unchanged_pages_are_byte_identical_and_touch_changes_one_page(fresh_demo_web):
    web = fresh_demo_web
    before = {i: fetch(web.entry_url(i))[2] for i in ("m-wire", "h-wire", "g-fixture")}
    assert before == {i: fetch(web.entry_url(i))[2] for i in before}
    assert web.touch("h-wire") == 1
    after = {i: fetch(web.entry_url(i))[2] for i in before}
    assert after["m-wire"] == before["m-wire"] and after["g-fixture"] == before["g-fixture"]
    assert after["h-wire"] != before["h-wire"] and b"Update 1: this story has been updated" in after["h-wire"]
    web.set_revision(2)
    doc = page(web.entry_url("g-fixture"))
    assert doc.xpath("//p[@class='update']/text()")[0].startswith("Update 2:")


def test_stopped_outlet_is_a_dead_host(fresh_demo_web):
    import socket

    web = fresh_demo_web
    url = web.entry_url("m-wire")
    assert fetch(url)[0] == 200
    web.stop_outlet("meridian")
    port = web.outlets["meridian"].base_url.rsplit(":", 1)[1]
    try:
        socket.create_connection(("127.0.0.1", int(port)), timeout=2).close()
        raise AssertionError("the stopped outlet still accepts connections")
    except ConnectionRefusedError:
        pass
    assert fetch(web.entry_url("h-wire"))[0] == 200


def test_free_port_has_nothing_listening(dead_url):
    import socket
    from urllib.parse import urlsplit

    try:
        socket.create_connection(("127.0.0.1", urlsplit(dead_url).port), timeout=2).close()
        raise AssertionError("something listens on the free port")
    except ConnectionRefusedError:
        pass


def test_demo_story_file_fixture_points_at_the_live_web(demo_story_file, demo_web):
    from storyarchive.story import load_story

    story = load_story(demo_story_file)
    assert demo_web.url("globe", "/") in story.sources.seeds
