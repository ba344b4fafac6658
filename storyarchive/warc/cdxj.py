"""CDXJ index lines, as pywb and cdxj-indexer write them.

    <SURT key> <14-digit timestamp> {"url": ..., "mime": ..., "status": ..., "digest": ...,
                                     "length": ..., "offset": ..., "filename": ...}

One line per response and revisit record; `length`/`offset` are strings (as cdxj-indexer
writes them); a file's lines are sorted bytewise, which is what pywb's binary search needs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import surt

INDEXED_TYPES = ("response", "revisit")
_MIME_SPLIT = re.compile(r"[;\s]")


@dataclass(frozen=True)
class CdxjEntry:
    url: str
    timestamp: str  # 14 digits
    mime: str | None
    status: str | None
    digest: str | None
    length: int
    offset: int
    filename: str

    def line(self) -> str:
        fields: dict[str, str] = {"url": self.url}
        if self.mime:
            fields["mime"] = self.mime
        if self.status:
            fields["status"] = self.status
        if self.digest:
            fields["digest"] = self.digest
        fields.update(length=str(self.length), offset=str(self.offset), filename=self.filename)
        return f"{url_key(self.url)} {self.timestamp} {json.dumps(fields)}"


def url_key(url: str) -> str:
    """The SURT sort key of `url` (pywb's default)."""
    try:
        return str(surt.surt(url))
    except Exception:  # noqa: BLE001 - same fallback as cdxj-indexer for unparseable URLs
        return url


def mime_of(content_type: str | None, record_type: str) -> str | None:
    """The CDXJ `mime`: 'warc/revisit' for revisits, else the media type without parameters."""
    if record_type == "revisit":
        return "warc/revisit"
    if not content_type:
        return None
    return _MIME_SPLIT.split(content_type, 1)[0].strip() or None


def sorted_lines(entries: Iterable[CdxjEntry]) -> list[str]:
    return sorted((e.line() for e in entries), key=lambda s: s.encode("utf-8"))


def write_cdxj(path: Path, entries: Iterable[CdxjEntry]) -> None:
    """Write the sorted index of `entries` to `path` (UTF-8, one line each)."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for line in sorted_lines(entries):
            out.write(line + "\n")


def parse_line(line: str) -> tuple[str, str, dict[str, str]]:
    """(key, timestamp, fields) of one CDXJ line; ValueError if it is not one."""
    key, ts, rest = line.rstrip("\n").split(" ", 2)
    return key, ts, json.loads(rest)


def read_cdxj(path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield parse_line(line)


def index_warc(path: Path, filename: str | None = None) -> Iterator[CdxjEntry]:
    """CdxjEntry of every response/revisit record of the WARC at `path`, read with warcio.
    Raises warcio.exceptions.ArchiveLoadFailed for a file that is not a valid WARC."""
    from warcio.archiveiterator import ArchiveIterator

    name = filename or path.name
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        for record in it:
            rtype = record.rec_type
            if rtype not in INDEXED_TYPES:
                continue
            headers = record.http_headers
            status = headers.get_statuscode() if headers else None
            ctype = headers.get_header("Content-Type") if headers else None
            date = record.rec_headers.get_header("WARC-Date") or ""
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            offset = it.get_record_offset()
            it.read_to_end(record)
            length = it.get_record_length()
            yield CdxjEntry(
                url=url,
                timestamp=_ts14(date),
                mime=mime_of(ctype, rtype),
                status=status,
                digest=digest,
                length=length,
                offset=offset,
                filename=name,
            )


def _ts14(warc_date: str) -> str:
    return re.sub(r"\D", "", warc_date)[:14]
