"""`MaxBodySize`: cut response bodies at STORYARCHIVE_MAX_BODY_BYTES, keeping what arrived.

Scrapy's own DOWNLOAD_MAXSIZE drops an oversized response; this extension instead stops the
download through the `bytes_received` signal (StopDownload(fail=False)), so the partial
response still reaches the WARC recorder (archived with `WARC-Truncated: length`) and the
spider (flag "download_stopped", meta "storyarchive_truncated" = "length": not extracted).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured, StopDownload

logger = logging.getLogger(__name__)

_META_COUNT = "_storyarchive_bytes"  # (id(request), bytes so far)


class MaxBodySize:
    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MaxBodySize:
        limit = crawler.settings.getint("STORYARCHIVE_MAX_BODY_BYTES")
        if limit <= 0:
            raise NotConfigured("STORYARCHIVE_MAX_BODY_BYTES is 0 (no limit)")
        return cls(crawler, limit)

    def bytes_received(self, data: bytes, request: Request, **_: Any) -> None:
        key, count = request.meta.get(_META_COUNT, (None, 0))
        count = (count if key == id(request) else 0) + len(data)
        request.meta[_META_COUNT] = (id(request), count)
        if count > self.limit:
            request.meta["storyarchive_truncated"] = "length"
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("storyarchive/warc/body_limit_hit")
            logger.warning(
                "%s: body over STORYARCHIVE_MAX_BODY_BYTES=%d, cut at %d bytes",
                request.url,
                self.limit,
                count,
            )
            raise StopDownload(fail=False)
