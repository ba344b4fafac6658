"""`ArchivedResponseMiddleware`: a resumed crawl fetches nothing twice.

A downloader middleware placed just before the WARC recorder (order 940). While a crawl
runs it journals every exchange the recorder archived ("fetch": method, URL, WarcRef).
When the crawl is resumed (`storyarchive resume`, or the next crawl of the story), every
request for something this crawl already archived is answered from its WARC record instead
of the network: the spider parses feeds, sitemaps and pages again from the archive, so the
frontier a kill took with it is rebuilt without a fetch; pages whose result is already in
the journal carry `meta["storyarchive_handled"]` and the spiders do not hand them to the
pipelines again. Answers are not archived again (the recorder only records what went
through its own process_request) and carry the flag "archived".

Scrapy's JOBDIR keeps the frontier across a clean stop (Ctrl-C, SIGTERM); after a kill its
queue cannot be read back, and this middleware is what makes the resume whole.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from storyarchive import layout
from storyarchive.items import WarcRef
from storyarchive.replay.records import RecordNotFoundError, parse_one
from storyarchive.store.base import ArchiveStore, StoreError
from storyarchive.store.spool import spool_path

# The recorder's meta keys (storyarchive.warc.middleware; not imported here, since that
# module installs a reactor and the spiders import this one before Scrapy chooses it).
META_REF = "storyarchive_warc"
META_TRUNCATED = "storyarchive_truncated"

logger = logging.getLogger(__name__)

META_HANDLED = "storyarchive_handled"
_META_BEFORE = "_storyarchive_ref_before"
# Headers that described the bytes on the wire; the answer's body is the decoded payload.
_WIRE_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding",
                           b"x-storyarchive-orig-transfer-encoding",
                           b"x-storyarchive-orig-content-length"})
_TRUNCATION_FLAGS = {"length": "download_stopped", "disconnect": "dataloss"}


class ArchivedResponseMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._pipeline: Any = None
        self._payloads: Any = None  # StoredPayloads, made for the first revisit
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivedResponseMiddleware:
        return cls(crawler)

    def spider_opened(self) -> None:
        from pipelines.store import StorePipeline

        self._pipeline = self.crawler.get_item_pipeline(StorePipeline)

    @property
    def _store(self) -> ArchiveStore:
        return self._pipeline.store  # type: ignore[no-any-return]

    def process_request(self, request: Request) -> Response | None:
        request.meta[_META_BEFORE] = request.meta.get(META_REF)
        pipeline = self._pipeline
        if pipeline is None or not pipeline.resume:
            return None
        warc = pipeline.resume.fetched.get((request.method, request.url))
        if warc is None:
            return None
        try:
            response = self._answer(request, warc, pipeline.slug)
        except (RecordNotFoundError, StoreError, OSError, ValueError) as exc:
            # the record is gone (a WARC lost with the spool?): fetch it again
            logger.warning("cannot answer %s from the archive (%s); fetching it", request.url, exc)
            self.stats.inc_value("storyarchive/resume/unanswerable")
            return None
        if (warc["filename"], int(warc["offset"])) in pipeline.resume.handled:
            request.meta[META_HANDLED] = True
        self.stats.inc_value("storyarchive/resume/answered")
        return response

    def process_response(self, request: Request, response: Response) -> Response:
        ref = request.meta.get(META_REF)
        if (ref is not None and ref is not request.meta.get(_META_BEFORE)
                and "archived" not in response.flags and self._pipeline is not None):
            self._pipeline.record("fetch", method=request.method, url=request.url,
                                  warc=_ref_dict(ref))
        return response

    # ------------------------------------------------------------------------------
    def _raw(self, slug: str, filename: str, offset: int, length: int) -> bytes:
        key = layout.warc_key(slug, filename)
        try:
            data = self._store.get_range(key, offset, length)
        except (KeyError, StoreError):
            # not delivered yet (the store was away): the file waits in the spool
            path: Path = spool_path(self._store, key)
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read(length)
        if len(data) != length:
            raise RecordNotFoundError(f"{key}: {length} bytes at {offset} not readable")
        return data

    def _answer(self, request: Request, warc: dict[str, Any], slug: str) -> Response:
        filename, offset, length = warc["filename"], int(warc["offset"]), int(warc["length"])
        record = parse_one(self._raw(slug, filename, offset, length))
        http = record.http_headers
        if http is None:
            raise RecordNotFoundError(f"{filename}@{offset} has no HTTP response")
        wire = _WIRE_HEADERS
        if record.rec_type == "revisit":
            body = self._revisit_payload(slug, filename, offset, length)
        else:
            # Decoded only up to STORYARCHIVE_MAX_DECODED_BYTES, as when it was fetched: a
            # decompression bomb is answered as stored, still encoded, and the decompression
            # middleware flags it again (storyarchive/decompression.py).
            limit = self.crawler.settings.getint("STORYARCHIVE_MAX_DECODED_BYTES")
            body = _read_at_most(record.content_stream(), limit + 1 if limit else -1)
            if limit and len(body) > limit:
                body = parse_one(self._raw(slug, filename, offset, length)).raw_stream.read()
                wire = _WIRE_HEADERS - {b"content-encoding"}
        headers = Headers([(k.encode("latin-1"), v.encode("latin-1")) for k, v in http.headers
                           if k.lower().encode("latin-1") not in wire])
        flags = ["archived"]
        truncated = record.rec_headers.get_header("WARC-Truncated")
        if truncated:
            flags.append(_TRUNCATION_FLAGS.get(truncated, "download_stopped"))
            request.meta[META_TRUNCATED] = truncated
        request.meta[META_REF] = WarcRef(filename, offset, length, warc.get("record_id") or "",
                                         warc.get("record_type") or record.rec_type, warc.get("date"))
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(url=request.url, status=int(http.get_statuscode() or 0), headers=headers,
                   body=body, flags=flags, request=request,
                   protocol=(http.protocol or "HTTP/1.1").split()[0])

    def _revisit_payload(self, slug: str, filename: str, offset: int, length: int) -> bytes:
        from storyarchive.replay.records import StoredPayloads
        from storyarchive.replay.reextract import story_entries

        if self._payloads is None:
            self._payloads = StoredPayloads(self._store, slug, story_entries(self._store, slug))
        return self._payloads.read(filename, offset, length).body  # type: ignore[no-any-return]


def _read_at_most(stream: Any, size: int) -> bytes:
    """Up to `size` bytes of `stream` (all of it if `size` < 0): warcio's readers return
    one block per read."""
    if size < 0:
        return stream.read()  # type: ignore[no-any-return]
    parts, got = [], 0
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _ref_dict(ref: WarcRef) -> dict[str, Any]:
    return {"filename": ref.filename, "offset": ref.offset, "length": ref.length,
            "record_id": ref.record_id, "record_type": ref.record_type, "date": ref.date}
