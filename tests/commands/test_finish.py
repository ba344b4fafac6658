"""`storyarchive finish <slug>` after a crawl's finish stage failed (its Redis index went
away, its disk filled up): the crawl exits 1 saying what failed and to run `storyarchive
finish`; nothing written is damaged; once the cause is gone the finish completes without a
fetch and every document exists once, as an uninterrupted crawl writes it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

from storyarchive.journal import FINISH_LOG
from storyarchive.store.identity import store_id
from storyarchive.store.local import LocalStore
from tests.commands.conftest import GeneratedSite, Reference
from tests.commands.crawlproc import (
    GENERATED_SLUG,
    Cli,
    access_log,
    document_versions,
    documents,
    index_records,
    manifest,
    settings_args,
)
from tests.fixtures.redisserver import RedisProcess
from tests.fixtures.smalldisk import fill

SLUG = GENERATED_SLUG
SLOW_FINISH = "STORYARCHIVE_FINISH_BATCH_DOCUMENTS=1"  # one dedup run and one write per document


def article_dirs(store: Path) -> int:
    folder = store / "stories" / SLUG / "articles"
    return len(list(folder.iterdir())) if folder.is_dir() else 0


def assert_written_documents_intact(store: Path) -> None:
    """Every document file in the store is whole JSON (a write is complete or absent)."""
    for path in (store / "stories" / SLUG / "articles").rglob("*"):
        if path.is_file():
            assert not path.name.startswith(".tmp-"), f"a temporary file left: {path}"
            json.loads(path.read_bytes())


def assert_every_document_once(store: Path, expected: dict[str, Any]) -> None:
    versions = document_versions(LocalStore(store), SLUG)
    assert {d: len(v) for d, v in versions.items() if len(v) != 1} == {}, "a document written twice"
    assert documents(LocalStore(store), SLUG) == expected


# ---------------------------------------------------------------------- Redis goes away
def test_redis_killed_during_the_finish_fails_the_crawl_and_finish_completes_it(
    generated_site: GeneratedSite, reference: Callable[..., Reference], tmp_path: Path,
    own_redis: RedisProcess
):
    expected = reference(SLOW_FINISH).documents
    store = tmp_path / "archive"
    cli = Cli(tmp_path / "logs")
    run = cli.start("crawl", str(generated_site.story), "--store", str(store),
                    *settings_args(SLOW_FINISH, f"STORYARCHIVE_DEDUP_REDIS_URL={own_redis.url}"))
    run.wait_until(lambda: article_dirs(store) >= 10, "10 documents were written")
    own_redis.kill()
    crawl = run.result()
    assert crawl.code == 1, crawl.err[-3000:]
    assert article_dirs(store) < generated_site.pages, "the finish completed before Redis went away"
    step = [line for line in crawl.err.splitlines() if line.startswith("storyarchive: ")]
    assert len(step) == 1, crawl.err[-3000:]
    assert "redis" in step[0].lower() and "index" in step[0].lower(), step[0]
    assert f"run `storyarchive finish {SLUG}`" in step[0]
    assert "Traceback" not in crawl.err
    assert_written_documents_intact(store)
    fetched = access_log(generated_site.web)

    own_redis.restart()
    cli.ok("finish", SLUG, "--store", str(store))  # as the crawl said, without its --set
    assert access_log(generated_site.web) == fetched, "the finish fetched something"
    assert_every_document_once(store, expected)
    m = manifest(LocalStore(store), SLUG)
    assert m["status"] == "failed"  # an earlier finish failed; this one completed it
    assert len(m["finish_failures"]) == 1 and "redis" in m["finish_failures"][0].lower()
    # the crawl's own index (Redis) holds the story, not an embedded one made up by finish
    assert redis.Redis.from_url(own_redis.url).llen(f"sa:dd:{store_id(LocalStore(store))}:{SLUG}") > 0
    assert not list((store / ".state").rglob("dedup.sqlite"))


# ---------------------------------------------------------------------- the disk fills up
def test_a_disk_full_during_the_finish_fails_the_crawl_and_finish_completes_it_once_freed(
    generated_site: GeneratedSite, reference: Callable[..., Reference], small_disk: Path
):
    ref = reference(SLOW_FINISH)
    expected = ref.documents
    store = small_disk / "archive"
    cli = Cli(small_disk.parent / "logs")
    filler = small_disk / "filler"
    run = cli.start("crawl", str(generated_site.story), "--store", str(store), *settings_args(SLOW_FINISH))
    # the WARC file and its index delivered, the finish stage writing documents: fill the disk
    indexes = store / "stories" / SLUG / "indexes"
    run.wait_until(lambda: article_dirs(store) >= 10 and any(indexes.glob("*.cdxj")),
                   "the WARC was delivered and 10 documents were written")
    fill(filler)
    crawl = run.result()
    assert crawl.code == 1, crawl.err[-3000:]
    assert article_dirs(store) < generated_site.pages, "the finish completed before the disk was full"
    step = [line for line in crawl.err.splitlines() if line.startswith("storyarchive: ")]
    assert len(step) == 1, crawl.err[-3000:]
    # (a document, the finish log or the SQLite dedup index: whichever write came first)
    assert "No space left on device" in step[0] or "disk is full" in step[0], step[0]
    assert f"run `storyarchive finish {SLUG}`" in step[0], step[0]
    assert "Traceback" not in crawl.err
    # nothing already written is damaged
    assert_written_documents_intact(store)
    cli.ok("warc", "verify", "--story", SLUG, "--store", str(store))
    fetched = access_log(generated_site.web)
    # the failed attempt is noted in the finish log if the full disk let it be written
    noted = "failed" in next(store.glob(f".state/{SLUG}/crawls/*/{FINISH_LOG}")).read_text()

    filler.unlink()
    cli.ok("finish", SLUG, "--store", str(store))
    assert access_log(generated_site.web) == fetched, "the finish fetched something"
    assert_every_document_once(store, expected)
    assert index_records(store, SLUG) == index_records(ref.store, SLUG)
    assert_written_documents_intact(store)
    cli.ok("warc", "verify", "--story", SLUG, "--store", str(store))
    m = manifest(LocalStore(store), SLUG)
    assert m["status"] == ("failed" if noted else "finished")
    assert len(m["finish_failures"]) == noted
