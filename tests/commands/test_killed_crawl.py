"""A crawl process killed outright leaves nothing running: its fork server and extraction
workers end with it (a parent-death signal), whatever killed it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.commands.conftest import GeneratedSite
from tests.commands.crawlproc import Cli, settings_args


def descendants(pid: int) -> set[int]:
    """Every living process below `pid` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_killed_crawl_leaves_no_extraction_worker_behind(generated_site: GeneratedSite, tmp_path: Path):
    cli = Cli(tmp_path / "logs")
    crawl = cli.start("crawl", str(generated_site.story), "--store", str(tmp_path / "archive"),
                      *settings_args("CONCURRENT_REQUESTS=2", "STORYARCHIVE_EXTRACT_WORKERS=2"))
    crawl.wait_until(lambda: len(descendants(crawl.proc.pid)) >= 3, "the fork server and 2 workers ran")
    children = descendants(crawl.proc.pid)
    crawl.kill(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in children if alive(p)], "extraction processes outlived the crawl"
