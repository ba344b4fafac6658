"""A resumed crawl answers what it archived from its WARCs instead of fetching it again: a
gzip bomb it archived is answered as stored and decoded no further than when it was
fetched, so the resume's memory stays bounded too."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from tests.commands.crawlproc import REPO, Cli, count_events, journal_path, settings_args
from tests.commands.test_crawl import cli_env
from tests.hostile import web
from tests.hostile.conftest import run

MiB = 1 << 20
SLUG = "bombs"


def test_a_resumed_crawl_answers_an_archived_gzip_bomb_within_its_memory_bound(tmp_path: Path):
    bomb = web.gzip_bomb(1 << 30, member=1 << 30)  # one member: warcio decodes it whole
    with web.HostileServer() as server:
        server.routes.update({"/bomb": lambda ex: ex.respond(bomb, headers=(("Content-Encoding", "gzip"),)),
                              "/slow": web.drip(1.0)})
        store = tmp_path / "archive"
        cli = Cli(tmp_path / "first", {**cli_env(), "SCRAPY_SETTINGS_MODULE": "settings",
                                       "PYTHONPATH": str(REPO)})
        first = cli.start("capture", server.url("/bomb"), server.url("/slow"), "--story", SLUG,
                          "--store", str(store), *settings_args("DOWNLOAD_TIMEOUT=20", "RETRY_TIMES=0"))
        first.wait_until(lambda: count_events(journal_path(store / ".state", SLUG), "fetch") >= 1,
                         "the bomb was archived")
        first.kill(signal.SIGKILL)  # the slow page still dripping: the crawl is unfinished
        journal = journal_path(store / ".state", SLUG)
        assert journal is not None
        fetched = [json.loads(line)["url"] for line in journal.read_text().splitlines()
                   if line.startswith('{"t":"fetch"')]
        assert fetched == [server.url("/bomb")]

        resumed = run(tmp_path, ["resume", SLUG], "DOWNLOAD_TIMEOUT=3", slug=SLUG)
        assert resumed.result.code == 0, resumed.log[-3000:]
        assert server.requested("/bomb") == 1  # answered from the archive, not fetched again
        assert resumed.peak_rss < 400 * MiB, f"{resumed.peak_rss / MiB:.0f} MiB"
        (skip,) = resumed.skipped(server.url("/bomb"))
        assert skip["reason"] == "too-large: decodes to more than the size limit"
        assert os.path.exists(store / "stories" / SLUG / "crawls")
