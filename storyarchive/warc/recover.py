"""Recovery of WARC files left open (`*.warc.gz.open`) by a killed process, or abandoned
by a writer that could not write or close them (a full disk).

Every record is one gzip member, flushed when written, so a kill leaves whole members
followed by at most one cut member: recovery cuts the tail and closes the file like a
normal close (rename to the final name, CDXJ, delivery); the records keep their offsets.
A file damaged in the middle (a hole: bytes that are not a whole member, followed by whole
members again) is scanned past the damage: from there recovery looks for the next complete
gzip member that holds a WARC record and keeps every complete record after it; the file is
rewritten without the damaged bytes (records after them move; the report says where and
how much). A file still locked by a live writer is left alone.
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from storyarchive.layout import cdxj_key, warc_key
from storyarchive.store import ArchiveStore
from storyarchive.store.spool import OPEN_SUFFIX, spool_path
from storyarchive.warc.cdxj import index_warc

logger = logging.getLogger(__name__)

_READ = 1 << 20
_OUT = 1 << 22
_FIRST_READ = 1 << 13  # most records are small: read a member in growing pieces
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."


@dataclass
class RecoveryReport:
    path: Path  # the .open file
    final_name: str | None  # None when nothing was kept (file removed)
    kept_members: int
    kept_bytes: int
    cut_bytes: int  # the unfinished tail
    delivered: bool = False
    skipped: list[tuple[int, int]] = field(default_factory=list)  # damage: (offset, bytes)

    def summary(self) -> str:
        if self.final_name is None:
            return f"{self.path.name}: no complete record, removed ({self.cut_bytes} bytes cut)"
        text = (f"{self.path.name} -> {self.final_name}: kept {self.kept_members} records "
                f"({self.kept_bytes} bytes)")
        if self.skipped:
            where = ", ".join(f"{n} bytes at offset {off}" for off, n in self.skipped)
            text += (f", skipped damaged bytes ({where}; the records after them were kept and "
                     "moved up)")
        if self.cut_bytes:
            text += f", cut {self.cut_bytes} bytes of an unfinished record"
        return text


def member_end(f: BinaryIO, start: int) -> int | None:
    """The end offset of the complete gzip member starting at `start` in `f` if it holds a
    WARC record (decompresses whole, CRC included, to data starting with "WARC/1."); None
    otherwise. Reads the member in growing pieces; never holds more than a few MB."""
    f.seek(start)
    d = zlib.decompressobj(31)
    pos, size, head = start, _FIRST_READ, b""
    while True:
        chunk = f.read(size)
        size = min(size * 2, _READ)
        if not chunk:
            return None  # cut short
        data = chunk
        try:
            while True:
                out = d.decompress(data, _OUT)
                if len(head) < len(_WARC_MAGIC):
                    head += out[: len(_WARC_MAGIC) - len(head)]
                if d.eof or not d.unconsumed_tail:
                    break
                data = d.unconsumed_tail
        except zlib.error:
            return None
        if not _WARC_MAGIC.startswith(head[: len(_WARC_MAGIC)]):
            return None  # a gzip member, but not of a WARC record
        if d.eof:
            return pos + len(chunk) - len(d.unused_data) if head == _WARC_MAGIC else None
        pos += len(chunk)


def _next_member(f: BinaryIO, start: int, size: int) -> int | None:
    """The offset of the first complete WARC member at or after `start`, or None."""
    pos = start
    while pos < size:
        f.seek(pos)
        chunk = f.read(_READ)
        if not chunk:
            return None
        at = chunk.find(_GZIP_MAGIC)
        while at >= 0:
            if member_end(f, pos + at) is not None:
                return pos + at
            at = chunk.find(_GZIP_MAGIC, at + 1)
        pos += max(1, len(chunk) - (len(_GZIP_MAGIC) - 1))  # a magic across two reads
    return None


def scan_members(path: Path) -> Iterator[tuple[bool, int, int]]:
    """(whole, start, end) for each stretch of `path` in order: a complete WARC member
    (whole=True) or damaged bytes (whole=False: not a complete WARC member, up to the next
    one or to the end of the file)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        pos = 0
        while pos < size:
            end = member_end(f, pos)
            if end is not None:
                yield True, pos, end
                pos = end
                continue
            found = _next_member(f, pos + 1, size)
            yield False, pos, size if found is None else found
            if found is None:
                return
            pos = found


def complete_members(path: Path) -> tuple[int, int]:
    """(end offset of the last complete gzip member before any damage, number of complete
    members before it) of `path`."""
    end = count = 0
    for whole, _start, stop in scan_members(path):
        if not whole:
            break
        end, count = stop, count + 1
    return end, count


def _rewrite_without(path: Path, f: BinaryIO, members: list[tuple[int, int]]) -> None:
    """Rewrite `path` (open as `f`) with only `members` ((start, end) ranges), through a
    hidden temporary file beside it that replaces it once complete and synced."""
    tmp = path.with_name(f".recover-{path.name}")
    try:
        with open(tmp, "wb") as out:
            for start, end in members:
                f.seek(start)
                left = end - start
                while left:
                    data = f.read(min(_READ, left))
                    if not data:
                        raise OSError(f"{path} changed while it was recovered")
                    out.write(data)
                    left -= len(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def recover_file(store: ArchiveStore, slug: str, path: Path) -> RecoveryReport | None:
    """Recover one `.open` file of story `slug`; None if a live writer still holds it."""
    from storyarchive.warc.writer import deliver_closed, write_index

    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    with open(path, "r+b") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        size = os.fstat(f.fileno()).st_size
        members: list[tuple[int, int]] = []
        damage: list[tuple[int, int]] = []
        for whole, start, end in scan_members(path):
            (members if whole else damage).append((start, end))
        tail = damage.pop() if damage and damage[-1][1] == size else None
        kept = sum(end - start for start, end in members)
        cut = tail[1] - tail[0] if tail else 0
        skipped = [(start, end - start) for start, end in damage]
        if not members:
            path.unlink()
            return RecoveryReport(path, None, 0, 0, size)
        if damage:
            _rewrite_without(path, f, members)
        elif tail:
            f.truncate(tail[0])
            f.flush()
            os.fsync(f.fileno())
        write_index(store, slug, final.name, list(index_warc(path, final.name)))
        os.rename(path, final)
    delivered = deliver_closed(store, slug, final)
    return RecoveryReport(path, final.name, len(members), kept, cut, delivered, skipped)


def unclaimed_open_files(store: ArchiveStore, slug: str) -> list[Path]:
    """The story's `.open` WARC files in the spool that no live process holds: a killed
    crawl's, or one its writer abandoned (recover_spool, `store sync`, closes them)."""
    folder = spool_path(store, warc_key(slug, "x")).parent
    found = []
    for path in sorted(folder.glob(f"*.warc.gz{OPEN_SUFFIX}")) if folder.is_dir() else []:
        try:
            with open(path, "rb") as f:
                fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live writer's
        except FileNotFoundError:
            continue
        found.append(path)
    return found


def recover_spool(store: ArchiveStore, slug: str) -> list[RecoveryReport]:
    """Recover every unlocked `*.warc.gz.open` of story `slug` in the spool of `store`, and
    finish closed WARCs a killed process left in the spool (index them if their CDXJ is
    missing, then deliver them)."""
    from storyarchive.warc.writer import deliver_closed, write_index

    folder = spool_path(store, warc_key(slug, "x")).parent
    reports = []
    for path in sorted(folder.glob(f"*.warc.gz{OPEN_SUFFIX}")) if folder.is_dir() else []:
        report = recover_file(store, slug, path)
        if report is not None:
            logger.warning("WARC recovery: %s", report.summary())
            reports.append(report)
    for path in sorted(folder.glob("*.warc.gz")) if folder.is_dir() else []:
        if not spool_path(store, cdxj_key(slug, path.name)).exists() and not store.exists(
            cdxj_key(slug, path.name)
        ):
            write_index(store, slug, path.name, list(index_warc(path)))
        deliver_closed(store, slug, path)
    _deliver_lone_indexes(store, slug, folder)
    return reports


def recover_all(store: ArchiveStore) -> list[RecoveryReport]:
    """`recover_spool` for every story with an unfinished WARC in the spool of `store`: what
    a killed crawl left open is recovered without waiting for that story's next crawl
    (`storyarchive store sync`). Files a live writer holds (locked) are left alone."""
    from storyarchive.store.spool import spool_dir

    stories = spool_dir(store) / "stories"
    reports: list[RecoveryReport] = []
    for folder in sorted(stories.iterdir()) if stories.is_dir() else []:
        if any((folder / "warc").glob(f"*.warc.gz{OPEN_SUFFIX}")):
            reports += recover_spool(store, folder.name)
    return reports


def _deliver_lone_indexes(store: ArchiveStore, slug: str, warc_folder: Path) -> None:
    """Deliver the spooled CDXJ files whose WARC the store holds already: a process killed
    between delivering a WARC and delivering its index leaves the index alone in the spool.
    An index whose WARC is still in the spool (open or closed) goes with its WARC."""
    from storyarchive.store.spool import deliver

    index_folder = spool_path(store, cdxj_key(slug, "x")).parent
    for path in sorted(index_folder.glob("*.cdxj")) if index_folder.is_dir() else []:
        name = path.name.removesuffix(".cdxj") + ".warc.gz"
        if (warc_folder / name).exists() or (warc_folder / f"{name}{OPEN_SUFFIX}").exists():
            continue
        if store.exists(warc_key(slug, name)):
            deliver(store, cdxj_key(slug, name), path)
