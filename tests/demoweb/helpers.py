"""Small helpers for the demo web tests: fetch over real sockets, parse HTML and XML."""

from __future__ import annotations

import http.client
import unicodedata
from urllib.parse import urlsplit

from lxml import etree, html

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9",
      "atom": "http://www.w3.org/2005/Atom"}


def fetch(url: str, headers: dict[str, str] | None = None,
          method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request with http.client (no redirect following): status, headers, raw body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def page(url: str) -> html.HtmlElement:
    status, _, body = fetch(url)
    assert status == 200, f"{url} answered {status}"
    return html.fromstring(body)


def xml(url: str) -> etree._Element:
    status, headers, body = fetch(url)
    assert status == 200, f"{url} answered {status}"
    assert "xml" in headers["content-type"]
    return etree.fromstring(body)


def feed_links(url: str) -> list[str]:
    """The item links of an RSS 2.0 or Atom feed."""
    root = xml(url)
    if root.tag == "rss":
        return [link.text for link in root.iterfind("channel/item/link")]
    return [link.get("href") for link in root.iterfind("atom:entry/atom:link", NS)]


def sitemap_entries(url: str) -> dict[str, str]:
    """{loc: news:publication_date} of a news sitemap, following a sitemap index."""
    root = xml(url)
    if root.tag.endswith("sitemapindex"):
        out: dict[str, str] = {}
        for loc in root.iterfind("sm:sitemap/sm:loc", NS):
            out.update(sitemap_entries(loc.text))
        return out
    return {u.findtext("sm:loc", namespaces=NS): u.findtext("news:news/news:publication_date", namespaces=NS)
            for u in root.iterfind("sm:url", NS)}


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def matches_term(term: str, text: str) -> bool:
    """Whole-word, case- and accent-insensitive match of any alternative of "a | b | c"."""
    words = " " + " ".join("".join(ch if ch.isalnum() else " " for ch in fold(text)).split()) + " "
    return any(f" {fold(alt.strip())} " in words for alt in term.split("|"))
