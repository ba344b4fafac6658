"""The crawl journal: every page's result, durable as soon as the page is handled.

A crawl keeps nothing about a page only in memory: each event is appended to the crawl's
journal, a file of JSON lines in the store's state directory, the moment it happens:

    <state>/<slug>/crawls/<crawl_id>/journal.jsonl   the events (this module)
    <state>/<slug>/crawls/<crawl_id>/finish.jsonl    documents the finish stage wrote
    <state>/<slug>/crawls/<crawl_id>/crawl.json      how to resume the crawl (command, story)
    <state>/<slug>/crawls/<crawl_id>/job/            Scrapy's JOBDIR: the frontier on disk

One line is one event, a JSON object whose "t" says what it is:

    run     a process began (or resumed) the crawl: spider, pid, started
    fetch   an HTTP exchange was archived: url, method, warc (the response's WarcRef)
    page    a page to store as an article, before dedup (see storyarchive.document.page_record)
    skip    a fetched page not stored as an article: url, status, reason, warc
    reject  a URL turned away at discovery or failed: url, reason, and details
    found   a source (feed, sitemap, search, link) listed a URL: url, via
    alias   a page named another URL as its canonical: canonical, own
    end     a process stopped crawling: reason (Scrapy's finish reason), stats
    done    the finish stage wrote every document and the manifest: manifest key

Lines are written with one `write` each on a file opened O_APPEND, so a killed process
leaves every line it wrote (at worst a torn last line, which readers ignore and the next
writer cuts off). They are fsynced at most every `fsync_interval` seconds and when the
journal is closed, so a power cut costs at most that window; what it costs is pages that
the next resume answers from the WARCs again, never a fetch.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from storyarchive.layout import check_slug
from storyarchive.store.base import ArchiveStore

JOURNAL = "journal.jsonl"
FINISH_LOG = "finish.jsonl"
RESUME_INFO = "crawl.json"
JOBDIR = "job"


def fetch_complete(reason: str | None) -> bool:
    """Whether a run that closed with Scrapy's finish `reason` left nothing to fetch: the
    frontier drained ("finished") or a CLOSESPIDER_* limit the user set was reached. Any
    other reason (shutdown on Ctrl-C or SIGTERM, cancelled, a journal error) leaves the
    crawl to be resumed."""
    return reason == "finished" or bool(reason and reason.startswith("closespider_"))


class JournalError(Exception):
    """A journal that cannot be read or written (names the file and what is wrong)."""


def crawls_dir(store: ArchiveStore, slug: str) -> Path:
    """Where the state of a story's crawls lives: <state>/<slug>/crawls."""
    from storyarchive.store.spool import state_dir

    return state_dir(store) / check_slug(slug) / "crawls"


def crawl_dir(store: ArchiveStore, slug: str, crawl_id: str) -> Path:
    """The state directory of one crawl (journal, finish log, resume info, JOBDIR)."""
    if not crawl_id or "/" in crawl_id or crawl_id.startswith("."):
        raise ValueError(f"invalid crawl id {crawl_id!r}")
    return crawls_dir(store, slug) / crawl_id


class CrawlJournal:
    """Appends events to one journal file. Not thread-safe: one writer thread per file."""

    def __init__(self, path: Path, fsync_interval: float = 1.0) -> None:
        self.path = path
        self.fsync_interval = fsync_interval
        path.parent.mkdir(parents=True, exist_ok=True)
        _cut_torn_tail(path)
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        self._synced = time.monotonic()
        self._dirty = False

    def append(self, kind: str, **fields: Any) -> int:
        """Write one event; returns the offset it starts at. Raises JournalError if it
        can't be written (disk full...)."""
        if self._fd is None:
            raise JournalError(f"journal {self.path} is closed")
        data = orjson.dumps({"t": kind, **fields}, default=_default) + b"\n"
        try:
            offset = os.lseek(self._fd, 0, os.SEEK_END)  # one writer: where this line goes
            written = os.write(self._fd, data)
            if written != len(data):  # a short write leaves a torn line: cut it, fail loudly
                os.ftruncate(self._fd, os.fstat(self._fd).st_size - written)
                raise OSError(28, "No space left on device (a short write)")
        except OSError as exc:
            raise JournalError(f"cannot write the crawl journal {self.path}: {exc.strerror or exc}") from exc
        self._dirty = True
        if self.fsync_interval >= 0 and time.monotonic() - self._synced >= self.fsync_interval:
            self.sync()
        return offset

    def size(self) -> int:
        """Bytes written so far (by the open descriptor, even if the file was removed)."""
        if self._fd is None:
            raise JournalError(f"journal {self.path} is closed")
        return os.fstat(self._fd).st_size

    def read(self, start: int, end: int) -> bytes:
        """Bytes [start, end) of the journal, through the open descriptor."""
        if self._fd is None:
            raise JournalError(f"journal {self.path} is closed")
        return os.pread(self._fd, end - start, start)

    def sync(self) -> None:
        if self._fd is not None and self._dirty:
            os.fsync(self._fd)
            self._dirty = False
        self._synced = time.monotonic()

    def close(self) -> None:
        if self._fd is None:
            return
        try:
            self.sync()
        finally:
            os.close(self._fd)
            self._fd = None


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _cut_torn_tail(path: Path) -> None:
    """Cut a last line that a killed writer left without its newline."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return
    with open(path, "rb+") as f:
        f.seek(max(0, size - 1))
        if f.read(1) == b"\n":
            return
        # walk back to the last newline (lines are at most a few MB)
        pos = size
        while pos > 0:
            step = min(1 << 16, pos)
            f.seek(pos - step)
            chunk = f.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                f.truncate(pos - step + nl + 1)
                return
            pos -= step
        f.truncate(0)


def read_events(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(byte offset, event) for every complete line of a journal, in order. A torn last
    line is skipped; a damaged line elsewhere raises JournalError naming it."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below; a generator
    except FileNotFoundError:
        return
    with f:
        offset = 0
        for n, line in enumerate(f, 1):
            start, offset = offset, offset + len(line)
            if not line.endswith(b"\n"):
                return  # torn by a kill: the event never happened
            try:
                event = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise JournalError(f"{path}: line {n} is damaged ({exc}); move the file "
                                   "aside and run `storyarchive reextract` to rebuild the "
                                   "documents from the WARCs") from None
            yield start, event


def read_event_at(path: Path, offset: int) -> dict[str, Any]:
    """The event that starts at `offset` (from read_events)."""
    with open(path, "rb") as f:
        f.seek(offset)
        event: dict[str, Any] = orjson.loads(f.readline())
        return event


@dataclass
class CrawlState:
    """What the state directory says about one crawl (see `crawl_state`)."""

    slug: str
    crawl_id: str
    path: Path
    runs: int  # processes that worked on it
    fetch_done: bool  # a run ended with Scrapy's "finished": nothing left to fetch
    done: bool  # the finish stage completed (documents and manifest written)
    last_end: str | None  # the last run's end reason; None if it was killed
    resume_info: dict[str, Any]

    @property
    def journal(self) -> Path:
        return self.path / JOURNAL

    @property
    def jobdir(self) -> Path:
        return self.path / JOBDIR

    @property
    def how_ended(self) -> str:
        """finished | interrupted | killed | failed (from the journal's last events)."""
        if self.done:
            return "finished"
        if self.fetch_done:
            return "failed"  # fetched everything, the finish stage did not complete
        return "killed" if self.last_end is None else "interrupted"


def crawl_state(store: ArchiveStore, slug: str, crawl_id: str) -> CrawlState:
    """Read one crawl's journal and resume info. JournalError if it has no journal."""
    path = crawl_dir(store, slug, crawl_id)
    journal = path / JOURNAL
    if not journal.exists():
        raise JournalError(f"crawl {crawl_id} of story {slug!r} has no journal in {path}")
    runs, fetch_done, done, last_end = 0, False, False, None
    for _offset, event in read_events(journal):
        kind = event.get("t")
        if kind == "run":
            runs += 1
            last_end = None
        elif kind == "end":
            last_end = str(event.get("reason"))
            fetch_done = fetch_done or fetch_complete(last_end)
        elif kind == "done":
            done = True
    info: dict[str, Any] = {}
    if (path / RESUME_INFO).exists():
        info = json.loads((path / RESUME_INFO).read_text(encoding="utf-8"))
    return CrawlState(slug, crawl_id, path, runs, fetch_done, done, last_end, info)


def unfinished_crawls(store: ArchiveStore, slug: str) -> list[CrawlState]:
    """The story's crawls whose finish stage has not completed, oldest first."""
    root = crawls_dir(store, slug)
    if not root.is_dir():
        return []
    out = []
    for entry in sorted(root.iterdir()):
        if (entry / JOURNAL).exists():
            state = crawl_state(store, slug, entry.name)
            if not state.done:
                out.append(state)
    return out


def write_resume_info(path: Path, info: dict[str, Any]) -> None:
    """What `storyarchive resume` needs to start the crawl again (written atomically).
    URLs are written without user info: credentials are sent, never written (a resumed
    capture of such a URL sends none; give the URL again)."""
    from storyarchive.credentials import strip_userinfo

    if info.get("urls"):
        info = {**info, "urls": [strip_userinfo(u) for u in info["urls"]]}
    path.mkdir(parents=True, exist_ok=True)
    tmp = path / f".{RESUME_INFO}.tmp"
    tmp.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path / RESUME_INFO)


@dataclass
class ResumeView:
    """What a resumed crawl needs from its journal so far: every archived exchange by
    (method, URL) (the last one wins: a retry's success over its failure), the WARC records
    whose page was already handled (stored or skipped), and the canonical URLs stored."""

    fetched: dict[tuple[str, str], dict[str, Any]]
    handled: set[tuple[str, int]]
    canonicals: set[str]

    def __bool__(self) -> bool:
        return bool(self.fetched)


def resume_view(path: Path) -> ResumeView:
    """Read a journal for resuming (an empty view if there is none)."""
    view = ResumeView({}, set(), set())
    for _offset, e in read_events(path):
        kind = e.get("t")
        if kind == "fetch":
            view.fetched[(e["method"], e["url"])] = e["warc"]
        elif kind in ("page", "skip"):
            warc = e["page"].get("warc") if kind == "page" else e.get("warc")
            if warc:
                view.handled.add((warc["filename"], int(warc["offset"])))
            if kind == "page":
                view.canonicals.add(e["page"]["canonical_url"])
    return view
