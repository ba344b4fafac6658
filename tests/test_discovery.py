"""Discovery parsing: feeds, news sitemaps, sitemap indexes, robots Sitemap lines."""

import datetime as dt

from storyarchive.discovery import parse_date, parse_feed, parse_sitemap, sitemaps_from_robots
from storyarchive.timestamps import Timestamp

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Herald</title>
<item><title>Strike on dock</title><link>/world/strike-on-dock</link>
  <pubDate>Tue, 02 Dec 2025 23:30:00 -0500</pubDate></item>
<item><title>No link, permalink guid</title><guid>https://h.example/a/guid-article</guid></item>
<item><title>Not a permalink</title><guid isPermaLink="false">tag:h.example,1</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
<entry><title>Wire copy</title><link rel="alternate" href="https://w.example/2025/12/03/wire"/>
<link rel="enclosure" href="https://w.example/photo.jpg"/><updated>2025-12-03T08:00:00Z</updated></entry>
</feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://h.example/a1</loc><lastmod>2026-01-05</lastmod>
  <news:news><news:publication><news:name>Herald</news:name><news:language>en</news:language></news:publication>
  <news:publication_date>2025-12-04T10:00:00+00:00</news:publication_date><news:title>A1</news:title></news:news></url>
<url><loc>https://h.example/a2</loc><lastmod>2024-03-01T00:00:00Z</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://h.example/sitemap-2025.xml</loc><lastmod>2025-12-31</lastmod></sitemap>
<sitemap><loc>/sitemap-2024.xml</loc></sitemap></sitemapindex>"""


def test_rss_links_resolve_relative_urls_and_read_pubdate_in_utc():
    links = parse_feed(RSS, "https://h.example/feed.xml")
    assert [link.url for link in links] == [
        "https://h.example/world/strike-on-dock",
        "https://h.example/a/guid-article",
    ]
    # 23:30 at UTC-5 is the next day in UTC; the time and the feed's offset are kept.
    assert links[0].date == dt.date(2025, 12, 3)
    assert links[0].published == Timestamp("2025-12-03T04:30:00Z", "-05:00")
    assert links[0].title == "Strike on dock"


def test_atom_takes_the_alternate_link_not_enclosures():
    links = parse_feed(ATOM, "https://w.example/atom.xml")
    assert [(link.url, link.date) for link in links] == [
        ("https://w.example/2025/12/03/wire", dt.date(2025, 12, 3))
    ]


def test_news_sitemap_prefers_publication_date_over_lastmod():
    content = parse_sitemap(NEWS_SITEMAP, "https://h.example/sitemap.xml")
    assert content.children == []
    assert [(u.url, u.date, u.title) for u in content.urls] == [
        ("https://h.example/a1", dt.date(2025, 12, 4), "A1"),
        ("https://h.example/a2", dt.date(2024, 3, 1), None),
    ]
    assert [u.published for u in content.urls] == [
        Timestamp("2025-12-04T10:00:00Z", "+00:00"), Timestamp("2024-03-01T00:00:00Z", "+00:00")]


def test_sitemap_index_lists_children_with_lastmod():
    content = parse_sitemap(INDEX, "https://h.example/sitemap.xml")
    assert [(c.url, c.date) for c in content.children] == [
        ("https://h.example/sitemap-2025.xml", dt.date(2025, 12, 31)),
        ("https://h.example/sitemap-2024.xml", None),
    ]
    assert content.urls == []


def test_junk_and_html_give_empty_results_not_errors():
    assert parse_feed(b"\x00\xff garbage", "https://x.example/") == []
    assert parse_sitemap(b"<html><body>not a sitemap</body></html>", "https://x.example/").urls == []


def test_dates_in_the_formats_feeds_use():
    assert parse_date("2025-12-04") == dt.date(2025, 12, 4)
    assert parse_date("2025-12-04T01:00:00+05:00") == dt.date(2025, 12, 3)
    assert parse_date("Thu, 04 Dec 2025 10:00:00 GMT") == dt.date(2025, 12, 4)
    assert parse_date("yesterday") is None
    assert parse_date(None) is None


def test_robots_sitemap_lines():
    body = (
        b"User-agent: *\nDisallow: /admin/\nSitemap: /news-sitemap.xml\nsitemap: https://h.example/s2.xml\n"
    )
    assert sitemaps_from_robots(body, "https://h.example/robots.txt") == [
        "https://h.example/news-sitemap.xml",
        "https://h.example/s2.xml",
    ]


def test_a_malformed_url_costs_a_feed_or_sitemap_that_url_only():
    """urllib refuses "http://[oops" (an unclosed IPv6 bracket) with ValueError: the
    links around it are still read, from feeds, sitemaps and robots.txt alike."""
    rss = RSS.replace(b"<item><title>No link", b"<item><title>Bad</title><link>http://[oops/a</link></item>"
                      b"<item><title>No link")
    assert [link.url for link in parse_feed(rss, "https://h.example/feed")] == [
        "https://h.example/world/strike-on-dock", "https://h.example/a/guid-article"]
    atom = ATOM.replace(b"<entry>", b'<entry><link rel="alternate" href="http://[x"/></entry><entry>', 1)
    assert [link.url for link in parse_feed(atom, "https://w.example/")] == ["https://w.example/2025/12/03/wire"]
    sitemap = NEWS_SITEMAP.replace(b"<url><loc>https://h.example/a2", b"<url><loc>http://[bad</loc></url>"
                                   b"<url><loc>https://h.example/a2")
    assert [u.url for u in parse_sitemap(sitemap, "https://h.example/").urls] == [
        "https://h.example/a1", "https://h.example/a2"]
    robots = b"Sitemap: http://[bad/sitemap.xml\nSitemap: /news-sitemap.xml\n"
    assert sitemaps_from_robots(robots, "https://h.example/robots.txt") == ["https://h.example/news-sitemap.xml"]
