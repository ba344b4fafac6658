"""Recovery of WARC files left open (`*.warc.gz.open`) by a killed process.

Every record is one gzip member, flushed when written, so a kill leaves whole members
followed by at most one cut member. Recovery keeps the members up to the last complete
one, truncates the rest, and closes the file like a normal close: rename to the final name,
CDXJ, delivery. A file still locked by a live writer is left alone.
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from storyarchive.layout import cdxj_key, warc_key
from storyarchive.store import ArchiveStore
from storyarchive.store.spool import OPEN_SUFFIX, spool_path
from storyarchive.warc.cdxj import index_warc

logger = logging.getLogger(__name__)

_READ = 1 << 20
_OUT = 1 << 22


@dataclass
class RecoveryReport:
    path: Path  # the .open file
    final_name: str | None  # None when nothing was kept (file removed)
    kept_members: int
    kept_bytes: int
    cut_bytes: int
    delivered: bool = False

    def summary(self) -> str:
        if self.final_name is None:
            return f"{self.path.name}: no complete record, removed ({self.cut_bytes} bytes cut)"
        return (
            f"{self.path.name} -> {self.final_name}: kept {self.kept_members} records "
            f"({self.kept_bytes} bytes), cut {self.cut_bytes} bytes of an unfinished record"
        )


def complete_members(path: Path) -> tuple[int, int]:
    """(end offset of the last complete gzip member, number of complete members) of `path`.
    Never holds more than a few MB of the file or its decompressed data."""
    end = count = 0
    member_start = fed = 0
    d = zlib.decompressobj(31)
    with open(path, "rb") as f:
        pending = b""
        while True:
            chunk = pending or f.read(_READ)
            pending = b""
            if not chunk:
                break
            try:
                d.decompress(chunk, _OUT)
                while d.unconsumed_tail and not d.eof:
                    d.decompress(d.unconsumed_tail, _OUT)
            except zlib.error:
                break
            if d.eof:
                used = len(chunk) - len(d.unused_data) - len(d.unconsumed_tail)
                end = member_start + fed + used
                count += 1
                member_start, fed = end, 0
                pending = d.unused_data + d.unconsumed_tail
                d = zlib.decompressobj(31)
            else:
                fed += len(chunk)
    return end, count


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
        end, count = complete_members(path)
        if end < size:
            f.truncate(end)
            f.flush()
            os.fsync(f.fileno())
        if count == 0:
            path.unlink()
            return RecoveryReport(path, None, 0, 0, size)
        write_index(store, slug, final.name, list(index_warc(path, final.name)))
        os.rename(path, final)
    delivered = deliver_closed(store, slug, final)
    return RecoveryReport(path, final.name, count, end, size - end, delivered)


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
