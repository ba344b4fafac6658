"""The archive store: one interface, a local-directory backend (default) and S3.

`open_store(uri)` picks the backend from the URI: a path or file:// URI is a local
directory, s3://bucket/prefix is S3 (see storyarchive.store.s3).
"""

from __future__ import annotations

import os

from storyarchive.store.base import (
    ArchiveStore,
    PutResult,
    StoreConflictError,
    StoreError,
    StoreUnavailableError,
)

DEFAULT_STORE = "./archive"

__all__ = [
    "ArchiveStore",
    "PutResult",
    "StoreConflictError",
    "StoreError",
    "StoreUnavailableError",
    "DEFAULT_STORE",
    "open_store",
    "resolve_store_uri",
]


def resolve_store_uri(cli_value: str | None, setting: str | None = None) -> str:
    """--store beats STORYARCHIVE_STORE in the environment beats the setting beats ./archive."""
    return cli_value or os.environ.get("STORYARCHIVE_STORE") or setting or DEFAULT_STORE


def open_store(uri: str, **options: object) -> ArchiveStore:
    """Open the store at `uri`. Raises StoreError with a user-facing message if it can't."""
    if uri.startswith("s3://"):
        from storyarchive.store.s3 import S3Store

        return S3Store.from_uri(uri, **options)  # type: ignore[arg-type]
    from storyarchive.store.local import LocalStore

    path = uri.removeprefix("file://")
    return LocalStore(path)
