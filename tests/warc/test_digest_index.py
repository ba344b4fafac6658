"""Digest index backends: SQLite (embedded) and Redis (shared by many workers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyarchive.store import open_store
from storyarchive.warc.digests import digest
from storyarchive.warc.records import RevisitTarget
from storyarchive.warc.revisits import RedisDigestIndex, SqliteDigestIndex, open_digest_index
from storyarchive.warc.writer import RotatingWarcWriter, WriterConfig
from tests.warc.conftest import free_port
from tests.warc.test_writer import exchange

T1 = RevisitTarget("http://a/1", "2026-01-01T00:00:00.000000Z", "<urn:uuid:1>")
T2 = RevisitTarget("http://a/2", "2026-01-02T00:00:00.000000Z", "<urn:uuid:2>")


def test_sqlite_index_keeps_the_first_target_and_persists(tmp_path: Path) -> None:
    idx = SqliteDigestIndex(tmp_path / "d.sqlite")
    idx.add_many([("sha1:A", T1)])
    idx.add_many([("sha1:A", T2)])
    idx.close()
    again = SqliteDigestIndex(tmp_path / "d.sqlite")
    assert again.lookup("sha1:A") == T1 and again.lookup("sha1:B") is None
    again.close()


def test_two_workers_share_revisits_through_redis(redis_url: str, tmp_path: Path) -> None:
    def worker(name: str) -> RotatingWarcWriter:
        store = open_store(str(tmp_path / name))
        return RotatingWarcWriter(
            store, WriterConfig(slug="shared", crawl_id=name), RedisDigestIndex(redis_url, "shared")
        )

    a, b = worker("a"), worker("b")
    first = a.write_exchange(exchange(1, b"same payload" * 100))
    a.close()  # digests are registered when the file is closed
    second = b.write_exchange(exchange(2, b"same payload" * 100))
    b.close()
    assert (first.record_type, second.record_type) == ("response", "revisit")
    target = RedisDigestIndex(redis_url, "shared").lookup(digest(b"same payload" * 100))
    assert target is not None and target.record_id == first.record_id


def test_unreachable_redis_means_full_records_not_failures(tmp_path: Path) -> None:
    idx = RedisDigestIndex(f"redis://127.0.0.1:{free_port()}/0", "down")
    assert idx.lookup("sha1:A") is None
    idx.add_many([("sha1:A", T1)])  # logged, not raised


def test_unknown_index_setting_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="STORYARCHIVE_WARC_DIGEST_INDEX must be"):
        open_digest_index("postgres://x", tmp_path, "s")
