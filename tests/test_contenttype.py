"""Content-Type: one reading of the media type, HTML-ness and declared charset."""

from __future__ import annotations

import pytest

from storyarchive.contenttype import declared_charset, is_html_type, media_type


@pytest.mark.parametrize(("value", "expected"), [
    ("Text/HTML; charset=UTF-8", "text/html"),
    (b"application/xhtml+xml", "application/xhtml+xml"),
    ("  text/html  ", "text/html"),
    ("", ""),
    (None, ""),
])
def test_media_type(value: str | bytes | None, expected: str) -> None:
    assert media_type(value) == expected


@pytest.mark.parametrize(("value", "html"), [
    ("text/html; charset=utf-8", True),
    ("application/xhtml+xml", True),
    (b"TEXT/HTML", True),
    ("application/xml", False),  # a sitemap
    ("text/xml; charset=utf-8", False),  # an RSS feed served as text/xml
    ("application/rss+xml", False),
    ("text/plain", False),
    ("text/html-sandboxed", False),
    (None, False),
])
def test_is_html_type(value: str | bytes | None, html: bool) -> None:
    assert is_html_type(value) is html


@pytest.mark.parametrize(("value", "charset"), [
    ("text/html; charset=utf-8", "utf-8"),
    ("text/html; Charset=\"UTF-8\"", "utf-8"),
    ("text/html;charset=windows-1251", "cp1251"),
    # not a token or a quoted string: browsers ignore it too, and the body decides
    ("text/html;charset='windows-1251'", None),
    ("text/html; charset=ISO-8859-1", "cp1252"),  # WHATWG: what browsers decode it as
    ("text/html; foo=\"charset=koi8-r\"; charset=utf-8", "utf-8"),  # not inside a quoted value
    ("text/html; charset=no-such-charset", None),
    ("text/html", None),
    ("", None),
    (None, None),
])
def test_declared_charset(value: str | None, charset: str | None) -> None:
    assert declared_charset(value) == charset
