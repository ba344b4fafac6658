"""`RawHeadHTTPDownloadHandler`: Scrapy's HTTP/1.1 download handler, plus the raw response
head (status line with its real reason phrase, header lines as received: name case, order,
and the connection-control headers Twisted otherwise keeps to itself).

Twisted's response parser is swapped for a subclass that records the head lines and hands
them on as one extra header, RAW_HEAD_HEADER (base64), which the WARC recorder — the
first downloader middleware to see the response — removes before anything else sees it.
If this handler is not installed the recorder reconstructs the head from Scrapy's headers
(and says so in warcinfo).

This leans on three private classes of scrapy.core.downloader.handlers.http11 (checked
against Scrapy 2.19); if they are missing the handler is plain HTTP11DownloadHandler.
"""

from __future__ import annotations

import base64
import logging
import os
from typing import Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

RAW_HEAD_HEADER = b"X-Storyarchive-Raw-Head"

try:
    from scrapy.core.downloader.handlers.http11 import (
        _LenientHTTP11ClientFactory,
        _LenientHTTP11ClientProtocol,
        _LenientHTTPClientParser,
    )
    from twisted.web._newclient import HEADER, STATUS
except ImportError:  # pragma: no cover - a Scrapy without these internals
    _LenientHTTPClientParser = None  # type: ignore[assignment,misc]


# A server could send a header of the same name; only values carrying this per-process
# token come from our parser.
_TOKEN = base64.b64encode(os.urandom(12))


def encode_head(lines: list[bytes]) -> bytes:
    return _TOKEN + b"." + base64.b64encode(b"\r\n".join(lines))


def decode_head(values: list[bytes] | None) -> list[bytes] | None:
    """The head lines (status line first, no CRLF) from the RAW_HEAD_HEADER values of a
    response, or None if none of them was added by our parser."""
    for value in reversed(values or []):
        token, _, data = value.partition(b".")
        if token == _TOKEN:
            return base64.b64decode(data).split(b"\r\n")
    return None


if _LenientHTTPClientParser is not None:

    class _RawHeadParser(_LenientHTTPClientParser):  # type: ignore[misc,valid-type]
        def lineReceived(self, line: bytes) -> None:
            line = line.removesuffix(b"\r")
            if self.state == STATUS:
                self._storyarchive_head = [line]  # new response (also after a 1xx)
            elif self.state == HEADER:
                if line:
                    self._storyarchive_head.append(line)
                else:  # end of the head: hand the lines on before the response goes out
                    self.headers.addRawHeader(RAW_HEAD_HEADER, encode_head(self._storyarchive_head))
            super().lineReceived(line)

    class _RawHeadProtocol(_LenientHTTP11ClientProtocol):  # type: ignore[misc,valid-type]
        def request(self, request: Any) -> Any:
            d = super().request(request)
            self._parser.__class__ = _RawHeadParser  # same trick as Scrapy's own parser swap
            return d

    class _RawHeadFactory(_LenientHTTP11ClientFactory):  # type: ignore[misc,valid-type]
        def buildProtocol(self, addr: Any) -> Any:
            return _RawHeadProtocol(self._quiescentCallback)


class RawHeadHTTPDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        enabled = crawler.settings.getbool("STORYARCHIVE_WARC_ENABLED")
        if enabled and _LenientHTTPClientParser is not None:
            self._pool._factory = _RawHeadFactory
        elif enabled:  # pragma: no cover
            logger.warning("raw HTTP heads unavailable with this Scrapy; WARC heads are reconstructed")
