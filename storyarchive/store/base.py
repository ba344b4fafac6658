"""The ArchiveStore interface shared by the local and the S3 backends."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Objects under this prefix are `store check` probes: written, read back and deleted again.
# Every key segment starting with '.' is hidden from list_keys in both backends.
PROBE_PREFIX = ".storyarchive-probe/"


class StoreError(Exception):
    """A store operation failed; the message says what to do about it."""


class StoreConflictError(StoreError):
    """An object already exists at the key with different content; it was left untouched."""


class StoreUnavailableError(StoreError):
    """The store could not be reached (network, endpoint down); the operation may be retried."""


class StoreConfigError(StoreError):
    """The store is misconfigured; retrying will not help until the user changes something."""


class StoreNotFoundError(StoreConfigError):
    """The bucket (or directory) the store URI names does not exist."""


class StoreAccessError(StoreConfigError):
    """Credentials are missing, unknown or wrong, or they do not allow the operation."""


class StoreClockSkewError(StoreConfigError):
    """The server rejected the request because this machine's clock is off."""


class StoreEndpointError(StoreConfigError):
    """The endpoint answered, but not like the S3 service expected (wrong URL or region)."""


class StoreIntegrityError(StoreError):
    """An object read back after upload does not match what was sent (size or checksum)."""


@dataclass(frozen=True)
class PutResult:
    key: str
    size: int
    sha256: str  # hex
    created: bool  # False when an identical object was already there (idempotent retry)


class ArchiveStore(abc.ABC):
    """Create-only object storage addressed by '/'-separated keys (see storyarchive.layout).

    Every put is create-only: writing a key that holds identical bytes is a no-op that
    returns created=False; writing different bytes raises StoreConflictError and keeps the
    existing object. Nothing in the archive is ever silently overwritten.
    """

    uri: str

    @abc.abstractmethod
    def put_file(self, key: str, path: Path, *, content_type: str | None = None) -> PutResult:
        """Store the file at `path` under `key` (streamed, never read whole into memory)."""

    @abc.abstractmethod
    def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None,
                  durable: bool = True) -> PutResult:
        """Store `data` under `key`. With `durable=False` the object may reach stable
        storage only at the next `flush()` (it is visible and complete at once either way)."""

    def flush(self) -> None:  # noqa: B027 - a store whose every put is durable has nothing to do
        """Make every put since the last flush durable (survive a power cut)."""

    @abc.abstractmethod
    def get_bytes(self, key: str) -> bytes:
        """The whole object (for small objects: JSON, manifests). KeyError if absent."""

    @abc.abstractmethod
    def get_range(self, key: str, offset: int, length: int) -> bytes:
        """`length` bytes from `offset` (one WARC record). KeyError if absent."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def size(self, key: str) -> int:
        """Size in bytes. KeyError if absent."""

    @abc.abstractmethod
    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under `prefix`, in lexicographic order."""

    def local_path(self, key: str) -> Path | None:
        """A path on this machine holding the object, if the backend has one (local store)."""
        return None

    def verify_location(self) -> None:  # noqa: B027 - optional hook
        """Check that the store's location exists and answers (bucket, directory).

        Raises a StoreError subclass saying what is wrong; the default checks nothing."""

    def delete_probe(self, key: str) -> None:
        """Delete a `store check` probe object. Only keys under PROBE_PREFIX are accepted
        (ValueError otherwise): archive objects are never deleted through this interface."""
        raise NotImplementedError(f"{type(self).__name__} cannot delete probe objects")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default has nothing to release."""


def check_probe_key(key: str) -> str:
    """Return `key` if it names a probe object, else raise ValueError."""
    if not key.startswith(PROBE_PREFIX) or ".." in key:
        raise ValueError(f"{key!r} is not a probe key; only probes under {PROBE_PREFIX} are deleted")
    return key
