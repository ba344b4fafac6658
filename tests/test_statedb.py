"""The state directory's SQLite files: opened one way (WAL, synchronous=NORMAL)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storyarchive.statedb import open_state_db


def test_a_state_db_is_made_with_its_directory_in_wal_mode_without_fsync_per_commit(tmp_path: Path) -> None:
    db = open_state_db(tmp_path / "story" / "index.sqlite")
    try:
        assert (tmp_path / "story" / "index.sqlite").is_file()
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    finally:
        db.close()


def test_autocommit_writes_are_seen_by_another_process_connection_at_once(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    writer = open_state_db(path, autocommit=True)
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.execute("INSERT INTO t VALUES (1)")
    reader = sqlite3.connect(path)
    try:
        assert reader.execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        reader.close()
        writer.close()


def test_without_autocommit_writes_wait_for_the_transaction_to_commit(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    writer = open_state_db(path)
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.commit()
    writer.execute("INSERT INTO t VALUES (1)")
    reader = sqlite3.connect(path)
    try:
        assert reader.execute("SELECT x FROM t").fetchall() == []
        writer.commit()
        assert reader.execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        reader.close()
        writer.close()
