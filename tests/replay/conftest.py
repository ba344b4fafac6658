"""Archives the replay tests share: the demo story crawled twice (one article changed in
between, so crawl 2 holds a new response for it and revisits for the unchanged pages)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from demoweb import DemoWeb
from storyarchive.replay.indexes import read_index

PROJECT = Path(__file__).resolve().parents[2]
SLUG = "demo-dock-strike"
CHANGED = "m-wire"  # the article touched between the two crawls


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`storyarchive ARGS` in a subprocess from the project directory; fails the test with
    its output if it exits non-zero."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("STORYARCHIVE_", "AWS_"))}
    done = subprocess.run([sys.executable, "-m", "storyarchive", *args], cwd=PROJECT,
                          env=env or base, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"storyarchive {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@dataclass
class CrawledArchive:
    root: Path  # the local store
    web: DemoWeb
    story_file: Path
    crawl_ids: list[str]

    @property
    def story_dir(self) -> Path:
        return self.root / "stories" / SLUG

    def index(self) -> list[tuple[str, str, dict[str, str]]]:
        """Every CDXJ line of the story, from every per-file index."""
        lines = []
        for path in sorted((self.story_dir / "indexes").glob("*.cdxj")):
            lines.extend(read_index(path))
        return lines

    def captures(self, url: str) -> list[tuple[str, dict[str, str]]]:
        """(timestamp, fields) of every capture of `url`, oldest first."""
        return sorted((ts, f) for _k, ts, f in self.index() if f["url"] == url)

    def documents(self) -> list[dict]:
        """The latest version of every document."""
        from storyarchive.document import iter_latest_documents
        from storyarchive.store.local import LocalStore

        return [d for _k, d in iter_latest_documents(LocalStore(self.root), SLUG)]


def crawl(story_file: Path, store: Path) -> str:
    out = run_cli("crawl", str(story_file), "--store", str(store)).stdout
    return out.split("crawl ", 1)[1].split()[0]


@pytest.fixture(scope="session")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrawledArchive]:
    """The demo story crawled twice into one local store, CHANGED touched in between.
    The demo web stays up for the session (tests block every request to it)."""
    base = tmp_path_factory.mktemp("replay-two-crawls")
    with DemoWeb(base_port=0) as web:
        story = base / "story.toml"
        story.write_text(web.story_toml(), encoding="utf-8")
        first = crawl(story, base / "archive")
        web.touch(CHANGED)
        second = crawl(story, base / "archive")
        yield CrawledArchive(base / "archive", web, story, [first, second])


def manifest(archive: CrawledArchive, crawl_id: str) -> dict:
    return json.loads((archive.story_dir / "crawls" / f"{crawl_id}.json").read_text())
