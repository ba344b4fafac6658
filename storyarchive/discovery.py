"""Pure discovery: links and dates out of RSS/Atom feeds and (news) sitemaps.

The story spider is a thin adapter over these functions. Every parser is lenient (real
feeds are often broken) and returns what it could read; junk yields an empty result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from storyarchive.timestamps import Timestamp, parse_timestamp, timestamp_date
from storyarchive.urls import join_url


@dataclass(frozen=True)
class DiscoveredLink:
    url: str
    published: Timestamp | None = None  # publication time announced by the feed or sitemap
    title: str | None = None

    @property
    def date(self) -> dt.date | None:
        """The announced publication date (UTC when the source gave a zone)."""
        return self.published.date if self.published is not None else None


@dataclass(frozen=True)
class SitemapContent:
    children: list[DiscoveredLink]  # child sitemaps of a sitemap index (date = lastmod)
    urls: list[DiscoveredLink]  # pages of a urlset (date = news:publication_date or lastmod)


_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


def parse_date(value: str | None) -> dt.date | None:
    """A date from ISO 8601 (W3C datetime, sitemaps) or RFC 822 (RSS pubDate); None if
    unreadable. Time zones are applied before taking the date (converted to UTC)."""
    return timestamp_date(value)


def _root(body: bytes) -> etree._Element | None:
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root


def _text(el: etree._Element, *names: str) -> str | None:
    for name in names:
        found = el.xpath(f"./*[local-name()='{name}']")
        if found and (found[0].text or "").strip():
            return str(found[0].text).strip()
    return None


def parse_feed(body: bytes, base_url: str) -> list[DiscoveredLink]:
    """Article links of an RSS 2.0, RSS 1.0 or Atom feed, in feed order."""
    root = _root(body)
    if root is None:
        return []
    links: list[DiscoveredLink] = []
    for item in root.xpath("//*[local-name()='item']"):  # RSS 2.0 and 1.0
        href = _text(item, "link") or item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        if not href:
            guid = item.xpath("./*[local-name()='guid']")
            if guid and guid[0].get("isPermaLink", "true") != "false":
                href = (guid[0].text or "").strip() or None
        if href:
            date = parse_timestamp(_text(item, "pubDate", "date", "published", "updated"))
            _add(links, base_url, href, date, _text(item, "title"))
    for entry in root.xpath("//*[local-name()='entry']"):  # Atom
        href = None
        for link in entry.xpath("./*[local-name()='link']"):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                href = link.get("href")
                break
        if href:
            date = parse_timestamp(_text(entry, "published", "updated"))
            _add(links, base_url, href, date, _text(entry, "title"))
    return links


def parse_sitemap(body: bytes, base_url: str) -> SitemapContent:
    """Child sitemaps (of a sitemap index) and page URLs (of a urlset, with Google News
    `news:publication_date` preferred over `lastmod`)."""
    root = _root(body)
    if root is None:
        return SitemapContent([], [])
    kind = etree.QName(root).localname
    children: list[DiscoveredLink] = []
    urls: list[DiscoveredLink] = []
    if kind == "sitemapindex":
        for sm in root.xpath("./*[local-name()='sitemap']"):
            loc = _text(sm, "loc")
            if loc:
                _add(children, base_url, loc, parse_timestamp(_text(sm, "lastmod")))
    elif kind == "urlset":
        for u in root.xpath("./*[local-name()='url']"):
            loc = _text(u, "loc")
            if not loc:
                continue
            news = u.xpath("./*[local-name()='news']")
            date = title = None
            if news:
                date = parse_timestamp(_text(news[0], "publication_date"))
                title = _text(news[0], "title")
            date = date or parse_timestamp(_text(u, "lastmod"))
            _add(urls, base_url, loc, date, title)
    return SitemapContent(children, urls)


def sitemaps_from_robots(body: bytes, base_url: str) -> list[str]:
    """`Sitemap:` lines of a robots.txt."""
    out = []
    for line in body.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = join_url(base_url, value.strip())
            if url:
                out.append(url)
    return out


def _add(links: list[DiscoveredLink], base_url: str, href: str, date: Timestamp | None,
         title: str | None = None) -> None:
    """Append the link `href` (resolved against `base_url`) unless it is malformed."""
    url = join_url(base_url, href)
    if url:
        links.append(DiscoveredLink(url, date, title))
