"""Whatever fails at the end of a crawl makes the run exit with status 1 and say what
failed, through `storyarchive` and through `scrapy crawl` alike: a crawl id used twice, a
finish stage that cannot write its documents or manifest, a component failing while the
spider closes. (Scrapy's own `crawl` exits 0 for all of these: only a crawl that could not
start exits 1; settings.py's COMMANDS_MODULE replaces it.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli import REPO, run_cli
from tests.commands.closefail import MESSAGE
from tests.warc.rawserver import RawServer, article_routes

SLUG = "closing"
QUIET = ["ROBOTSTXT_OBEY=False", "RETRY_TIMES=0", "STORYARCHIVE_CAPTURE_REQUISITES=False"]
FAILING = json.dumps({"storyarchive.closing.CloseFailures": 100,
                      "tests.commands.closefail.FailsWhenClosing": 900})


def scrapy_crawl(urls: list[str], store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl capture` in the project, as a user would run it."""
    settings = [x for s in (*QUIET, f"STORYARCHIVE_STORE={store}", "LOG_LEVEL=WARNING") for x in ("-s", s)]
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "capture", "-a", f"urls={' '.join(urls)}",
         "-a", f"story={SLUG}", *settings, *args],
        cwd=REPO, env={**os.environ, "STORYARCHIVE_PROGRESS": "off"}, capture_output=True,
        text=True, timeout=300)


def versions(store: Path) -> list[Path]:
    return sorted((store / "stories" / SLUG).glob("articles/*/*.json"))


def test_scrapy_crawl_with_a_crawl_id_used_before_exits_1_and_writes_nothing(tmp_path: Path):
    store = tmp_path / "archive"
    with RawServer(routes=article_routes(2, size=20_000)) as site:
        urls = [site.url("/a/1"), site.url("/a/2")]
        first = scrapy_crawl(urls, store, "-a", "crawl_id=the-one")
        assert first.returncode == 0, first.stderr[-3000:]
        written = versions(store)
        assert len(written) == 2
        manifest = (store / "stories" / SLUG / "crawls" / "the-one.json").read_bytes()
        again = scrapy_crawl(urls, store, "-a", "crawl_id=the-one")
    assert again.returncode == 1
    assert (f"crawl the-one of story '{SLUG}' is done already (its manifest "
            f"stories/{SLUG}/crawls/the-one.json is in {store})") in again.stderr
    assert versions(store) == written  # nothing fetched, nothing written
    assert (store / "stories" / SLUG / "crawls" / "the-one.json").read_bytes() == manifest


def test_scrapy_crawl_whose_documents_cannot_be_written_exits_1(tmp_path: Path):
    store = tmp_path / "archive"
    (store / "stories" / SLUG).mkdir(parents=True)
    (store / "stories" / SLUG / "articles").write_text("a file where the documents go")
    with RawServer(routes=article_routes(1, size=20_000)) as site:
        done = scrapy_crawl([site.url("/a/1")], store)
    assert done.returncode == 1
    step = [line for line in done.stderr.splitlines() if line.startswith("storyarchive: ")]
    assert len(step) == 1 and f"of '{SLUG}' ended failed: NotADirectoryError" in step[0], done.stderr[-3000:]


def test_a_component_failing_while_the_spider_closes_makes_the_run_exit_1(tmp_path: Path):
    with RawServer(routes=article_routes(1, size=20_000)) as site:
        captured = run_cli("capture", site.url("/a/1"), "--story", SLUG, "--store", str(tmp_path / "a"),
                           *[x for s in (*QUIET, f"EXTENSIONS={FAILING}") for x in ("--set", s)],
                           check=False)
        crawled = scrapy_crawl([site.url("/a/1")], tmp_path / "b", "-s", f"EXTENSIONS={FAILING}")
    assert captured.returncode == 1, captured.stderr[-3000:]
    step = [line for line in captured.stderr.splitlines() if line.startswith("storyarchive: ")]
    assert len(step) == 1, captured.stderr[-3000:]
    assert f"of '{SLUG}' failed while closing: FailsWhenClosing.spider_closed failed: " \
           f"RuntimeError: {MESSAGE}" in step[0]
    assert len(versions(tmp_path / "a")) == 1  # the documents were written; the run still says so
    assert crawled.returncode == 1
    assert f"failed while closing: FailsWhenClosing.spider_closed failed: RuntimeError: {MESSAGE}" \
           in crawled.stderr
