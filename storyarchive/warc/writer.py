"""Writing WARC files: one gzip member per record, `.open` while written, rotated by size
and age, renamed on close to PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz, indexed (CDXJ) and
delivered to the store.

Not thread-safe by design: the middleware calls a `RotatingWarcWriter` from one dedicated
thread only, so records are written in order and never interleaved.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import socket
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from isal import isal_zlib

from storyarchive import SOFTWARE, defaults
from storyarchive.items import WarcRef
from storyarchive.layout import cdxj_key, warc_key
from storyarchive.store import ArchiveStore
from storyarchive.store.spool import OPEN_SUFFIX, deliver, in_spool_dir, spool_path
from storyarchive.warc.cdxj import CdxjEntry, mime_of, write_cdxj
from storyarchive.warc.digests import ALGORITHM, digest
from storyarchive.warc.records import (
    HttpExchange,
    RevisitTarget,
    WarcRecord,
    header_block,
    new_record_id,
    request_record,
    response_record,
    timestamp14,
    warc_date,
    warcinfo_record,
)
from storyarchive.warc.revisits import DigestIndex

logger = logging.getLogger(__name__)

REASON_NOTE = (
    "HTTP status lines and header lines are stored byte for byte as received, except that bodies "
    "are stored transfer-decoded: Transfer-Encoding is renamed X-StoryArchive-Orig-Transfer-Encoding "
    "and Content-Length always matches the stored body (a differing original value is kept as "
    "X-StoryArchive-Orig-Content-Length). Response records marked 'StoryArchive-HTTP-Head: "
    "reconstructed' were rebuilt from the HTTP client's parsed headers: reason phrase reconstructed "
    "from the status code, header names in canonical case, connection headers absent"
)
_CHUNK = 1 << 20
ISAL_LEVELS = range(0, 4)  # ISA-L's deflate (python-isal): the default
ZLIB_LEVELS = range(4, 10)  # zlib's: smaller files for 3-12x the CPU


def check_gzip_level(level: int) -> int:
    """`level` (STORYARCHIVE_WARC_GZIP_LEVEL) if it names a compressor; ValueError if not."""
    if level not in ISAL_LEVELS and level not in ZLIB_LEVELS:
        raise ValueError(f"STORYARCHIVE_WARC_GZIP_LEVEL must be 0-3 (ISA-L) or 4-9 (zlib), not {level}")
    return level


def gzip_member_compressor(level: int) -> Any:
    """A compressobj that writes one gzip member at `level` (checked by check_gzip_level).

    Levels 0-3 are ISA-L's deflate (Intel's Intelligent Storage Acceleration Library, via
    python-isal): on real news pages level 3 takes a sixth of the CPU of zlib's level 6
    for files about 10% larger, and the record's compression was the largest part of the
    crawl process's CPU per page (bench/realpages.py). Levels 4-9 are zlib's, for whoever
    would rather pay CPU for size. Either writes standard gzip: every reader (warcio, pywb,
    zcat) reads both."""
    if check_gzip_level(level) in ISAL_LEVELS:
        return isal_zlib.compressobj(level, isal_zlib.DEFLATED, 31)
    return zlib.compressobj(level, zlib.DEFLATED, 31)


class WarcWriteError(Exception):
    """A record could not be written (a full disk, a short write): the exchange is not
    archived. The file it was going into was cut back to its last whole record and closed
    (or, if that failed too, left `.open` for recovery); nothing is appended after it."""


class WarcFile:
    """One WARC file being written at `path` (ending in .open), locked against recovery
    by other processes while open.

    Writes go straight to the file descriptor (no user-space buffer that could hold a
    half-written record and write it out later): a write that fails cuts the file back to
    the end of its last whole member, so the file never holds a hole."""

    def __init__(self, path: Path, level: int = defaults.STORYARCHIVE_WARC_GZIP_LEVEL) -> None:
        self.path = path
        self._level = check_gzip_level(level)
        self._f: BinaryIO = in_spool_dir(path, lambda: open(path, "xb", buffering=0))  # noqa: SIM115 - closed in close()
        fcntl.flock(self._f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._size = 0
        self.damaged = False  # a failed write could not be cut back: never write here again

    @property
    def size(self) -> int:
        return self._size

    def write(self, rec: WarcRecord) -> tuple[int, int]:
        """Append `rec` as one gzip member; return (offset, length) of the member. OSError
        if it cannot be written whole; the file then ends where it ended before."""
        if self.damaged:
            raise OSError(errno.EIO, f"{self.path.name} was damaged by an earlier failed write")
        offset = self._size
        comp = gzip_member_compressor(self._level)
        out: list[bytes] = [comp.compress(header_block(rec))]
        pending = len(out[0])
        try:
            for part in rec.parts:
                view = memoryview(part)
                for i in range(0, len(view), _CHUNK):
                    data = comp.compress(view[i : i + _CHUNK])
                    out.append(data)
                    pending += len(data)
                    if pending >= _CHUNK:
                        self._write_all(b"".join(out))
                        out, pending = [], 0
            out += [comp.compress(b"\r\n\r\n"), comp.flush()]
            self._write_all(b"".join(out))
        except OSError:
            self.cut(offset)
            raise
        return offset, self._size - offset

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = self._f.write(view)
            if not n:  # a short write that made no progress: the disk is full
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self._size += n
            view = view[n:]

    def cut(self, end: int) -> None:
        """Cut the file back to `end` (the end of a whole member) after a failed write; if
        that fails too, mark it damaged (recovery cuts the tail)."""
        try:
            os.ftruncate(self._f.fileno(), end)
            self._size = end
        except OSError as exc:
            logger.error("cannot cut %s back to %d bytes after a failed write: %s", self.path, end, exc)
            self.damaged = True

    def sync(self) -> None:
        os.fsync(self._f.fileno())

    def close(self, final_path: Path) -> None:
        """Rename to `final_path` (call sync() first), then release the file and its lock."""
        os.rename(self.path, final_path)
        self._f.close()

    def abandon(self) -> None:
        """Release the file and its lock without renaming it: it stays `.open` in the spool,
        where recovery (`storyarchive store sync`, the story's next crawl) closes it."""
        try:
            self._f.close()
        except OSError as exc:
            logger.error("closing %s: %s", self.path, exc)


def file_name(prefix: str, when: datetime, serial: int, host: str) -> str:
    """PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz with a 17-digit UTC timestamp (milliseconds)."""
    ts = when.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
    safe_host = "".join(c if c.isalnum() or c in ".-" else "-" for c in host)
    return f"{prefix}-{ts}-{serial:05d}-{safe_host}.warc.gz"


@dataclass
class WriterConfig:
    slug: str
    crawl_id: str
    prefix: str = defaults.STORYARCHIVE_WARC_PREFIX
    max_bytes: int = defaults.STORYARCHIVE_WARC_MAX_BYTES
    max_age: float = defaults.STORYARCHIVE_WARC_MAX_AGE
    operator: str = defaults.STORYARCHIVE_WARC_OPERATOR
    gzip_level: int = defaults.STORYARCHIVE_WARC_GZIP_LEVEL
    revisits: bool = defaults.STORYARCHIVE_WARC_REVISITS
    revisit_min_bytes: int = defaults.STORYARCHIVE_WARC_REVISIT_MIN_BYTES
    host: str = field(default_factory=socket.gethostname)
    user_agent: str = ""  # the crawl's User-Agent (warcinfo http-header-user-agent)
    robots: str = ""  # "obey" | "ignore": how the crawl treated robots.txt (warcinfo robots)


@dataclass
class ClosedFile:
    filename: str
    records: int
    bytes: int
    delivered: bool


@dataclass
class WriteStats:
    records: int = 0
    responses: int = 0
    revisits: int = 0
    bytes: int = 0
    files_closed: int = 0


class RotatingWarcWriter:
    """Writes exchanges of one story collection into rotating WARC files in the spool of
    `store`, delivering each closed file and its CDXJ index."""

    def __init__(
        self,
        store: ArchiveStore,
        config: WriterConfig,
        digest_index: DigestIndex | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.config = config
        self.index = digest_index
        self.stats = WriteStats()
        self.closed: list[ClosedFile] = []
        self._clock = clock
        self._serial = 0
        self._file: WarcFile | None = None
        self._name = ""
        self._opened_at = 0.0
        self._warcinfo_id = ""
        self._entries: list[CdxjEntry] = []
        self._records_in_file = 0
        # Closed files go to the store on their own thread: an upload (checksum, PUT, verify)
        # must not hold up the writing of new records, which the crawl waits for.
        self._uploader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyarchive-upload")
        self._deliveries: list[tuple[ClosedFile, Future[bool]]] = []
        # digests of records in files of this process not yet registered in the index
        self._pending: dict[str, RevisitTarget] = {}
        self._pending_in_file: list[tuple[str, RevisitTarget]] = []
        # what could not be written or closed (WarcWriteError messages), for the crawl's end
        self.failures: list[str] = []

    # ------------------------------------------------------------------ files
    def _open(self) -> None:
        now = datetime.now(UTC)
        self._name = file_name(self.config.prefix or self.config.slug, now, self._serial, self.config.host)
        self._serial += 1
        path = spool_path(self.store, warc_key(self.config.slug, self._name + OPEN_SUFFIX))
        try:
            self._file = WarcFile(path, self.config.gzip_level)
        except OSError as exc:
            raise self._failed(f"cannot create the WARC file {path}: {exc.strerror or exc}") from exc
        self._opened_at = self._clock()
        self._entries = []
        self._records_in_file = 0
        info = warcinfo_record(self._name, now, self.warcinfo_fields())
        self._warcinfo_id = info.get("WARC-Record-ID") or ""
        try:
            self._write(info)
        except OSError as exc:  # not even its warcinfo: the file holds nothing, remove it
            self._file.abandon()
            path.unlink(missing_ok=True)
            self._file = None
            raise self._failed(f"cannot write the WARC file {path}: {exc.strerror or exc}") from exc

    def warcinfo_fields(self) -> list[tuple[str, str]]:
        c = self.config
        fields = [
            ("software", SOFTWARE),
            ("format", "WARC File Format 1.1"),
            ("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
            ("isPartOf", c.slug),
            ("storyarchive-story", c.slug),
            ("storyarchive-crawl-id", c.crawl_id),
            ("hostname", c.host),
            ("digest-algorithm", ALGORITHM + " (base32)"),
            ("http-header-note", REASON_NOTE),
        ]
        if c.operator:
            fields.insert(3, ("operator", c.operator))
        if c.user_agent:
            fields.append(("http-header-user-agent", c.user_agent))
        if c.robots:
            fields.append(("robots", c.robots))
        return fields

    def _write(self, rec: WarcRecord) -> tuple[int, int]:
        assert self._file is not None
        offset, length = self._file.write(rec)
        self._records_in_file += 1
        self.stats.records += 1
        self.stats.bytes += length
        return offset, length

    def _failed(self, message: str) -> WarcWriteError:
        logger.error("%s", message)
        self.failures.append(message)
        return WarcWriteError(message)

    def _give_up_file(self, start: int, cause: OSError, url: str) -> WarcWriteError:
        """After a failed write: cut the open file back to `start` (before the exchange's
        request record) and close it; if closing fails too, leave it `.open` for recovery.
        Either way nothing is ever appended to it again. Returns the error to raise."""
        assert self._file is not None
        f = self._file
        if f.size > start:  # the request record went in, its response did not
            f.cut(start)
        message = (f"cannot write to the WARC file {f.path.name}: {cause.strerror or cause} "
                   f"({url} was fetched but not archived)")
        if f.damaged:
            self._abandon_file()
        else:
            try:
                self.close_file()
            except WarcWriteError:
                pass  # said and counted by close_file
        return self._failed(message)

    def _abandon_file(self) -> None:
        """Leave the open file `.open` in the spool, released, for recovery; its digests are
        never registered (recovered records are not revisit targets)."""
        assert self._file is not None
        path = self._file.path
        self._file.abandon()
        self._file = None
        for d, _ in self._pending_in_file:
            self._pending.pop(d, None)
        self._pending_in_file = []
        logger.error("%s is left in the spool for recovery (`storyarchive store sync`, or the "
                     "story's next crawl, closes it)", path)

    def _should_rotate(self) -> bool:
        if self._file is None:
            return False
        too_big = self._file.size >= self.config.max_bytes
        too_old = self._clock() - self._opened_at >= self.config.max_age
        return too_big or too_old

    def rotate_if_due(self) -> None:
        """Close the open file if it is over the size or age limit (called on a timer too)."""
        if self._should_rotate():
            self.close_file()

    def close_file(self) -> ClosedFile | None:
        """Close the open file (if any): write its CDXJ, rename it to its final name, deliver
        both, then register its digests in the index. (The index is written before the
        rename, so a closed file in the spool always has its index.)"""
        if self._file is None:
            return None
        final = spool_path(self.store, warc_key(self.config.slug, self._name))
        size = self._file.size
        try:
            self._file.sync()
            write_index(self.store, self.config.slug, self._name, self._entries)
            self._file.close(final)
        except OSError as exc:  # a full disk: the file has whole records only, recovery closes it
            name = self._file.path.name
            self._abandon_file()
            raise self._failed(f"cannot close the WARC file {name}: {exc.strerror or exc}") from exc
        self._file = None
        closed = ClosedFile(self._name, self._records_in_file, size, delivered=False)
        registered = self._pending_in_file
        if self.index is not None and registered and getattr(self.index, "shared", False):
            # Other workers (other machines) revisit these payloads: register them only once
            # the store holds the file, never a revisit whose original is not in the store.
            index = self.index

            def deliver_then_register() -> bool:
                delivered = deliver_closed(self.store, self.config.slug, final)
                if delivered:
                    index.add_many(registered)
                return delivered

            delivery = self._uploader.submit(deliver_then_register)
        else:
            delivery = self._uploader.submit(deliver_closed, self.store, self.config.slug, final)
            if self.index is not None and registered:
                self.index.add_many(registered)
        self._deliveries.append((closed, delivery))
        for d, _ in registered:
            self._pending.pop(d, None)
        self._pending_in_file = []
        self.closed.append(closed)
        self.stats.files_closed += 1
        return closed

    def wait_delivered(self) -> None:
        """Wait until every file closed so far is delivered or, if the store is unavailable,
        left in the spool; sets each ClosedFile.delivered."""
        for closed, delivery in self._deliveries:
            try:
                closed.delivered = delivery.result()
            except Exception as exc:  # a conflict or integrity error: the file stays in the spool
                logger.error("could not deliver %s: %s", closed.filename, exc)
        self._deliveries = []

    def close(self) -> list[ClosedFile]:
        """Close the open file and wait until every closed file is delivered (or left in
        the spool, when the store is unavailable). A file that cannot be closed is left
        `.open` for recovery and counted in `failures`; WarcWriteError is not raised."""
        try:
            self.close_file()
        except WarcWriteError:
            pass  # in self.failures
        self.wait_delivered()
        self._uploader.shutdown(wait=True)
        if self.index is not None:
            self.index.close()
        return self.closed

    # ------------------------------------------------------------------ records
    def _revisit_target(self, payload_digest: str, ex: HttpExchange) -> RevisitTarget | None:
        if not self.config.revisits or ex.truncated or len(ex.body) < self.config.revisit_min_bytes:
            return None
        target = self._pending.get(payload_digest)
        if target is None and self.index is not None:
            target = self.index.lookup(payload_digest)
        return target

    def write_exchange(self, ex: HttpExchange) -> WarcRef:
        """Archive one exchange: a request record and a response (or revisit) record,
        linked both ways by WARC-Concurrent-To. Returns where the response record is.
        WarcWriteError if it cannot be written (see `_give_up_file`)."""
        self.rotate_if_due()
        if self._file is None:
            self._open()
        assert self._file is not None
        payload_digest = digest(ex.body)
        target = self._revisit_target(payload_digest, ex)
        req_id, resp_id = new_record_id(), new_record_id()
        start = self._file.size
        counts = (self._records_in_file, self.stats.records, self.stats.bytes)
        try:
            self._write(request_record(ex, req_id, resp_id, self._warcinfo_id))
            rec = response_record(ex, resp_id, req_id, self._warcinfo_id, payload_digest, target)
            offset, length = self._write(rec)
        except OSError as exc:
            self._records_in_file, self.stats.records, self.stats.bytes = counts
            raise self._give_up_file(start, exc, ex.url) from exc
        rtype = "revisit" if target else "response"
        if target:
            self.stats.revisits += 1
        else:
            self.stats.responses += 1
            if self.config.revisits and not ex.truncated and len(ex.body) >= self.config.revisit_min_bytes:
                if payload_digest not in self._pending:
                    t = RevisitTarget(ex.url, warc_date(ex.date), resp_id)
                    self._pending[payload_digest] = t
                    self._pending_in_file.append((payload_digest, t))
        self._entries.append(
            CdxjEntry(
                url=ex.url,
                timestamp=timestamp14(ex.date),
                mime=mime_of(_header(ex.response_headers, b"content-type"), rtype),
                status=str(ex.status),
                digest=payload_digest,
                length=length,
                offset=offset,
                filename=self._name,
            )
        )
        return WarcRef(
            filename=self._name, offset=offset, length=length, record_id=resp_id, record_type=rtype,
            date=warc_date(ex.date),
        )


def _header(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> str | None:
    for n, v in headers:
        if n.lower() == name:
            return v.decode("latin-1")
    return None


def write_index(store: ArchiveStore, slug: str, warc_name: str, entries: list[CdxjEntry]) -> Path:
    """Write the sorted CDXJ of WARC `warc_name` into the spool (atomically: a hidden temp
    file renamed into place) and return its path."""
    index_path = spool_path(store, cdxj_key(slug, warc_name))
    tmp = index_path.with_name(f".tmp-{index_path.name}")
    try:
        in_spool_dir(tmp, lambda: write_cdxj(tmp, entries))
        os.replace(tmp, index_path)
    except OSError:
        tmp.unlink(missing_ok=True)  # a full disk: no half index left behind
        raise
    return index_path


def deliver_closed(store: ArchiveStore, slug: str, warc_path: Path) -> bool:
    """Deliver the closed spooled WARC at `warc_path`, then its spooled CDXJ (in that order:
    an index never points at a file the store lacks). True when the store holds both."""
    name = warc_path.name
    index_path = spool_path(store, cdxj_key(slug, name))
    delivered = True
    if warc_path.exists():
        delivered = deliver(store, warc_key(slug, name), warc_path)
    if delivered and index_path.exists():
        delivered = deliver(store, cdxj_key(slug, name), index_path)
    if not delivered:
        logger.warning("%s stays in the spool until `storyarchive store sync`", name)
    return delivered
