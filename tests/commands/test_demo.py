"""`storyarchive demo` (what `make demo` runs) and stories/demo-dock-strike.toml never mix:
on the story file's ports the demo is that story (same URLs, same slug); on other ports it
files under a slug of its own. Running it twice gives the same summary."""

from __future__ import annotations

import json
import random
import re
import socket
from pathlib import Path

from demoweb import DemoWeb
from storyarchive.commands.demo import STORY_FILE_BASE_PORT, demo_slug
from storyarchive.story import load_story
from tests.cli import REPO, run_cli


def free_port_block(n: int) -> int:
    """A first port of `n` consecutive free ports on 127.0.0.1."""
    for _ in range(50):
        base = random.randrange(20000, 60000 - n)
        sockets = []
        try:
            for port in range(base, base + n):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise AssertionError("no block of free ports")


def test_on_the_story_files_ports_the_demo_is_that_story():
    story = load_story(REPO / "stories" / "demo-dock-strike.toml")
    assert story.sources.seeds[0] == f"http://127.0.0.1:{STORY_FILE_BASE_PORT}/"
    assert demo_slug(story.slug, STORY_FILE_BASE_PORT) == "demo-dock-strike"
    assert "storyarchive demo\n" in (REPO / "Makefile").read_text()  # make demo: default ports


def test_on_other_ports_the_demo_files_under_a_slug_of_its_own():
    assert demo_slug("demo-dock-strike", 23401) == "demo-dock-strike-23401"


def summary_lines(out: str) -> list[str]:
    """The summary without what differs between two runs: the crawl id and the revisit
    count (a second run finds every payload archived already)."""
    lines = out.splitlines()
    lines[0] = re.sub(r"crawl \S+ of", "crawl <id> of", re.sub(r"in \d+\.\d s", "in <t> s", lines[0]))
    return [re.sub(r"\d+ revisits?", "<n> revisits", line) for line in lines]


def test_running_the_demo_twice_gives_the_same_summary_and_each_article_once(tmp_path: Path):
    base = free_port_block(len(DemoWeb(base_port=1).specs))
    store = tmp_path / "archive"
    first, second = (run_cli("demo", "--base-port", str(base), "--store", str(store)).stdout for _ in "12")
    slug = f"demo-dock-strike-{base}"
    assert f"of '{slug}' finished in" in first
    assert summary_lines(first) == summary_lines(second)
    assert re.search(r"dedup +blocks \d+; collapsed: .*wire-exact \d+", first)
    info = json.loads(run_cli("show", slug, "--store", str(store), "--json").stdout)
    expected = DemoWeb(base_port=base).expected_canonical_urls(include_generated=False)
    assert sorted(a["canonical_url"] for a in info["articles"]) == sorted(expected)
    assert info["crawls"] == 2
    assert not (store / "stories" / "demo-dock-strike").exists()


def test_a_taken_port_is_one_clear_error(tmp_path: Path):
    base = free_port_block(1)
    with socket.socket() as s:
        s.bind(("127.0.0.1", base))
        s.listen()
        proc = run_cli("demo", "--base-port", str(base), "--store", str(tmp_path / "archive"), check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"cannot listen on 127.0.0.1:{base}: port in use" in proc.stderr
