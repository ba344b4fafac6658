"""The embedded default store: a directory on the local disk, same layout as S3."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from storyarchive.layout import check_key
from storyarchive.store.base import (
    ArchiveStore,
    PutResult,
    StoreAccessError,
    StoreConflictError,
    StoreNotFoundError,
    check_probe_key,
)
from storyarchive.store.filemode import create_temporary

_CHUNK = 1 << 20


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _write_all(fd: int, data: bytes) -> None:
    """Write `data` to `fd` (os.write may write part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _write_bytes(fd: int, data: bytes) -> tuple[str, int]:
    """Write `data` to `fd`; its SHA-256 and size."""
    _write_all(fd, data)
    return hashlib.sha256(data).hexdigest(), len(data)


def _copy_stream(stream: BinaryIO, fd: int) -> tuple[str, int]:
    """Copy `stream` to `fd` in 1 MiB chunks; the SHA-256 and size of what was copied."""
    h = hashlib.sha256()
    size = 0
    while chunk := stream.read(_CHUNK):
        h.update(chunk)
        size += len(chunk)
        _write_all(fd, chunk)
    return h.hexdigest(), size


class LocalStore(ArchiveStore):
    """Objects are files under `root`; writes go to a temp file, are fsynced (or, for a
    non-durable put, synced at the next `flush()`), then linked into place with os.link,
    which fails if the key exists, so a put is atomic and create-only even with several
    processes writing. A killed process leaves no partial object either way: fsync only
    matters for a power cut."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.uri = str(self.root)
        self._unflushed = False  # a put_bytes(durable=False) since the last flush()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreAccessError(
                f"cannot create the archive directory {self.root}: {exc.strerror}; "
                "fix its permissions or choose another --store"
            ) from None

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def local_path(self, key: str) -> Path | None:
        p = self._path(key)
        return p if p.exists() else None

    def put_file(self, key: str, path: Path, *, content_type: str | None = None) -> PutResult:
        with open(path, "rb") as f:
            return self._put(key, lambda fd: _copy_stream(f, fd))

    def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None,
                  durable: bool = True) -> PutResult:
        if not durable:
            self._unflushed = True
        return self._put(key, lambda fd: _write_bytes(fd, data), fsync=durable)

    def flush(self) -> None:
        """One sync for every non-durable put since the last flush: a crawl writes
        thousands of small documents, and an fsync each costs more than writing them."""
        if self._unflushed:
            self._unflushed = False
            os.sync()

    def _put(self, key: str, write: Callable[[int], tuple[str, int]], fsync: bool = True) -> PutResult:
        """Write a temporary file beside `key` with `write(fd)` (which returns the SHA-256
        and size of what it wrote), then link it into place (create-only, see the class).
        Plain os calls: a finish writes thousands of small documents, and the file-object
        and pathlib layers cost as much as the writes themselves."""
        dest = self._path(key)
        parent = dest.parent
        try:
            os.mkdir(parent)  # most puts make a new document's directory: one call
        except FileExistsError:
            pass
        except FileNotFoundError:
            parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = create_temporary(parent)
        try:
            try:
                digest, size = write(fd)
                if fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, dest)
            except FileExistsError:
                existing, _ = sha256_file(dest)
                if existing == digest:
                    return PutResult(key, size, digest, created=False)
                raise StoreConflictError(
                    f"{self.uri}/{key} already exists with different content "
                    f"(sha256 {existing[:12]}…, new {digest[:12]}…); kept the existing object"
                ) from None
            return PutResult(key, size, digest, created=True)
        finally:
            os.unlink(tmp)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        try:
            with open(self._path(key), "rb") as f:
                f.seek(offset)
                return f.read(length)
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise KeyError(key) from None

    def verify_location(self) -> None:
        """The root is a directory this process may write to."""
        if not self.root.is_dir():
            raise StoreNotFoundError(f"{self.root} is not a directory; create it or fix --store")
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreAccessError(
                f"{self.root} is not writable by this user; fix its permissions or --store"
            )

    def delete_probe(self, key: str) -> None:
        path = self._path(check_probe_key(key))
        path.unlink()
        try:
            path.parent.rmdir()  # the probe directory, if no other check is running
        except OSError:
            pass

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        # Walk only the deepest directory the prefix names, not the whole store: listing
        # one document's versions must not cost a walk over every document.
        base = self.root
        start = base / prefix.rsplit("/", 1)[0] if "/" in prefix else base
        if not start.is_dir():
            return
        keys = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel_dir = os.path.relpath(dirpath, base)
            for name in filenames:
                if name.startswith("."):
                    continue
                key = name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")
                if key.startswith(prefix):
                    keys.append(key)
        yield from sorted(keys)
