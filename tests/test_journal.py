"""The crawl journal (storyarchive.journal): lines a killed writer tore, lines damaged
otherwise, and which end of a run leaves nothing to fetch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storyarchive.journal import (
    JOURNAL,
    CrawlJournal,
    JournalError,
    crawl_dir,
    crawl_state,
    fetch_complete,
    read_events,
)
from storyarchive.store.local import LocalStore


def events(path: Path) -> list[dict]:
    return [e for _offset, e in read_events(path)]


def test_a_torn_last_line_is_ignored_by_readers(tmp_path: Path):
    path = tmp_path / JOURNAL
    journal = CrawlJournal(path)
    journal.append("run", pid=1)
    journal.append("page", url="http://127.0.0.1:9/a")
    journal.close()
    with open(path, "ab") as f:
        f.write(b'{"t":"page","url":"http://127.0.0.1:9/b"')  # a kill in the middle of a write
    assert events(path) == [{"t": "run", "pid": 1}, {"t": "page", "url": "http://127.0.0.1:9/a"}]


def test_the_next_writer_cuts_a_torn_last_line_and_appends_whole_lines(tmp_path: Path):
    path = tmp_path / JOURNAL
    journal = CrawlJournal(path)
    journal.append("run", pid=1)
    journal.close()
    whole = path.read_bytes()
    with open(path, "ab") as f:
        f.write(b'{"t":"fetch","url":"http://127.0.0.1:9/')
    journal = CrawlJournal(path)
    assert path.read_bytes() == whole
    offset = journal.append("run", pid=2)
    journal.close()
    assert offset == len(whole)
    assert events(path) == [{"t": "run", "pid": 1}, {"t": "run", "pid": 2}]


def test_a_journal_that_is_one_torn_line_is_emptied_by_the_next_writer(tmp_path: Path):
    path = tmp_path / JOURNAL
    path.write_bytes(b'{"t":"run","pi')
    CrawlJournal(path).close()
    assert path.read_bytes() == b""


def test_a_damaged_line_before_the_last_raises_journal_error_naming_file_and_line(tmp_path: Path):
    path = tmp_path / JOURNAL
    journal = CrawlJournal(path)
    journal.append("run", pid=1)
    journal.close()
    with open(path, "ab") as f:
        f.write(b'{"t":"page","url":\x00garbage}\n')  # a whole line, not JSON: not a kill
    journal = CrawlJournal(path)
    journal.append("end", reason="finished")
    journal.close()
    with pytest.raises(JournalError, match=re.escape(f"{path}: line 2 is damaged")) as raised:
        events(path)
    assert "storyarchive reextract" in str(raised.value)  # and what to do about it


def test_a_damaged_line_fails_crawl_state_too(tmp_path: Path):
    store = LocalStore(tmp_path / "store")
    path = crawl_dir(store, "dock", "c1") / JOURNAL
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"t":"run"}\nnot json\n{"t":"end","reason":"finished"}\n')
    with pytest.raises(JournalError, match="line 2 is damaged"):
        crawl_state(store, "dock", "c1")


def test_appending_to_a_closed_journal_is_an_error(tmp_path: Path):
    journal = CrawlJournal(tmp_path / JOURNAL)
    journal.close()
    with pytest.raises(JournalError, match="closed"):
        journal.append("run")


@pytest.mark.parametrize(("reason", "complete"), [
    ("finished", True),  # the frontier drained
    ("closespider_itemcount", True),  # a CLOSESPIDER_* limit the user set
    ("closespider_timeout", True),
    ("closespider_pagecount", True),
    ("shutdown", False),  # Ctrl-C or SIGTERM: the frontier is left in the JOBDIR
    ("cancelled", False),
    ("journal-error", False),  # the journal could not be written: stopped to resume later
    ("", False),
    (None, False),  # no end event: the run was killed
])
def test_fetch_complete_only_when_nothing_is_left_to_fetch(reason: str | None, complete: bool):
    assert fetch_complete(reason) is complete


@pytest.mark.parametrize(("lines", "how"), [
    ([{"t": "run"}], "killed"),
    ([{"t": "run"}, {"t": "end", "reason": "shutdown"}], "interrupted"),
    ([{"t": "run"}, {"t": "end", "reason": "finished"}], "failed"),  # fetched all, no documents
    ([{"t": "run"}, {"t": "end", "reason": "shutdown"}, {"t": "run"}], "killed"),  # resumed, then killed
    ([{"t": "run"}, {"t": "end", "reason": "finished"}, {"t": "done"}], "finished"),
])
def test_crawl_state_says_how_the_crawl_ended(tmp_path: Path, lines: list[dict], how: str):
    store = LocalStore(tmp_path / "store")
    journal = CrawlJournal(crawl_dir(store, "dock", "c1") / JOURNAL)
    for line in lines:
        journal.append(line["t"], **{k: v for k, v in line.items() if k != "t"})
    journal.close()
    state = crawl_state(store, "dock", "c1")
    assert state.how_ended == how
    assert state.runs == sum(1 for line in lines if line["t"] == "run")
