"""The payload-digest index that turns repeated payloads into revisit records.

Scope: one index per story collection (the replay collection), so every revisit refers to
a record in the same collection. A digest is registered only once the file holding its
record is closed (see writer.RotatingWarcWriter), so the index never points into a file a
crash could cut short.

`DigestIndex` is the interface; `SqliteDigestIndex` the embedded default, kept under
`spool.state_dir(store)/<slug>/` (`digest_index_path`: named after the store's identity
for a remote store); `RedisDigestIndex` the shared one for many
workers (STORYARCHIVE_WARC_DIGEST_INDEX = redis://...). It is rebuildable state: losing it only
means the next capture of a payload is stored in full again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from storyarchive.redis_connection import RedisParams, is_redis_url, redis_client
from storyarchive.statedb import open_state_db
from storyarchive.warc.records import RevisitTarget

logger = logging.getLogger(__name__)


class DigestIndex(Protocol):
    def lookup(self, digest: str) -> RevisitTarget | None:
        """The first archived record with payload `digest`, or None."""

    def add_many(self, entries: Iterable[tuple[str, RevisitTarget]]) -> None:
        """Register (digest, target) pairs; a digest already known keeps its first target."""

    def close(self) -> None: ...


class SqliteDigestIndex:
    """DigestIndex in one SQLite file (storyarchive.statedb: several processes share it)."""

    def __init__(self, path: Path) -> None:
        # Used from the recorder's single writer thread, which is not the creating thread.
        self._db = open_state_db(path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS digests (digest TEXT PRIMARY KEY, uri TEXT NOT NULL,"
            " date TEXT NOT NULL, record_id TEXT NOT NULL)"
        )
        self._db.commit()

    def lookup(self, digest: str) -> RevisitTarget | None:
        row = self._db.execute(
            "SELECT uri, date, record_id FROM digests WHERE digest = ?", (digest,)
        ).fetchone()
        return RevisitTarget(*row) if row else None

    def add_many(self, entries: Iterable[tuple[str, RevisitTarget]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO digests VALUES (?, ?, ?, ?)",
                ((d, t.uri, t.date, t.record_id) for d, t in entries),
            )

    def close(self) -> None:
        self._db.close()


class MemoryDigestIndex:
    """DigestIndex in a dict (tests, and crawls with revisits across runs turned off)."""

    def __init__(self) -> None:
        self._map: dict[str, RevisitTarget] = {}

    def lookup(self, digest: str) -> RevisitTarget | None:
        return self._map.get(digest)

    def add_many(self, entries: Iterable[tuple[str, RevisitTarget]]) -> None:
        for d, t in entries:
            self._map.setdefault(d, t)

    def close(self) -> None:
        pass


def digest_index_path(state_dir: Path, slug: str, store_ident: str | None = None) -> Path:
    """The SQLite digest index of `slug` in `state_dir`: digests.sqlite in a local store's
    own state directory; digests-<store id>.sqlite for a remote store, whose state directory
    is named after its URI (a bucket emptied and made again under the same name is another
    store, with another id: it never inherits the index of the one before)."""
    return state_dir / slug / (f"digests-{store_ident}.sqlite" if store_ident else "digests.sqlite")


class RedisDigestIndex:
    """DigestIndex in one Redis hash per story (`<scope>:warc-digests:<slug>`, the scope
    being the store's: `storyarchive:<store id>`), for many workers archiving into one
    collection; two stores sharing one Redis never see each other's digests. If Redis
    cannot be reached a lookup answers None (the payload is stored in full: correct, only
    bigger) and registrations are dropped with a warning; nothing fails the crawl."""

    def __init__(self, url: str, slug: str, params: RedisParams | None = None,
                 scope: str = "storyarchive") -> None:
        """`params`: the connection options (RedisParams.from_settings of the crawl's
        settings; the defaults if None)."""
        import redis

        self._redis = redis_client(url, params)
        self._key = f"{scope}:warc-digests:{slug}"
        self.shared = True  # many writers: register a file's digests once the store holds it
        self._errors = (redis.ConnectionError, redis.TimeoutError)

    def lookup(self, digest: str) -> RevisitTarget | None:
        try:
            raw = self._redis.hget(self._key, digest)
        except self._errors as exc:
            logger.warning("digest index (Redis) unavailable, storing the payload in full: %s", exc)
            return None
        return RevisitTarget(*json.loads(raw)) if raw else None

    def add_many(self, entries: Iterable[tuple[str, RevisitTarget]]) -> None:
        try:
            pipe = self._redis.pipeline(transaction=False)
            for d, t in entries:
                pipe.hsetnx(self._key, d, json.dumps([t.uri, t.date, t.record_id]))
            pipe.execute()
        except self._errors as exc:
            logger.warning("digest index (Redis) unavailable, digests not registered: %s", exc)

    def close(self) -> None:
        self._redis.close()


def open_digest_index(setting: str, state_dir: Path, slug: str,
                      redis_params: RedisParams | None = None, scope: str = "storyarchive",
                      store_ident: str | None = None) -> DigestIndex:
    """The digest index for `slug`: Redis when `setting` is a redis:// URL (connected with
    `redis_params`, keys under `scope`: the store's, storyarchive.distributed.keys), else
    SQLite in `state_dir` (digest_index_path: keyed by `store_ident` for a remote store).
    ValueError for any other value."""
    if check_digest_index_setting(setting) == "redis":
        return RedisDigestIndex(setting, slug, redis_params, scope=scope)
    return SqliteDigestIndex(digest_index_path(state_dir, slug, store_ident))


def check_digest_index_setting(setting: str) -> str:
    """'sqlite' or 'redis' for a valid STORYARCHIVE_WARC_DIGEST_INDEX, else ValueError."""
    if is_redis_url(setting):
        return "redis"
    if setting in ("", "sqlite"):
        return "sqlite"
    raise ValueError(
        "STORYARCHIVE_WARC_DIGEST_INDEX must be '' (SQLite in the state dir) or a redis:// URL, "
        f"got {setting!r}"
    )
