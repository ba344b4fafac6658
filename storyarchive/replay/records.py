"""Stored responses read back from the archive: one WARC record per ranged read.

`StoredPayloads(store, slug)` reads the record at (file, offset, length) with
`store.get_range` (never a whole WARC) and resolves a `revisit` to the payload of the
response it refers to, found through the story's CDXJ (same payload digest, not a revisit;
the one at WARC-Refers-To-Target-URI / -Date when several share the digest).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from storyarchive import layout
from storyarchive.replay.urls import timestamp14
from storyarchive.store.base import ArchiveStore

REVISIT_MIME = "warc/revisit"


class RecordNotFoundError(Exception):
    """A WARC record (or a revisit's original) is not where the index or document says."""


@dataclass(frozen=True)
class IndexEntry:
    """One CDXJ line: a response or revisit record of the story."""

    url: str
    timestamp: str
    mime: str | None
    status: str | None
    digest: str | None
    filename: str
    offset: int
    length: int

    @property
    def is_revisit(self) -> bool:
        return self.mime == REVISIT_MIME

    @classmethod
    def from_fields(cls, ts: str, f: dict[str, str]) -> IndexEntry:
        return cls(f["url"], ts, f.get("mime"), f.get("status"), f.get("digest"), f["filename"],
                   int(f["offset"]), int(f["length"]))


@dataclass
class StoredResponse:
    """A response as archived: record headers, HTTP status and headers, and the payload
    with content-encoding removed (for a revisit: the original's payload)."""

    url: str  # WARC-Target-URI
    warc_date: str  # WARC-Date of this record (the revisit's own date for a revisit)
    record_id: str
    record_type: str  # response | revisit
    status: int
    content_type: str
    body: bytes
    filename: str
    offset: int
    length: int


def parse_one(data: bytes) -> ArcWarcRecord:
    """The first record of `data` (a complete gzip member or an uncompressed record)."""
    for record in ArchiveIterator(io.BytesIO(data)):
        return record
    raise RecordNotFoundError("no WARC record in the bytes read")


class StoredPayloads:
    def __init__(self, store: ArchiveStore, slug: str, entries: Iterable[IndexEntry]) -> None:
        self.store = store
        self.slug = slug
        self.by_digest: dict[str, list[IndexEntry]] = {}
        for e in entries:
            if e.digest and not e.is_revisit:
                self.by_digest.setdefault(e.digest, []).append(e)
        self.reads = 0

    def _raw(self, filename: str, offset: int, length: int) -> bytes:
        key = layout.warc_key(self.slug, filename)
        try:
            data = self.store.get_range(key, offset, length)
        except KeyError:
            raise RecordNotFoundError(f"{key} is not in {self.store.uri}") from None
        self.reads += 1
        if len(data) != length:
            raise RecordNotFoundError(f"{key}: asked {length} bytes at {offset}, got {len(data)}")
        return data

    def read(self, filename: str, offset: int, length: int) -> StoredResponse:
        """The response stored at (filename, offset, length), revisits resolved.
        RecordNotFoundError if it or its original cannot be read."""
        record = parse_one(self._raw(filename, offset, length))
        h = record.rec_headers
        rtype = record.rec_type
        if rtype not in ("response", "revisit"):
            raise RecordNotFoundError(f"{filename}@{offset} is a {rtype} record, not a response")
        http = record.http_headers
        status = int(http.get_statuscode() or 0) if http else 0
        ctype = (http.get_header("Content-Type") if http else None) or ""
        if rtype == "response":
            body = record.content_stream().read()
        else:
            body = self._original_payload(record)
        return StoredResponse(
            url=h.get_header("WARC-Target-URI") or "", warc_date=h.get_header("WARC-Date") or "",
            record_id=h.get_header("WARC-Record-ID") or "", record_type=rtype, status=status,
            content_type=ctype, body=body, filename=filename, offset=offset, length=length,
        )

    def read_entry(self, entry: IndexEntry) -> StoredResponse:
        return self.read(entry.filename, entry.offset, entry.length)

    def _original_payload(self, revisit: ArcWarcRecord) -> bytes:
        h = revisit.rec_headers
        digest = h.get_header("WARC-Payload-Digest")
        candidates = self.by_digest.get(digest or "", [])
        if not candidates:
            raise RecordNotFoundError(
                f"revisit {h.get_header('WARC-Record-ID')} of {h.get_header('WARC-Target-URI')}: "
                f"no archived response with payload digest {digest} in story {self.slug!r}"
            )
        target = h.get_header("WARC-Refers-To-Target-URI")
        date = h.get_header("WARC-Refers-To-Date")
        ts = timestamp14(date) if date else None
        best = next((c for c in candidates if c.url == target and c.timestamp == ts), None)
        best = best or next((c for c in candidates if c.url == target), candidates[0])
        original = parse_one(self._raw(best.filename, best.offset, best.length))
        return original.content_stream().read()


def warcinfo_fields(store: ArchiveStore, slug: str, filename: str, probe: int = 16384) -> dict[str, str]:
    """The fields of the warcinfo record that opens a WARC file ({} if it has none)."""
    key = layout.warc_key(slug, filename)
    data = store.get_range(key, 0, min(probe, store.size(key)))
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data))))
    except Exception:  # noqa: BLE001 - a cut-off first record: no warcinfo to read
        return {}
    if record.rec_type != "warcinfo":
        return {}
    fields = {}
    for line in record.content_stream().read().decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip()] = value.strip()
    return fields
