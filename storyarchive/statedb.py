"""The SQLite files of the state directory: the rebuildable indexes (the dedup log,
storyarchive.dedup.backend; the payload-digest index, storyarchive.warc.revisits).

They share one way of being opened, because they share what they are: state that several
processes of one machine read and write (WAL), and that is rebuilt from the archive when
lost, so a commit need not be fsynced (synchronous=NORMAL: a power cut may take the last
commits, which costs warm-up, never correctness).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# How long a writer waits for another process's write lock before sqlite3 raises
# "database is locked".
BUSY_TIMEOUT_S = 30.0


def open_state_db(path: Path, *, autocommit: bool = False,
                  check_same_thread: bool = True) -> sqlite3.Connection:
    """The SQLite database at `path`, made (with its directory) if missing, in WAL mode
    with synchronous=NORMAL. `autocommit`: statements outside an explicit BEGIN commit at
    once (else Python's implicit transactions, committed by `with db:`).
    `check_same_thread=False` for a connection used from a thread other than its maker's.
    sqlite3.Error if the file cannot be opened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None if autocommit else "DEFERRED",
                         check_same_thread=check_same_thread)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db
