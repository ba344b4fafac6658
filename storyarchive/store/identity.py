"""The store's identity: an id the store itself holds, so that what lives outside it (the
Redis frontier, digest and dedup indexes of a distributed crawl) is scoped to this store and
not to its name. Two archives sharing one Redis, or a bucket emptied and created again under
the same name, never see each other's keys: a new store gets a new id.

The id lives in the object `storyarchive-store.json` at the store's root, written
create-only the first time it is asked for; when two processes race to create it, the
store keeps the first and both read that one.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from storyarchive.layout import STORE_ID_KEY
from storyarchive.store.base import ArchiveStore, StoreConflictError

_CACHE: dict[str, str] = {}


def store_id(store: ArchiveStore) -> str:
    """This store's id (created on first use). Raises StoreError if the store cannot be
    read or written."""
    cached = _CACHE.get(store.uri)
    if cached is not None:
        return cached
    try:
        found = _read(store)
    except KeyError:
        doc = {"id": uuid.uuid4().hex,
               "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        try:
            store.put_bytes(STORE_ID_KEY, json.dumps(doc).encode() + b"\n",
                            content_type="application/json")
            found = doc["id"]
        except StoreConflictError:  # another process created it first: theirs wins
            found = _read(store)
    _CACHE[store.uri] = found
    return found


def _read(store: ArchiveStore) -> str:
    value = json.loads(store.get_bytes(STORE_ID_KEY))["id"]
    if not isinstance(value, str) or not value.isalnum():
        raise ValueError(f"{STORE_ID_KEY} in {store.uri} holds no valid id")
    return value
