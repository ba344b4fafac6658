"""Machine-readable documents of the demo news web: robots.txt, RSS 2.0, Atom, Google-News
style news sitemaps, sitemap indexes and the news-search RSS. Pure functions over items."""

from __future__ import annotations

import datetime as dt
import email.utils
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class FeedItem:
    """One story as a feed, sitemap or search result lists it."""

    title: str
    url: str
    published: str  # ISO 8601 with offset
    description: str = ""
    author: str = ""
    language: str = "en"
    source_name: str = ""
    source_url: str = ""


def _x(text: str) -> str:
    return escape(text, quote=True)


def rfc822(iso: str) -> str:
    """RSS pubDate ("Tue, 30 Dec 2025 13:40:00 +0000") from an ISO 8601 datetime."""
    return email.utils.format_datetime(dt.datetime.fromisoformat(iso))


def robots_txt(sitemaps: Sequence[str], disallow: Sequence[str] = ("/admin/",)) -> str:
    """robots.txt allowing crawling except `disallow`, naming each sitemap URL."""
    lines = ["# Welcome, crawlers. Please be polite.", "User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallow]
    lines.append("Allow: /")
    lines.append("")
    lines += [f"Sitemap: {url}" for url in sitemaps]
    return "\n".join(lines) + "\n"


def rss(title: str, site_url: str, description: str, language: str, items: Sequence[FeedItem],
        self_url: str) -> str:
    """An RSS 2.0 channel with one <item> per entry (title, link, guid, pubDate, dc:creator)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        "<channel>",
        f"<title>{_x(title)}</title>",
        f"<link>{_x(site_url)}</link>",
        f"<description>{_x(description)}</description>",
        f"<language>{language}</language>",
        f'<atom:link href="{_x(self_url)}" rel="self" type="application/rss+xml"/>',
    ]
    if items:
        out.append(f"<lastBuildDate>{rfc822(max(i.published for i in items))}</lastBuildDate>")
    for item in items:
        out.append("<item>")
        out.append(f"<title>{_x(item.title)}</title>")
        out.append(f"<link>{_x(item.url)}</link>")
        out.append(f'<guid isPermaLink="true">{_x(item.url)}</guid>')
        out.append(f"<pubDate>{rfc822(item.published)}</pubDate>")
        if item.author:
            out.append(f"<dc:creator>{_x(item.author)}</dc:creator>")
        if item.description:
            out.append(f"<description>{_x(item.description)}</description>")
        if item.source_name:
            out.append(f'<source url="{_x(item.source_url)}">{_x(item.source_name)}</source>')
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def atom(title: str, site_url: str, self_url: str, items: Sequence[FeedItem]) -> str:
    """An Atom 1.0 feed (published and updated dates on every entry)."""
    updated = max((i.published for i in items), default="2025-01-01T00:00:00+00:00")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{_x(title)}</title>",
        f'<link href="{_x(site_url)}"/>',
        f'<link rel="self" href="{_x(self_url)}"/>',
        f"<id>{_x(site_url)}</id>",
        f"<updated>{updated}</updated>",
    ]
    for item in items:
        out += [
            "<entry>",
            f"<title>{_x(item.title)}</title>",
            f'<link rel="alternate" href="{_x(item.url)}"/>',
            f"<id>{_x(item.url)}</id>",
            f"<published>{item.published}</published>",
            f"<updated>{item.published}</updated>",
        ]
        if item.author:
            out.append(f"<author><name>{_x(item.author)}</name></author>")
        if item.description:
            out.append(f"<summary>{_x(item.description)}</summary>")
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def news_sitemap(publication: str, items: Sequence[FeedItem]) -> str:
    """A urlset with Google News extensions: news:publication_date and news:title per URL,
    and lastmod."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
    ]
    for item in items:
        out += [
            "<url>",
            f"<loc>{_x(item.url)}</loc>",
            f"<lastmod>{item.published}</lastmod>",
            "<news:news>",
            f"<news:publication><news:name>{_x(publication)}</news:name>"
            f"<news:language>{item.language}</news:language></news:publication>",
            f"<news:publication_date>{item.published}</news:publication_date>",
            f"<news:title>{_x(item.title)}</news:title>",
            "</news:news>",
            "</url>",
        ]
    out += ["</urlset>", ""]
    return "\n".join(out)


def sitemap_index(children: Sequence[tuple[str, str]]) -> str:
    """A sitemapindex listing (child URL, lastmod) pairs."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in children:
        out.append(f"<sitemap><loc>{_x(url)}</loc><lastmod>{lastmod}</lastmod></sitemap>")
    out += ["</sitemapindex>", ""]
    return "\n".join(out)


def fold(text: str) -> str:
    """Lower-case, accents removed: the search endpoint's matching form."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_matches(query: str, text: str) -> bool:
    """True when every word of `query` starts some word of `text` (case- and
    accent-insensitive), the way a news search matches "strike" in "strikes"."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in fold(text)).split()]
    wanted = "".join(c if c.isalnum() else " " for c in fold(query)).split()
    return bool(wanted) and all(any(w.startswith(q) for w in words) for q in wanted)
