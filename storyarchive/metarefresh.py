"""`TolerantMetaRefreshMiddleware`: Scrapy's MetaRefreshMiddleware, except that a page whose
<base href> (or refresh URL) urllib refuses is passed on instead of failing.

Scrapy resolves a page's meta refresh against its base URL (w3lib's get_base_url), which
raises ValueError for a malformed one ("http://[oops": an unclosed IPv6 bracket). Scrapy
then fails the whole response as if it had never arrived: the page was archived (the WARC
recorder is next to the downloader), but it was neither extracted nor read for links, and
was reported as "no answer". A browser ignores such a base URL; so does this middleware,
in the place of Scrapy's (order 580): the page goes on to the spider without a refresh.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import Response

logger = logging.getLogger(__name__)


class TolerantMetaRefreshMiddleware(MetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        try:
            return super().process_response(request, response)
        except ValueError as exc:  # a URL w3lib refuses: no refresh to follow
            logger.debug("meta refresh not read on %s: %s", response.url, exc)
            return response
