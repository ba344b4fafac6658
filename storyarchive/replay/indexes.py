"""The merged CDXJ of a story collection, as pywb needs it: one file, sorted bytewise.

The WARC recorder writes one sorted CDXJ per closed WARC (stories/<slug>/indexes/*.cdxj);
pywb binary-searches one sorted file per collection, so the story's files are merged
(a streaming k-way merge: never more than one line per file in memory).
"""

from __future__ import annotations

import heapq
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

from storyarchive import layout
from storyarchive.store.base import ArchiveStore


class NoCapturesError(Exception):
    """The archive holds no indexed capture for what was asked (story slug, store)."""


def story_slugs(store: ArchiveStore) -> list[str]:
    """Every story of the archive that has at least one CDXJ index, sorted."""
    slugs = set()
    for key in store.list_keys("stories/"):
        parts = key.split("/")
        if len(parts) == 4 and parts[2] == "indexes" and parts[3].endswith(".cdxj"):
            slugs.add(parts[1])
    return sorted(slugs)


def index_keys(store: ArchiveStore, slug: str) -> list[str]:
    prefix = f"{layout.story_prefix(slug)}indexes/"
    return [k for k in store.list_keys(prefix) if k.endswith(".cdxj")]


def local_index_files(store: ArchiveStore, slug: str, cache_dir: Path) -> list[Path]:
    """Paths of the story's CDXJ files on this machine: the files themselves for a local
    store, copies in `cache_dir` otherwise (indexes are create-only, so a copy of the same
    name and size is current and is not fetched again)."""
    paths = []
    for key in index_keys(store, slug):
        local = store.local_path(key)
        if local is None:
            local = cache_dir / key.rsplit("/", 1)[1]
            if not (local.exists() and local.stat().st_size == store.size(key)):
                cache_dir.mkdir(parents=True, exist_ok=True)
                _write_atomic(local, store.get_bytes(key))
            local.touch()
        paths.append(local)
    return paths


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def merged_lines(paths: list[Path]) -> Iterator[str]:
    """The lines of sorted CDXJ files, merged in sort order (str order of the lines is the
    bytewise order of their UTF-8 encoding), blank lines dropped, exact duplicates once."""
    with ExitStack() as stack:
        files = [stack.enter_context(open(p, encoding="utf-8")) for p in paths]
        last = None
        for line in heapq.merge(*files):
            if not line.strip():
                continue
            line = line if line.endswith("\n") else line + "\n"
            if line != last:
                yield line
                last = line


def write_merged_index(paths: list[Path], dest: Path) -> int:
    """Merge `paths` into `dest` (written beside it, then renamed: a running pywb never
    sees a half-written index). Returns the number of lines."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=dest.parent)
    count = 0
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
        for line in merged_lines(paths):
            out.write(line)
            count += 1
    os.replace(tmp, dest)
    return count


def build_story_index(store: ArchiveStore, slug: str, work_dir: Path) -> tuple[Path, int]:
    """Write `work_dir/<slug>/index.cdxj`, the merged index of the story's captures.
    Returns (path, lines). NoCapturesError if the story has no index in the store."""
    paths = local_index_files(store, slug, work_dir / slug / "cdxj")
    if not paths:
        raise NoCapturesError(
            f"story {slug!r} has no indexed captures in {store.uri} "
            f"(no {layout.story_prefix(slug)}indexes/*.cdxj); crawl or capture it first"
        )
    dest = work_dir / slug / "index.cdxj"
    return dest, write_merged_index(paths, dest)


def read_index(path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(urlkey, timestamp, fields) of every line of a CDXJ file."""
    import json

    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                key, ts, rest = line.rstrip("\n").split(" ", 2)
                yield key, ts, json.loads(rest)
