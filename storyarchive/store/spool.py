"""The local spool: files waiting to go into the store, laid out under their object keys.

Closed WARC files and their indexes are written into the spool first and delivered to the
store from there; a file leaves the spool only once the store holds it, verified. If the
store is unreachable the file stays and `storyarchive store sync` (or the next run)
delivers it later.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

from storyarchive.store.base import ArchiveStore, StoreUnavailableError

logger = logging.getLogger(__name__)


def _store_slug(uri: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", uri)[-60:]
    return f"{readable}-{hashlib.sha256(uri.encode()).hexdigest()[:8]}"


def spool_dir(store: ArchiveStore) -> Path:
    """Where files for `store` wait: <root>/.spool for a local store, else
    $STORYARCHIVE_SPOOL_DIR (default ./.storyarchive/spool)/<store>."""
    root = getattr(store, "root", None)
    if root is not None:
        return Path(root) / ".spool"
    base = Path(os.environ.get("STORYARCHIVE_SPOOL_DIR", ".storyarchive/spool"))
    return base / _store_slug(store.uri)


def state_dir(store: ArchiveStore) -> Path:
    """Where rebuildable local state for `store` lives (digest and dedup indexes):
    <root>/.state for a local store, else $STORYARCHIVE_STATE_DIR/<store>."""
    root = getattr(store, "root", None)
    if root is not None:
        return Path(root) / ".state"
    base = Path(os.environ.get("STORYARCHIVE_STATE_DIR", ".storyarchive/state"))
    return base / _store_slug(store.uri)


def deliver(store: ArchiveStore, key: str, path: Path) -> bool:
    """Put the spooled file `path` into `store` at `key`, then remove it from the spool.

    Returns True if the store now holds it, False if the store was unavailable (the file
    stays in the spool). StoreConflictError propagates: a different object is already there.
    """
    try:
        store.put_file(key, path)
    except StoreUnavailableError as exc:
        logger.warning("store unavailable, %s stays in the spool: %s", key, exc)
        return False
    path.unlink()
    return True
