"""`BoundedDecompressionMiddleware`: Scrapy's HttpCompressionMiddleware with a limit on the
decoded size that keeps the response instead of dropping it.

A decompression bomb (1 MB of gzip inflating to 1 GiB) passes STORYARCHIVE_MAX_BODY_BYTES,
which counts the bytes on the wire, and Scrapy's own decoded-size limit (DOWNLOAD_MAXSIZE) is
off in favour of that one. This middleware, in the place of Scrapy's (order 590), decodes a
body only up to STORYARCHIVE_MAX_DECODED_BYTES: past it, decoding stops there (memory never
holds more than the limit, whatever the ratio) and the response goes on as received, still
content-encoded, with the flag "decoded_too_large", so the spiders archive it (the WARC
recorder, next to the downloader, kept the wire bytes already) and do not extract or parse it.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

logger = logging.getLogger(__name__)

FLAG = "decoded_too_large"  # response flag: the body is as received, not decoded


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler=crawler)
        self.limit = crawler.settings.getint("STORYARCHIVE_MAX_DECODED_BYTES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoundedDecompressionMiddleware:
        if not crawler.settings.getbool("COMPRESSION_ENABLED"):
            raise NotConfigured("COMPRESSION_ENABLED is off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:  # type: ignore[override]
        encodings = response.headers.getlist("Content-Encoding")
        if request.method == "HEAD" or not encodings:
            return response
        try:
            body, kept = self._handle_encoding(response.body, encodings, self.limit)
        except _DecompressionMaxSizeExceeded as exc:
            assert self.stats is not None
            self.stats.inc_value("storyarchive/decoded_limit_hit")
            logger.warning("%s: %d bytes on the wire decode to more than "
                           "STORYARCHIVE_MAX_DECODED_BYTES=%d (%d so far); archived as received, "
                           "not extracted", response.url, len(response.body), self.limit,
                           exc.decompressed_size)
            return response.replace(flags=[*response.flags, FLAG])
        if kept:
            self._warn_unknown_encoding(response, kept)
        if self.stats:
            self.stats.inc_value("httpcompression/response_bytes", len(body))
            self.stats.inc_value("httpcompression/response_count")
        cls = responsetypes.from_args(headers=response.headers, url=response.url, body=body)
        kwargs: dict[str, Any] = {"body": body}
        if issubclass(cls, TextResponse):
            kwargs["encoding"] = None  # as Scrapy's: the encoding is guessed again
        response.headers["Content-Encoding"] = kept
        response = response.replace(cls=cls, **kwargs)
        if not kept:
            del response.headers["Content-Encoding"]
        return response
