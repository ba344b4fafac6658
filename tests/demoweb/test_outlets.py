"""Every outlet answers robots.txt, its feed, its news sitemap and its home page, and they
list exactly the URLs the catalog says."""

from __future__ import annotations

import pytest

from demoweb import catalog
from demoweb.outlets import NEWS_OUTLETS, spec_for
from tests.demoweb.helpers import feed_links, fetch, page, sitemap_entries


@pytest.mark.parametrize("slug", NEWS_OUTLETS)
def test_robots_allows_crawling_disallows_admin_and_names_the_sitemap(demo_web, slug):
    status, headers, body = fetch(demo_web.url(slug, "/robots.txt"))
    text = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert "User-agent: *" in text and "Disallow: /admin/" in text
    assert f"Sitemap: {demo_web.url(slug, spec_for(slug).sitemap_path)}" in text


@pytest.mark.parametrize("slug", NEWS_OUTLETS)
def test_feed_lists_the_catalog_feed_entries(demo_web, slug):
    links = feed_links(demo_web.url(slug, spec_for(slug).feed_path))
    expected = [demo_web.entry_url(e.id) for e in catalog.entries_of(slug) if "feed" in e.listed_in]
    assert sorted(links) == sorted(expected)


@pytest.mark.parametrize("slug", NEWS_OUTLETS)
def test_news_sitemap_lists_canonical_articles_with_publication_dates(demo_web, slug):
    entries = sitemap_entries(demo_web.url(slug, spec_for(slug).sitemap_path))
    expected = {demo_web.entry_url(e.id): e.published
                for e in catalog.entries_of(slug) if "sitemap" in e.listed_in}
    assert entries == expected


def test_meridian_uses_a_sitemap_index_with_lastmod(demo_web):
    _, _, body = fetch(demo_web.url("meridian", "/sitemap_index.xml"))
    text = body.decode()
    assert "<sitemapindex" in text
    child = demo_web.url("meridian", "/sitemaps/news-2024-03.xml")
    assert f"<loc>{child}</loc><lastmod>2024-03-14T11:00:00+00:00</lastmod>" in text


@pytest.mark.parametrize("slug", NEWS_OUTLETS)
def test_home_page_links_the_catalog_home_entries(demo_web, slug):
    doc = page(demo_web.url(slug, "/"))
    hrefs = set(doc.xpath("//section[@class='stories']//a/@href"))
    assert hrefs == {e.path for e in catalog.entries_of(slug) if "home" in e.listed_in}


def test_feed_pubdates_are_rfc822(demo_web):
    _, _, body = fetch(demo_web.url("harbor", "/rss.xml"))
    assert b"<pubDate>Tue, 30 Dec 2025 16:05:00 -0500</pubDate>" in body


@pytest.mark.parametrize("entry", [e for e in catalog.CATALOG if e.kind == "article"], ids=lambda e: e.id)
def test_article_page_carries_metadata_and_the_outlet_boilerplate(demo_web, entry):
    doc = page(demo_web.entry_url(entry.id))
    assert doc.xpath("//link[@rel='canonical']/@href") == [demo_web.entry_url(entry.id)]
    assert doc.xpath("//meta[@property='article:published_time']/@content") == [entry.published]
    assert doc.xpath("//meta[@property='og:title']/@content") == doc.xpath("//h1[@class='headline']/text()")
    assert doc.xpath("//meta[@name='author']/@content")[0]
    assert doc.get("lang") == entry.language
    body = doc.xpath("//div[@class='article-body']/p/text()")
    assert body[-1] == spec_for(entry.outlet).boilerplate
    assert len(spec_for(entry.outlet).boilerplate.split()) >= 15
    substantial = [p for p in body if len(p.split()) >= 30]
    assert len(substantial) >= 5
    # Page furniture a extractor must leave out.
    for cls in ("cookie-banner", "newsletter", "related", "share"):
        assert doc.xpath(f"//*[@class='{cls}']"), cls
    assert doc.xpath("//figure/figcaption/text()")


def test_wire_copies_link_the_meridian_original_with_its_live_port(demo_web):
    doc = page(demo_web.entry_url("h-wire"))
    assert demo_web.entry_url("m-wire") in doc.xpath("//aside[@class='related']//a/@href")


def test_amp_copy_points_back_to_the_canonical_page(demo_web):
    amp = page(demo_web.entry_url("h-amp"))
    normal = page(demo_web.entry_url("h-wire"))
    assert amp.xpath("//link[@rel='canonical']/@href") == [demo_web.entry_url("h-wire")]
    assert normal.xpath("//link[@rel='amphtml']/@href") == [demo_web.entry_url("h-amp")]
    assert amp.xpath("//h1/text()") == normal.xpath("//h1/text()")


def test_old_url_redirects_permanently_to_the_article(demo_web):
    status, headers, _ = fetch(demo_web.entry_url("a-old"))
    assert status == 301
    assert headers["location"] == demo_web.entry_url("a-wire")


def test_feed_links_a_page_that_is_not_found(demo_web):
    assert demo_web.entry_url("a-gone") in feed_links(demo_web.url("atlantic", "/rss.xml"))
    status, headers, body = fetch(demo_web.entry_url("a-gone"))
    assert status == 404 and headers["content-type"].startswith("text/html") and b"Page not found" in body


@pytest.mark.parametrize("variant", ["c-wire-utm", "c-wire-fbclid", "c-wire-search"])
def test_tracking_variants_serve_the_same_bytes_as_the_article(demo_web, variant):
    assert fetch(demo_web.entry_url(variant))[2] == fetch(demo_web.entry_url("c-wire"))[2]


def test_pdf_is_a_real_pdf_with_a_valid_xref(demo_web):
    status, headers, body = fetch(demo_web.entry_url("m-statement"))
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    startxref = int(body.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert body[startxref:].startswith(b"xref")
    offsets = [int(line[:10]) for line in body[startxref:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert body[offset:].startswith(f"{number} 0 obj".encode())
    assert b"(on the reported strike on a dock in Venezuela) Tj" in body


def test_static_assets_for_replay(demo_web):
    _, headers, css = fetch(demo_web.url("globe", "/static/site.css"))
    assert headers["content-type"].startswith("text/css")
    assert b"h1.headline { color: rgb(128, 0, 32);" in css
    status, headers, png = fetch(demo_web.url("globe", "/static/img/g-fixture.png"))
    assert status == 200 and headers["content-type"] == "image/png" and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"IHDR" in png[:16] and png.endswith(b"IEND\xaeB`\x82")
    _, _, ico = fetch(demo_web.url("globe", "/favicon.ico"))
    assert ico[:4] == b"\x00\x00\x01\x00"
    _, headers, js = fetch(demo_web.url("globe", "/static/site.js"))
    assert b"cookie-banner" in js and "javascript" in headers["content-type"]
    doc = page(demo_web.entry_url("g-fixture"))
    assert doc.xpath("//link[@rel='stylesheet']/@href") == ["/static/site.css"]
    assert doc.xpath("//figure[@class='lead']/img/@src") == ["/static/img/g-fixture.png"]


def test_admin_is_disallowed_but_exists_for_impolite_crawlers(demo_web):
    status, _, body = fetch(demo_web.url("capital", "/admin/login"))
    assert status == 200 and b"noindex" in body


def test_head_request_has_length_and_no_body(demo_web):
    status, headers, body = fetch(demo_web.entry_url("m-wire"), method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 5000


def test_gzip_pages_option_compresses_deterministically():
    import gzip

    from demoweb import DemoWeb

    with DemoWeb(base_port=0, gzip_pages=True) as web:
        _, headers, first = fetch(web.entry_url("m-wire"), {"Accept-Encoding": "gzip"})
        _, _, second = fetch(web.entry_url("m-wire"), {"Accept-Encoding": "gzip"})
        _, plain_headers, plain = fetch(web.entry_url("m-wire"))
    assert headers["content-encoding"] == "gzip" and "content-encoding" not in plain_headers
    assert first == second and gzip.decompress(first) == plain
