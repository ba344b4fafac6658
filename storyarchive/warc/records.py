"""Pure functions that build WARC/1.1 records (header fields and block parts).

Nothing here does I/O: the writer (storyarchive.warc.writer) compresses and stores what
these functions return. A record is `WarcRecord(fields, parts)`: the WARC header fields in
order (without Content-Length, which the writer adds from the parts) and the block as a
list of byte strings that are written one after the other, never joined (a body is never
copied).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from storyarchive.warc.digests import Digester

WARC_VERSION = b"WARC/1.1"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
HTTP_RESPONSE_TYPE = "application/http; msgtype=response"
HTTP_REQUEST_TYPE = "application/http; msgtype=request"
# Stored under these names when the stored bytes no longer match the original header.
ORIG_CONTENT_LENGTH = b"X-StoryArchive-Orig-Content-Length"
ORIG_TRANSFER_ENCODING = b"X-StoryArchive-Orig-Transfer-Encoding"

# Marks a response/revisit record whose HTTP head was rebuilt from parsed headers.
RECONSTRUCTED_FIELD = "StoryArchive-HTTP-Head"

Header = tuple[bytes, bytes]


@dataclass
class WarcRecord:
    fields: list[tuple[str, str]]
    parts: list[bytes | memoryview] = field(default_factory=list)

    @property
    def length(self) -> int:
        return sum(len(p) for p in self.parts)

    def get(self, name: str) -> str | None:
        for k, v in self.fields:
            if k.lower() == name.lower():
                return v
        return None


@dataclass
class HttpExchange:
    """One request/response pair as it crossed the wire (what the recorder archives).

    `request_headers`/`response_headers` are (name, value) pairs in the order received,
    repeated headers as separate pairs. `truncated` is None, "length" (cut at the size
    limit) or "disconnect" (the connection ended before the declared length).
    """

    url: str
    method: str
    request_headers: list[Header]
    request_body: bytes
    status: int
    protocol: str  # "HTTP/1.1"
    response_headers: list[Header]
    body: bytes
    date: datetime
    ip_address: str | None = None
    truncated: str | None = None
    raw_response_head: list[bytes] | None = None  # status line + header lines as received


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(when: datetime) -> str:
    """WARC/1.1 date with microseconds, UTC: 2026-11-24T09:11:43.123456Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def timestamp14(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def request_target(url: str) -> bytes:
    """The request line's target: path and query of `url` ('/' if the path is empty)."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return target.encode("ascii", "backslashreplace")


def host_value(url: str) -> bytes:
    """The Host header Twisted sends for `url`: the host, plus the port if not the default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    if parts.port and parts.port != default:
        host = f"{host}:{parts.port}"
    return host.encode("idna" if not host.isascii() else "ascii")


def http_request_head(method: str, url: str, headers: Sequence[Header], body_length: int) -> bytes:
    """Request line and headers as sent (Host first, added from the URL when the request
    did not set one, as Twisted does; Content-Length for a body)."""
    lines = [method.encode("ascii") + b" " + request_target(url) + b" HTTP/1.1"]
    names = {n.lower() for n, _ in headers}
    if b"host" not in names:
        lines.append(b"Host: " + host_value(url))
    if body_length and b"content-length" not in names:
        lines.append(b"Content-Length: " + str(body_length).encode())
    lines.extend(n + b": " + v for n, v in headers)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def status_line(protocol: str, status: int) -> bytes:
    """The status line; the reason phrase is reconstructed (Twisted does not hand it on)."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return f"{protocol or 'HTTP/1.1'} {status} {reason}".rstrip().encode("ascii") + b"\r\n"


def http_response_head(
    protocol: str,
    status: int,
    headers: Sequence[Header],
    body_length: int,
    raw_head: Sequence[bytes] | None = None,
) -> bytes:
    """Status line and headers as received, with a Content-Length that matches the stored
    body: a different original value is kept as X-StoryArchive-Orig-Content-Length, a
    Transfer-Encoding (the body is stored transfer-decoded) as
    X-StoryArchive-Orig-Transfer-Encoding.

    `raw_head` (status line, then header lines, as received) is used byte for byte when
    given; otherwise the head is rebuilt from `headers` with a reconstructed reason phrase."""
    if raw_head:
        out = [raw_head[0] + b"\r\n"]
        lines: Iterable[bytes] = raw_head[1:]
    else:
        out = [status_line(protocol, status)]
        lines = (name + b": " + value for name, value in headers)
    has_length = False
    for line in lines:
        name, _, value = line.partition(b":")
        lname = name.strip().lower()
        if lname == b"content-length":
            if has_length:
                continue
            has_length = True
            if value.strip() != str(body_length).encode():
                out.append(ORIG_CONTENT_LENGTH + b": " + value.strip() + b"\r\n")
                line = b"Content-Length: " + str(body_length).encode()
        elif lname == b"transfer-encoding":
            line = ORIG_TRANSFER_ENCODING + b":" + value
        out.append(line + b"\r\n")
    if not has_length:
        out.append(b"Content-Length: " + str(body_length).encode() + b"\r\n")
    out.append(b"\r\n")
    return b"".join(out)


def _digests(parts: Iterable[bytes | memoryview], payload_from: int) -> tuple[str, str]:
    """(block digest, payload digest) of `parts`; the payload is parts[payload_from:]."""
    block, payload = Digester(), Digester()
    for i, part in enumerate(parts):
        block.update(part)
        if i >= payload_from:
            payload.update(part)
    return block.value(), payload.value()


def warcinfo_record(filename: str, when: datetime, info: Sequence[tuple[str, str]]) -> WarcRecord:
    """The first record of every file: `info` as application/warc-fields."""
    block = b"".join(f"{k}: {v}\r\n".encode() for k, v in info)
    fields = [
        ("WARC-Type", "warcinfo"),
        ("WARC-Record-ID", new_record_id()),
        ("WARC-Date", warc_date(when)),
        ("WARC-Filename", filename),
        ("Content-Type", "application/warc-fields"),
        ("WARC-Block-Digest", _digests([block], 1)[0]),
    ]
    return WarcRecord(fields, [block])


def request_record(ex: HttpExchange, record_id: str, concurrent_to: str, warcinfo_id: str) -> WarcRecord:
    head = http_request_head(ex.method, ex.url, ex.request_headers, len(ex.request_body))
    parts: list[bytes | memoryview] = [head]
    if ex.request_body:
        parts.append(ex.request_body)
    block_digest, payload_digest = _digests(parts, 1)
    fields = _exchange_fields("request", ex, record_id, warcinfo_id, concurrent_to)
    fields += [
        ("Content-Type", HTTP_REQUEST_TYPE),
        ("WARC-Block-Digest", block_digest),
        ("WARC-Payload-Digest", payload_digest),
    ]
    return WarcRecord(fields, parts)


def _exchange_fields(
    warc_type: str, ex: HttpExchange, record_id: str, warcinfo_id: str, concurrent_to: str
) -> list[tuple[str, str]]:
    """The header fields every record of one HTTP exchange starts with, in this order."""
    fields = [
        ("WARC-Type", warc_type),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(ex.date)),
        ("WARC-Target-URI", ex.url),
        ("WARC-Warcinfo-ID", warcinfo_id),
        ("WARC-Concurrent-To", concurrent_to),
    ]
    if ex.ip_address:
        fields.append(("WARC-IP-Address", ex.ip_address))
    return fields


@dataclass(frozen=True)
class RevisitTarget:
    """The record a revisit refers to: its URI, WARC-Date and WARC-Record-ID."""

    uri: str
    date: str
    record_id: str


def response_record(
    ex: HttpExchange,
    record_id: str,
    concurrent_to: str,
    warcinfo_id: str,
    payload_digest: str,
    revisit_of: RevisitTarget | None = None,
) -> WarcRecord:
    """The response record, or a revisit record (headers only) when `revisit_of` is set.
    `payload_digest` is the digest of `ex.body` (computed once by the caller)."""
    head = http_response_head(ex.protocol, ex.status, ex.response_headers, len(ex.body), ex.raw_response_head)
    fields = _exchange_fields(
        "revisit" if revisit_of else "response", ex, record_id, warcinfo_id, concurrent_to
    )
    if not ex.raw_response_head:
        fields.append((RECONSTRUCTED_FIELD, "reconstructed"))
    if revisit_of:
        parts: list[bytes | memoryview] = [head]
        fields += [
            ("WARC-Profile", REVISIT_PROFILE),
            ("WARC-Refers-To-Target-URI", revisit_of.uri),
            ("WARC-Refers-To-Date", revisit_of.date),
            ("WARC-Refers-To", revisit_of.record_id),
        ]
        block_digest = _digests(parts, 1)[0]
    else:
        parts = [head, ex.body] if ex.body else [head]
        block = Digester()
        block.update(head)
        if ex.body:
            block.update(ex.body)
        block_digest = block.value()
        if ex.truncated:
            fields.append(("WARC-Truncated", ex.truncated))
    fields += [
        ("Content-Type", HTTP_RESPONSE_TYPE),
        ("WARC-Block-Digest", block_digest),
        ("WARC-Payload-Digest", payload_digest),
    ]
    return WarcRecord(fields, parts)


def header_block(rec: WarcRecord) -> bytes:
    """The WARC header of `rec` (version line, fields, Content-Length, blank line)."""
    lines = [WARC_VERSION]
    lines += [f"{k}: {v}".encode() for k, v in rec.fields]
    lines.append(b"Content-Length: " + str(rec.length).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"
