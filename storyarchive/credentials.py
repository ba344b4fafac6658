"""Credentials in URLs (`http://user:password@host/`) are sent, never written or logged.

A story file's source or a URL given to `capture` may carry a user and password: the user
means "fetch this with these". `UrlCredentialsMiddleware` (the first downloader middleware)
takes them out of the URL and sends them as a Basic `Authorization` header, so the URL that
Scrapy logs, the WARC records (`WARC-Target-URI`), the journal, the manifest and the
documents name the page without them. The WARC request record keeps the `Authorization`
header as it was sent: that is what crossed the wire. Discovered URLs lose their user info
in canonicalization (storyarchive.urls), so a page cannot choose what we send.

`redact_urls(text)` removes user info from every URL in a text (an error message, a log
line); `RedactUrlCredentials` does it to every log record of a crawl.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit, urlunsplit

from w3lib.http import basic_auth_header

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

# scheme://userinfo@ — userinfo is anything up to the last '@' before the host ends
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@\"'<>]*@")


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """(`url` without user info, user, password), both percent-decoded; user and password
    are None when the URL has no user info."""
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return url, None, None
    user, colon, password = userinfo.partition(":")
    return (urlunsplit(parts._replace(netloc=hostport)), unquote(user),
            unquote(password) if colon else None)


def strip_userinfo(url: str) -> str:
    """`url` without its user info (`user:password@`)."""
    return split_credentials(url)[0]


def redact_urls(text: str) -> str:
    """`text` with the user info of every URL in it removed."""
    return _USERINFO.sub(r"\1", text) if "@" in text else text


class RedactUrlCredentials(logging.Filter):
    """Removes user info from the URLs of every log record (message and arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args or "@" in str(record.msg):
            message = record.getMessage()
            if "@" in message:
                record.msg, record.args = redact_urls(message), ()
        return True

    @classmethod
    def install(cls) -> None:
        """On every handler of the root logger (where Scrapy's log goes), once."""
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, cls) for f in handler.filters):
                handler.addFilter(cls())


class UrlCredentialsMiddleware:
    """Downloader middleware (order 40, the first): a request whose URL has user info is
    replaced by the same request without it and with `Authorization: Basic ...` (unless it
    has one already)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        RedactUrlCredentials.install()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlCredentialsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> Request | None:
        url, user, password = split_credentials(request.url)
        if user is None:
            return None
        headers = request.headers.copy()
        if b"Authorization" not in headers and (user or password):
            headers[b"Authorization"] = basic_auth_header(user, password or "")
        self.stats.inc_value("storyarchive/credentials/moved_to_header")
        return request.replace(url=url, headers=headers)
