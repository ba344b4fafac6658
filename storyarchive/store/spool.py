"""The local spool: files waiting to go into the store, laid out under their object keys.

Closed WARC files and their indexes are written into the spool first and delivered to the
store from there; a file leaves the spool only once the store holds it, verified. If the
store is unreachable the file stays and `storyarchive store sync` (or the next run)
delivers it later.

Rules for what is in the spool:
- `<spool>/<object key>`: a closed file, ready to deliver.
- `*.open`: a file still being written; never delivered.
- names starting with '.': temporary files of this module; never delivered.

Delivery is safe to repeat and to interrupt: puts are create-only and an identical object
already in the store counts as delivered, so a process killed between the upload and the
removal of the spool copy delivers it again as a no-op on the next sync.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from storyarchive.layout import check_key
from storyarchive.store.base import (
    ArchiveStore,
    StoreConfigError,
    StoreConflictError,
    StoreError,
    StoreUnavailableError,
)
from storyarchive.store.check import preflight as preflight  # re-exported for the crawl commands
from storyarchive.store.filemode import follow_umask

T = TypeVar("T")

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"


# Before this place was fixed, a remote store's spool was relative to the directory a
# command ran in; `store sync` still looks there (legacy_spool_dir).
_OLD_RELATIVE_SPOOL = Path(".storyarchive/spool")


def _store_slug(uri: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", uri)[-60:]
    return f"{readable}-{hashlib.sha256(uri.encode()).hexdigest()[:8]}"


def local_state_home() -> Path:
    """This machine's place for storyarchive's working files of remote stores:
    $XDG_STATE_HOME/storyarchive, else ~/.local/state/storyarchive (an absolute path,
    whatever the current directory: every command of one user finds the same files)."""
    xdg = os.environ.get("XDG_STATE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "state"
    return base / "storyarchive"


def _working_dir(store: ArchiveStore, given: str, kind: str) -> Path:
    """<root>/.<kind> for a local store; else <given>/<store> (`given`: the environment's
    override), by default local_state_home()/<kind>/<store>."""
    root = getattr(store, "root", None)
    if root is not None:
        return Path(root) / f".{kind}"
    base = Path(given).expanduser().absolute() if given else local_state_home() / kind
    return base / _store_slug(store.uri)


def spool_dir(store: ArchiveStore) -> Path:
    """Where files for `store` wait: <root>/.spool for a local store, else
    $STORYARCHIVE_SPOOL_DIR/<store> (default: local_state_home()/spool/<store>)."""
    return _working_dir(store, os.environ.get("STORYARCHIVE_SPOOL_DIR", ""), "spool")


def state_dir(store: ArchiveStore) -> Path:
    """Where the local state of `store` lives (crawl journals, digest and dedup indexes):
    <root>/.state for a local store, else $STORYARCHIVE_STATE_DIR/<store> (default:
    local_state_home()/state/<store>)."""
    return _working_dir(store, os.environ.get("STORYARCHIVE_STATE_DIR", ""), "state")


def legacy_spool_dir(store: ArchiveStore) -> Path | None:
    """The spool `store` had under the old default, ./.storyarchive/spool/<store> in the
    current directory, if files wait there and it is not the spool in use; else None."""
    if getattr(store, "root", None) is not None:
        return None
    old = (_OLD_RELATIVE_SPOOL / _store_slug(store.uri)).absolute()
    if old == spool_dir(store) or not old.is_dir():
        return None
    return old if any(p.is_file() for p in old.rglob("*")) else None


def spool_path(store: ArchiveStore, key: str) -> Path:
    """The spool file for object `key` (ValueError for an unsafe key)."""
    return spool_dir(store) / check_key(key)


def deliver(store: ArchiveStore, key: str, path: Path) -> bool:
    """Put the spooled file `path` into `store` at `key`, then remove it from the spool.

    Returns True if the store now holds it (created now, or identical already there),
    False if it could not be delivered now — the store is unreachable, or refuses for a
    reason the user must fix (credentials, clock); the file stays in the spool and the
    reason is logged. StoreConflictError (a different object is at `key`) and
    StoreIntegrityError (the upload did not verify) propagate; the file stays.
    """
    try:
        store.put_file(key, path, content_type=_content_type(key))
    except FileNotFoundError:
        if store.exists(key):  # another process delivered it and removed the copy
            return True
        raise
    except StoreUnavailableError as exc:
        logger.warning("store unavailable, %s stays in the spool: %s", key, exc)
        return False
    except StoreConfigError as exc:
        logger.error("store refused %s, it stays in the spool: %s", key, exc)
        return False
    _remove(path, spool_root=spool_dir(store))
    return True


def in_spool_dir(path: Path, create: Callable[[], T]) -> T:
    """Create `path`'s directory, then run `create` (which makes a file there). Once more
    if the directory vanished in between: delivering a spool file removes its directories
    when they are left empty (`_remove`), which may happen on the uploader thread, or in a
    `store sync` process, just as a writer is about to put its next file there."""
    for _ in range(4):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return create()
        except (FileNotFoundError, FileExistsError):
            if path.parent.is_dir():
                raise  # not the race: the directory is there (or a file is in its way)
    path.parent.mkdir(parents=True, exist_ok=True)  # a last time, errors reported as they are
    return create()


def spool_bytes(store: ArchiveStore, key: str, data: bytes) -> Path:
    """Write `data` into the spool under `key` (atomically: a hidden temp file, fsynced,
    then linked into place) and return its path. Writing the same bytes again is a no-op;
    different bytes at a spooled key raise StoreConflictError and keep the spooled file."""
    dest = spool_path(store, key)
    fd, tmp = in_spool_dir(dest, lambda: tempfile.mkstemp(prefix=".tmp-", dir=dest.parent))
    try:
        follow_umask(fd)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, dest)
        except FileExistsError:
            if dest.read_bytes() != data:
                raise StoreConflictError(
                    f"{dest} is already spooled with different content for {key}; "
                    "kept the spooled file"
                ) from None
    finally:
        os.unlink(tmp)
    return dest


def deliver_bytes(store: ArchiveStore, key: str, data: bytes, *, durable: bool = True) -> bool:
    """Put `data` at `key`; if the store is unreachable (or refuses for a reason the user
    must fix), spool it for `store sync` and return False. True when the store holds it.
    StoreConflictError propagates. `durable=False`: see `ArchiveStore.put_bytes` (a
    spooled copy is always fsynced)."""
    try:
        store.put_bytes(key, data, content_type=_content_type(key), durable=durable)
        return True
    except StoreUnavailableError as exc:
        logger.warning("store unavailable, %s goes to the spool: %s", key, exc)
    except StoreConfigError as exc:
        logger.error("store refused %s, it goes to the spool: %s", key, exc)
    spool_bytes(store, key, data)
    return False


def pending(store: ArchiveStore) -> Iterator[tuple[str, Path]]:
    """(key, path) of every closed file waiting in the spool, in key order."""
    root = spool_dir(store)
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or name.endswith(OPEN_SUFFIX):
                continue
            path = Path(dirpath) / name
            found.append((path.relative_to(root).as_posix(), path))
    # WARC files before their indexes, before documents and manifests: whatever lands in
    # the store first must never point at something that has not landed yet.
    yield from sorted(found, key=lambda kp: (_delivery_rank(kp[0]), kp[0]))


def waiting_kinds(store: ArchiveStore) -> dict[str, int]:
    """What waits in the spool of `store`, by kind (WARC, index, document, other), for a
    user: {"WARC": 2, "index": 2}."""
    kinds: dict[str, int] = {}
    for key, _path in pending(store):
        kind = ("WARC", "index", "document", "other")[_delivery_rank(key)]
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def _delivery_rank(key: str) -> int:
    if "/warc/" in key:
        return 0
    if "/indexes/" in key:
        return 1
    if "/articles/" in key:
        return 2
    return 3


@dataclass
class SyncReport:
    """What `sync` did: files delivered (uploaded now or found identical in the store),
    their bytes, failures with their message, and what is left in the spool."""

    uploaded: int = 0
    already_stored: int = 0
    bytes: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    stopped: str | None = None  # why delivery stopped early (store unreachable)
    remaining: int = 0

    @property
    def delivered(self) -> int:
        return self.uploaded + self.already_stored

    @property
    def ok(self) -> bool:
        return not self.failed and self.stopped is None and self.remaining == 0


def sync(store: ArchiveStore) -> SyncReport:
    """Deliver every closed file in the spool of `store`, each verified before its spool
    copy is removed. Stops at the first StoreUnavailableError or configuration error (the
    rest would fail the same way); a conflict or integrity failure is reported for that
    file, which stays in the spool, and the others go on."""
    report = SyncReport()
    root = spool_dir(store)
    for key, path in pending(store):
        try:
            size = path.stat().st_size
            result = store.put_file(key, path, content_type=_content_type(key))
        except FileNotFoundError:
            continue  # delivered meanwhile by another process
        except (StoreUnavailableError, StoreConfigError) as exc:
            report.stopped = str(exc)
            break
        except (StoreError, ValueError) as exc:
            report.failed.append((key, str(exc)))
            continue
        _remove(path, spool_root=root)
        report.bytes += size
        if result.created:
            report.uploaded += 1
        else:
            report.already_stored += 1
    report.remaining = sum(1 for _ in pending(store))
    return report


def _remove(path: Path, spool_root: Path) -> None:
    """Remove a delivered spool file, then its directories up to the spool root if empty
    (only directories inside the spool root are ever removed)."""
    path.unlink(missing_ok=True)
    root = spool_root.resolve()
    parent = path.resolve().parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:  # not empty, or already gone
            break
        parent = parent.parent


_CONTENT_TYPES = {
    ".json": "application/json",
    ".cdxj": "text/plain; charset=utf-8",
    ".warc.gz": "application/warc",
    ".warc": "application/warc",
    ".wacz": "application/wacz",
}


def _content_type(key: str) -> str | None:
    for suffix, content_type in _CONTENT_TYPES.items():
        if key.endswith(suffix):
            return content_type
    return None
