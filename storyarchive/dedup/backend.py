"""The index backends: append-only logs of binary records (see `records`), one per story.

`IndexBackend` is the interface; `SqliteBackend` (embedded, a file in the store's state
directory) and `RedisBackend` (shared by many workers) implement it. The search structures
are built in memory from the log by `storyarchive.dedup.index.PriorIndex`, so both backends
give identical results by construction.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from pathlib import Path

from storyarchive.dedup.records import pack_records, unpack_rows
from storyarchive.redis_connection import RedisParams, redacted, redis_client
from storyarchive.statedb import open_state_db


class IndexUnavailableError(Exception):
    """The index backend could not be reached; the message says which and how."""


class IndexBackend(abc.ABC):
    """An append-only, ordered log of records for one story.

    The log is stored as rows; a row holds one record or a batch of them (`pack_records`:
    a crawl appends its tens of thousands of records as a few rows, so a row's overhead
    in SQLite or Redis is paid per batch). Positions (cursors) count rows."""

    def read_since(self, cursor: int) -> tuple[list[bytes], int]:
        """Records appended after row `cursor` and the new cursor. If the log is shorter
        than `cursor` (the index was lost or cleared) returns ([...all], n) with n <
        cursor; the caller then starts over."""
        rows, n = self._read_rows(cursor)
        return unpack_rows(rows), n

    def append(self, records: Iterable[bytes]) -> tuple[int, int] | None:
        """Append records atomically; return the log's position just before and just
        after them (so the caller knows whether another writer appended since it last
        read), or None if there was nothing to append."""
        rows = pack_records(list(records))
        if not rows:
            return None
        before = self._append_rows(rows)
        return before, before + len(rows)

    @abc.abstractmethod
    def _read_rows(self, cursor: int) -> tuple[list[bytes], int]: ...

    @abc.abstractmethod
    def _append_rows(self, rows: list[bytes]) -> int:
        """Append rows atomically; return the number of rows before them."""

    @abc.abstractmethod
    def clear(self) -> None: ...

    @abc.abstractmethod
    def position(self) -> int:
        """The log's length in rows (a cursor just past its last row)."""

    @abc.abstractmethod
    def truncate(self, cursor: int) -> None:
        """Drop every row after `cursor` (a finish stage that is run again takes back what
        its interrupted run appended; see storyarchive.finish)."""

    @abc.abstractmethod
    def size_bytes(self) -> int:
        """Bytes the index occupies in the backend (file size, or Redis memory usage)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


class SqliteBackend(IndexBackend):
    """The embedded backend: one SQLite file per story (WAL, safe for several processes)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = open_state_db(self.path, autocommit=True)
        self._db.execute("CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, rec BLOB NOT NULL)")

    def _read_rows(self, cursor: int) -> tuple[list[bytes], int]:
        (last,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM log").fetchone()
        start = cursor if last >= cursor else 0
        rows = self._db.execute("SELECT seq, rec FROM log WHERE seq > ? AND seq <= ? ORDER BY seq",
                                (start, last)).fetchall()
        return [r[1] for r in rows], last

    def _append_rows(self, rows: list[bytes]) -> int:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")  # the write lock: MAX(seq) holds until commit
            (before,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM log").fetchone()
            # an INTEGER PRIMARY KEY takes MAX + 1: ours are before+1 .. before+n
            self._db.executemany("INSERT INTO log (rec) VALUES (?)", ((r,) for r in rows))
        return int(before)

    def clear(self) -> None:
        self._db.execute("DELETE FROM log")
        self._db.execute("VACUUM")

    def position(self) -> int:
        (last,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM log").fetchone()
        return int(last)

    def truncate(self, cursor: int) -> None:
        with self._db:
            self._db.execute("DELETE FROM log WHERE seq > ?", (cursor,))

    def size_bytes(self) -> int:
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (pages,) = self._db.execute("PRAGMA page_count").fetchone()
        (size,) = self._db.execute("PRAGMA page_size").fetchone()
        (free,) = self._db.execute("PRAGMA freelist_count").fetchone()
        return int((pages - free) * size)

    def close(self) -> None:
        self._db.close()


class RedisBackend(IndexBackend):
    """The shared backend: one Redis list per story, `<prefix><slug>`, one record per
    element; appends are pipelined RPUSHes in chunks, reads are chunked LRANGEs."""

    CHUNK = 2000

    def __init__(self, url: str, slug: str, prefix: str = "sa:dd:",
                 params: RedisParams | None = None) -> None:
        """`params`: the connection options (RedisParams.from_settings of the crawl's
        settings; the defaults if None)."""
        import redis

        self.url = url
        self.key = f"{prefix}{slug}"
        self._r = redis_client(url, params)
        self._errors = (redis.ConnectionError, redis.TimeoutError)

    def _call(self, fn, *args):  # type: ignore[no-untyped-def]
        try:
            return fn(*args)
        except self._errors as exc:
            raise IndexUnavailableError(
                f"dedup index at {redacted(self.url)} unreachable ({exc}); check "
                "STORYARCHIVE_DEDUP_REDIS_URL or unset it to use the embedded index") from exc

    def _read_rows(self, cursor: int) -> tuple[list[bytes], int]:
        n = int(self._call(self._r.llen, self.key))
        start = cursor if n >= cursor else 0
        out: list[bytes] = []
        for lo in range(start, n, self.CHUNK):
            out.extend(self._call(self._r.lrange, self.key, lo, min(lo + self.CHUNK, n) - 1))
        return out, n

    def _append_rows(self, rows: list[bytes]) -> int:
        def push() -> int:
            pipe = self._r.pipeline(transaction=True)  # MULTI/EXEC: no other push between
            for lo in range(0, len(rows), self.CHUNK):
                pipe.rpush(self.key, *rows[lo:lo + self.CHUNK])
            lengths = pipe.execute()  # the list's length after each RPUSH
            return int(lengths[-1]) - len(rows)

        return int(self._call(push))

    def clear(self) -> None:
        self._call(self._r.delete, self.key)

    def position(self) -> int:
        return int(self._call(self._r.llen, self.key))

    def truncate(self, cursor: int) -> None:
        if cursor <= 0:
            self._call(self._r.delete, self.key)
        else:
            self._call(self._r.ltrim, self.key, 0, cursor - 1)

    def size_bytes(self) -> int:
        return int(self._call(self._r.memory_usage, self.key, 0) or 0)

    def close(self) -> None:
        self._r.close()
