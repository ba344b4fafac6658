"""Crawls of the hostile web (tests/hostile/web.py) as subprocesses, and what a test reads
from them: the exit status and log, the manifest, the documents, every WARC record, and the
peak memory of the crawl's processes (read from /proc while it runs)."""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from tests.commands.crawlproc import REPO, Cli, CliResult, settings_args
from tests.commands.test_crawl import cli_env

SLUG = "hostile"


def story_toml(feeds: list[str] = (), sitemaps: list[str] = (), seeds: list[str] = (),  # type: ignore[assignment]
               slug: str = SLUG) -> str:
    """A story about the harbor with these sources."""
    def toml_list(urls: list[str]) -> str:
        return "[" + ", ".join(json.dumps(u) for u in urls) + "]"
    return (f'slug = "{slug}"\ntitle = "Hostile web"\n\n[terms]\nrequired = ["harbor"]\n\n'
            f"[sources]\nfeeds = {toml_list(list(feeds))}\nsitemaps = {toml_list(list(sitemaps))}\n"
            f"seeds = {toml_list(list(seeds))}\n")


class PeakMemory:
    """The largest peak resident size (VmHWM) of a process and its descendants, polled from
    /proc until stopped. VmHWM is each process's own high-water mark, so a peak between
    two polls is not missed (except in a process that is born and dies between them)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def peak(self) -> int:
        return max(self.peaks.values(), default=0)

    def _tree(self) -> list[int]:
        out, stack = [], [self.pid]
        while stack:
            pid = stack.pop()
            out.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        stack.extend(int(c) for c in f.read().split())
            except OSError:
                pass
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self._tree():
                try:
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                kb = int(line.split()[1])
                                self.peaks[pid] = max(self.peaks.get(pid, 0), kb * 1024)
                except (OSError, ValueError):
                    pass
            self._stop.wait(0.02)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass
class Record:
    """One WARC record: its type, target URI, WARC headers, HTTP head and payload as
    stored (still content-encoded)."""

    type: str
    uri: str
    warc_headers: dict[str, str]
    http_headers: list[tuple[str, str]]
    status: str | None
    payload: bytes

    def http_header(self, name: str) -> str | None:
        return next((v for k, v in self.http_headers if k.lower() == name.lower()), None)


@dataclass
class Crawl:
    result: CliResult
    store: Path
    slug: str
    peak_rss: int  # bytes: the largest VmHWM of the crawl's processes
    records: list[Record] = field(default_factory=list)

    @property
    def log(self) -> str:
        return self.result.out + self.result.err

    def manifest(self) -> dict[str, Any]:
        (path,) = (self.store / "stories" / self.slug / "crawls").glob("*.json")
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    def documents(self) -> list[dict[str, Any]]:
        root = self.store / "stories" / self.slug / "articles"
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.json"))]

    def rejected(self, url: str) -> list[dict[str, Any]]:
        """The manifest's rejected_at_discovery entries for `url`."""
        return [e for e in self.manifest()["rejected_at_discovery"] if e.get("url") == url]

    def skipped(self, url: str) -> list[dict[str, Any]]:
        return [e for e in self.manifest()["skipped"] if e.get("url") == url]

    def responses(self, url: str) -> list[Record]:
        return [r for r in self.records if r.type == "response" and r.uri == url]

    def stat(self, name: str) -> Any:
        return self.manifest()["stats"].get(name)


def read_records(store: Path, slug: str) -> list[Record]:
    out = []
    for path in sorted((store / "stories" / slug / "warc").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                http = rec.http_headers
                out.append(Record(
                    rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI") or "",
                    dict(rec.rec_headers.headers), list(http.headers) if http else [],
                    http.get_statuscode() if http and rec.rec_type == "response" else None,
                    rec.raw_stream.read()))
    return out


def run(tmp: Path, command: list[str], *settings: str, slug: str = SLUG, verbose: bool = False,
        timeout: float = 300.0) -> Crawl:
    """Run `storyarchive COMMAND... --store TMP/archive` with the fast test settings and
    `settings` (NAME=VALUE), watching its memory."""
    store = tmp / "archive"
    env = {**cli_env(), "SCRAPY_SETTINGS_MODULE": "settings", "PYTHONPATH": str(REPO)}
    cli = Cli(tmp / "logs", env)
    running = cli.start(*command, "--store", str(store), *settings_args(*settings),
                        *(["-v"] if verbose else []))
    memory = PeakMemory(running.proc.pid)
    try:
        result = running.result(timeout)
    finally:
        peak = memory.stop()
    crawl = Crawl(result, store, slug, peak)
    if (store / "stories" / slug / "warc").is_dir():
        crawl.records = read_records(store, slug)
    return crawl


def crawl(tmp: Path, story: str, *settings: str, verbose: bool = False, timeout: float = 300.0) -> Crawl:
    """`storyarchive crawl` of the story TOML text `story`."""
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "story.toml"
    path.write_text(story, encoding="utf-8")
    return run(tmp, ["crawl", str(path)], *settings, verbose=verbose, timeout=timeout)


def all_bytes(root: Path, skip: Callable[[Path], bool] = lambda p: False) -> bytes:
    """Every file under `root` (but those `skip` names), concatenated, gzip members
    decompressed (to search for a string anywhere in what was written)."""
    import gzip

    out = io.BytesIO()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not skip(p)):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                pass
        out.write(data)
    return out.getvalue()
