"""A response's Content-Type: its media type, whether it is an HTML page, its charset.

The one place the crawl (spiders), extraction and re-extraction read a Content-Type, so
they agree on what is an HTML page and which charset a server declared.
"""

from __future__ import annotations

from w3lib.encoding import http_content_type_encoding

# The media types of an HTML page: HTML and XHTML, the ones Scrapy's responsetypes maps to
# HtmlResponse. XML types (application/xml, text/xml) are not HTML pages: on news sites
# they are feeds and sitemaps, which discovery parses and extraction skips
# (storyarchive.extract.skip: archived with the reason "not-html:<type>").
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def media_type(content_type: str | bytes | None) -> str:
    """The media type of a Content-Type value, lower case, without parameters
    ("Text/HTML; charset=UTF-8" -> "text/html"); "" when there is none."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_html_type(content_type: str | bytes | None) -> bool:
    """Whether a Content-Type value (or a bare media type) names an HTML page."""
    return media_type(content_type) in HTML_TYPES


def declared_charset(content_type: str | None) -> str | None:
    """The charset a Content-Type declares, as a Python codec name, or None when it
    declares none or one Python does not know. Read by w3lib, as Scrapy's TextResponse
    reads it: quoted values and WHATWG labels ("iso-8859-1" and "ascii" mean cp1252,
    "gb2312" means gb18030). The body may still prove it wrong: extract.decode checks."""
    return http_content_type_encoding(content_type)
