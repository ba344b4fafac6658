"""Crawls as subprocesses a test can watch, kill and resume, and the views of an archive
those tests compare: documents without what differs between runs, document versions per
doc id, the journal's events, and the demo web's access log as full URLs.

The command's stdout and stderr go to files, never pipes, so a killed crawl (or a child
it leaves behind) can never block the test on a pipe.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from demoweb import DemoWeb
from storyarchive.store.base import ArchiveStore

REPO = Path(__file__).resolve().parents[2]
GENERATED_SLUG = "bench-generated"  # bench.pipeline.story_for's story
# Fields that differ between two runs of the same crawl (when it ran, which WARC record).
RUN_FIELDS = ("crawl_id", "fetched_at", "warc", "replay_url")
CONCURRENCY = 8
# Politeness off (the site is ours, on loopback) and a known bound on requests in flight.
FAST = ("AUTOTHROTTLE_ENABLED=False", "ROBOTSTXT_OBEY=False", f"CONCURRENT_REQUESTS={CONCURRENCY}",
        f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}")


def settings_args(*pairs: str) -> list[str]:
    """--set NAME=VALUE for FAST and each of `pairs`."""
    out = []
    for pair in (*FAST, *pairs):
        out += ["--set", pair]
    return out


@dataclass
class CliResult:
    code: int
    out: str
    err: str


class Running:
    """One `storyarchive` subprocess with its output in files."""

    def __init__(self, args: list[str], env: dict[str, str], out: Path, err: Path) -> None:
        self.args, self.out_path, self.err_path = args, out, err
        with open(out, "wb") as o, open(err, "wb") as e:
            self.proc = subprocess.Popen([sys.executable, "-m", "storyarchive", *args], cwd=REPO,
                                         env=env, stdout=o, stderr=e)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 60.0,
                   poll: float = 0.005) -> None:
        """Poll `condition` until it holds; fail (killing the process) if the process ends
        first or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                code = self.proc.poll()
                state = "timed out" if code is None else f"exited {code}"
                self.kill(signal.SIGKILL)
                raise AssertionError(f"storyarchive {' '.join(self.args[:2])} {state} before {what}\n"
                                     f"stderr:\n{self.err_path.read_text()[-3000:]}")
            time.sleep(poll)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=60)

    def result(self, timeout: float = 120.0) -> CliResult:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            raise
        return CliResult(self.proc.returncode, self.out_path.read_text(), self.err_path.read_text())


class Cli:
    """`python -m storyarchive` from the repository, with `env`, output under `logdir`."""

    def __init__(self, logdir: Path, env: dict[str, str] | None = None) -> None:
        self.logdir = logdir
        self.env = {**(env if env is not None else os.environ), "STORYARCHIVE_PROGRESS": "off"}
        self.logdir.mkdir(parents=True, exist_ok=True)
        self._n = 0
        self.started: list[Running] = []

    def start(self, *args: str) -> Running:
        self._n += 1
        stem = self.logdir / f"{self._n:02d}-{args[0]}"
        running = Running(list(args), self.env, stem.with_suffix(".out"), stem.with_suffix(".err"))
        self.started.append(running)
        return running

    def kill_all(self) -> None:
        """Kill every process this Cli started that still runs (a test's teardown: a
        failed test leaves no worker or crawl behind)."""
        for running in self.started:
            running.kill(signal.SIGKILL)

    def run(self, *args: str, timeout: float = 120.0) -> CliResult:
        return self.start(*args).result(timeout)

    def ok(self, *args: str, timeout: float = 120.0) -> CliResult:
        """Run, and fail the test with the command's output unless it exits 0."""
        result = self.run(*args, timeout=timeout)
        assert result.code == 0, (f"storyarchive {' '.join(args)} exited {result.code}\n"
                                  f"stdout:\n{result.out[-3000:]}\nstderr:\n{result.err[-3000:]}")
        return result


# ---------------------------------------------------------------------- the archive
def document_versions(store: ArchiveStore, slug: str) -> dict[str, list[str]]:
    """doc_id -> the keys of its stored versions."""
    out: dict[str, list[str]] = {}
    for key in store.list_keys(f"stories/{slug}/articles/"):
        if key.endswith(".json"):
            out.setdefault(key.split("/")[-2], []).append(key)
    return out


def documents(store: ArchiveStore, slug: str) -> dict[str, dict[str, Any]]:
    """doc_id -> its latest version, without RUN_FIELDS."""
    out = {}
    for doc_id, keys in document_versions(store, slug).items():
        doc = json.loads(store.get_bytes(max(keys)))
        for name in RUN_FIELDS:
            doc.pop(name, None)
        out[doc_id] = doc
    return out


def document_differences(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What differs between two documents() results: ids on one side only, and for each
    document on both, its differing fields as (a's value, b's value). Empty when equal."""
    out: dict[str, Any] = {k: "only in the first" for k in a.keys() - b.keys()}
    out |= {k: "only in the second" for k in b.keys() - a.keys()}
    for k in a.keys() & b.keys():
        fields = {f: (a[k].get(f), b[k].get(f)) for f in a[k].keys() | b[k].keys()
                  if a[k].get(f) != b[k].get(f)}
        if fields:
            out[k] = fields
    return out


def manifest(store: ArchiveStore, slug: str) -> dict[str, Any]:
    """The story's only crawl manifest."""
    keys = [k for k in store.list_keys(f"stories/{slug}/crawls/") if k.endswith(".json")]
    assert len(keys) == 1, keys
    return json.loads(store.get_bytes(keys[0]))  # type: ignore[no-any-return]


def journal_path(state: Path, slug: str) -> Path | None:
    """The journal of the story's only crawl under state directory `state`, once it exists."""
    found = list((state / slug / "crawls").glob("*/journal.jsonl"))
    assert len(found) <= 1, found
    return found[0] if found else None


def count_events(journal: Path | None, kind: str) -> int:
    """Complete lines of kind `kind` in `journal` (0 before it exists)."""
    if journal is None or not journal.exists():
        return 0
    prefix = json.dumps({"t": kind}, separators=(",", ":"))[:-1].encode()  # {"t":"page"
    return sum(1 for line in journal.read_bytes().splitlines(keepends=True)
               if line.startswith(prefix) and line.endswith(b"\n"))


def journaled_fetches(journal: Path) -> set[str]:
    """URLs of every exchange the journal says was archived."""
    from storyarchive.journal import read_events

    return {e["url"] for _o, e in read_events(journal) if e.get("t") == "fetch"}


def index_records(store: Path, slug: str) -> list[bytes]:
    """Every record of the story's embedded dedup index (a local store's), in order."""
    from storyarchive.dedup.backend import SqliteBackend

    backend = SqliteBackend(store / ".state" / slug / "dedup.sqlite")
    try:
        return backend.read_since(0)[0]
    finally:
        backend.close()


# ---------------------------------------------------------------------- the demo web
def access_log(web: DemoWeb) -> Counter[str]:
    """Requests the demo web received, by full URL, over every running outlet."""
    out: Counter[str] = Counter()
    for slug in web.outlets:
        for path, n in web.requests(slug).items():
            out[web.url(slug, path)] += n
    return out


@dataclass
class Refetches:
    """What two runs of one crawl fetched: URLs fetched more than once, and the URLs that
    were in flight when the first run was killed (requested, not journaled as archived)."""

    twice: dict[str, int]
    in_flight: set[str]

    def check(self, limit: int = CONCURRENCY) -> None:
        """Nothing fetched twice except what was in flight, and that is at most `limit`."""
        assert set(self.twice) <= self.in_flight, (
            f"fetched again though archived before the kill: {sorted(set(self.twice) - self.in_flight)}")
        assert len(self.in_flight) <= limit, f"{len(self.in_flight)} in flight: {sorted(self.in_flight)}"
        assert all(n == 2 for n in self.twice.values()), self.twice


def refetches(before: Counter[str], at_kill: Counter[str], after: Counter[str],
              journal_at_kill: set[str]) -> Refetches:
    """From access-log snapshots taken before the first run, right after its kill and after
    the resume, and the URLs the journal held at the kill."""
    first = at_kill - before
    both = after - before
    return Refetches({u: n for u, n in both.items() if n > 1}, set(first) - journal_at_kill)


# ---------------------------------------------------------------------- a slow link
