"""`storyarchive resume` (and the next `crawl` / `capture`) after a crawl was killed with
SIGKILL or stopped with SIGINT: the crawl completes, nothing archived is fetched again,
every document is written once, and the documents are those of an uninterrupted crawl.

The crawls run against the generated outlet of the session's demo web (see conftest.py);
each test compares the demo web's access log before and after its own runs. A test's
uninterrupted reference crawl uses the same settings as the crawl it is compared with
(the finish batch size changes which documents an earlier batch sees, so it is part of
what a crawl decides).
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storyarchive.store import open_store
from storyarchive.store.local import LocalStore
from tests.commands.conftest import GeneratedSite, Reference
from tests.commands.crawlproc import (
    GENERATED_SLUG,
    Cli,
    access_log,
    count_events,
    document_versions,
    documents,
    index_records,
    journal_path,
    journaled_fetches,
    manifest,
    refetches,
    settings_args,
)
from tests.fixtures.s3server import MotoServer, TcpProxy, s3_client, store_options, subprocess_env

SLUG = GENERATED_SLUG
SLOW_FINISH = "STORYARCHIVE_FINISH_BATCH_DOCUMENTS=1"  # one dedup run and one write per document


def assert_complete_archive(store_uri: str, cli: Cli, expected: dict[str, Any],
                            **options: Any) -> None:
    """The store holds the documents of the reference crawl, one version each, each
    pointing at a WARC file the store holds (with its index), and `warc verify` passes."""
    store = open_store(store_uri, **options)
    versions = document_versions(store, SLUG)
    assert {d: len(v) for d, v in versions.items() if len(v) != 1} == {}, "a document written twice"
    docs = documents(store, SLUG)
    assert set(docs) == set(expected)
    assert docs == expected
    warcs = {k.rsplit("/", 1)[1] for k in store.list_keys(f"stories/{SLUG}/warc/")}
    refs = {json.loads(store.get_bytes(v[0]))["warc"]["filename"] for v in versions.values()}
    assert refs <= warcs, f"documents point at WARC files the store lacks: {refs - warcs}"
    cli.ok("warc", "verify", "--story", SLUG, "--store", store_uri)


# ---------------------------------------------------------------------- kill -9 mid-fetch
def test_a_crawl_killed_mid_fetch_is_completed_by_resume_without_refetching(
    generated_site: GeneratedSite, reference: Callable[..., Reference], tmp_path: Path
):
    killed_mid_fetch_then(generated_site, reference, tmp_path, "resume")


def test_a_crawl_killed_mid_fetch_is_completed_by_the_next_crawl_without_refetching(
    generated_site: GeneratedSite, reference: Callable[..., Reference], tmp_path: Path
):
    killed_mid_fetch_then(generated_site, reference, tmp_path, "crawl")


def killed_mid_fetch_then(site: GeneratedSite, reference: Callable[..., Reference],
                          tmp_path: Path, again: str) -> None:
    expected = reference().documents
    store = tmp_path / "archive"
    cli = Cli(tmp_path / "logs")
    crawl = ["crawl", str(site.story), "--store", str(store), *settings_args()]
    before = access_log(site.web)
    run = cli.start(*crawl)
    third = site.pages // 3
    run.wait_until(lambda: count_events(journal_path(store / ".state", SLUG), "page") >= third,
                   f"{third} pages were journaled")
    run.kill(signal.SIGKILL)
    at_kill = access_log(site.web)
    journal = journal_path(store / ".state", SLUG)
    assert journal is not None
    archived = journaled_fetches(journal)
    assert third <= count_events(journal, "page") < site.pages, "not killed mid-fetch"

    done = cli.ok(*(["resume", SLUG, "--store", str(store)] if again == "resume" else crawl))
    assert "answered from the crawl's own WARCs" in done.out

    refetches(before, at_kill, access_log(site.web), archived).check()
    assert_complete_archive(str(store), cli, expected)
    m = manifest(LocalStore(store), SLUG)
    assert m["status"] == "resumed"
    assert [r["ended"] for r in m["runs"]] == [None, "finished"]


# ---------------------------------------------------------------------- kill -9 mid-finish
def article_dirs(store: Path) -> int:
    folder = store / "stories" / SLUG / "articles"
    return len(list(folder.iterdir())) if folder.is_dir() else 0


def test_a_crawl_killed_mid_finish_is_finished_by_resume_without_fetching_or_writing_twice(
    generated_site: GeneratedSite, reference: Callable[..., Reference], tmp_path: Path
):
    web = generated_site.web
    ref = reference(SLOW_FINISH)
    expected = ref.documents
    store = tmp_path / "archive"
    cli = Cli(tmp_path / "logs")
    before = access_log(web)
    run = cli.start("crawl", str(generated_site.story), "--store", str(store), *settings_args(SLOW_FINISH))
    run.wait_until(lambda: article_dirs(store) >= 20, "20 documents were written")
    run.kill(signal.SIGKILL)
    written = article_dirs(store)
    assert written < generated_site.pages and not (store / "stories" / SLUG / "crawls").exists(), \
        f"not killed mid-finish: {written} documents, a manifest: {list(store.rglob('crawls/*.json'))}"
    fetched = access_log(web)

    cli.ok("resume", SLUG, "--store", str(store))
    assert access_log(web) == fetched, "the resumed finish fetched something"
    assert max((fetched - before).values()) == 1
    assert_complete_archive(str(store), cli, expected)
    # what the killed finish added to the dedup index was taken back, then added once
    assert index_records(store, SLUG) == index_records(ref.store, SLUG)
    m = manifest(LocalStore(store), SLUG)
    assert len(m["documents"]) == generated_site.pages
    # fetching completed in one run; the finish stage was killed and its second attempt
    # completed the documents: "resumed"
    assert m["status"] == "resumed" and [r["ended"] for r in m["runs"]] == ["finished"]


# ---------------------------------------------------------------------- kill -9 mid-upload
def test_a_crawl_to_s3_killed_while_uploading_its_warc_and_documents_is_finished_by_resume(
    generated_site: GeneratedSite, reference: Callable[..., Reference], tmp_path: Path,
    s3_server: MotoServer, s3_bucket: str
):
    # The crawl reaches S3 through a slow link (256 KB/s per connection): its WARC file
    # (~1.7 MB) is still going up when the finish stage has uploaded its first documents.
    web = generated_site.web
    expected = reference(SLOW_FINISH).documents
    uri = f"s3://{s3_bucket}/archive"
    client = s3_client(s3_server.endpoint)
    dirs = {"STORYARCHIVE_SPOOL_DIR": str(tmp_path / "spool"),
            "STORYARCHIVE_STATE_DIR": str(tmp_path / "state")}

    def objects(folder: str) -> int:
        listing = client.list_objects_v2(Bucket=s3_bucket, Prefix=f"archive/stories/{SLUG}/{folder}/")
        return int(listing["KeyCount"])

    before = access_log(web)
    link = TcpProxy(s3_server.port, rate=256 * 1024)  # a slow link to the store
    link.start()
    try:
        cli = Cli(tmp_path / "logs", subprocess_env(link.endpoint, **dirs))
        run = cli.start("crawl", str(generated_site.story), "--store", uri, *settings_args(SLOW_FINISH))
        run.wait_until(lambda: objects("articles") >= 5, "5 documents were uploaded", poll=0.02)
        run.kill(signal.SIGKILL)
    finally:
        link.stop()
    uploaded, warcs = objects("articles"), objects("warc")
    assert uploaded < generated_site.pages and objects("crawls") == 0 and warcs == 0, \
        f"not killed mid-upload: {uploaded} documents, {warcs} WARC files"
    fetched = access_log(web)

    cli = Cli(tmp_path / "logs-resume", subprocess_env(s3_server.endpoint, **dirs))
    done = cli.run("resume", SLUG, "--store", uri)
    assert done.code == 0, done.err[-3000:]
    assert access_log(web) == fetched, "the resumed finish fetched something"
    assert max((fetched - before).values()) == 1
    options = store_options(s3_server.endpoint)
    assert_complete_archive(uri, cli, expected, **options)
    assert not [p for p in (tmp_path / "spool").rglob("*") if p.is_file()], "files left in the spool"
    assert manifest(open_store(uri, **options), SLUG)["status"] == "resumed"  # a killed finish


# ---------------------------------------------------------------------- SIGINT: a clean stop
def test_a_crawl_stopped_with_sigint_saves_its_frontier_and_resume_fetches_nothing_twice(
    generated_site: GeneratedSite, reference: Callable[..., Reference], tmp_path: Path
):
    web = generated_site.web
    expected = reference().documents
    store = tmp_path / "archive"
    cli = Cli(tmp_path / "logs")
    before = access_log(web)
    run = cli.start("crawl", str(generated_site.story), "--store", str(store), *settings_args())
    third = generated_site.pages // 3
    run.wait_until(lambda: count_events(journal_path(store / ".state", SLUG), "page") >= third,
                   f"{third} pages were journaled")
    run.proc.send_signal(signal.SIGINT)  # once: Scrapy stops gracefully and keeps its queue
    stopped = run.result()
    assert stopped.code == 1, stopped.err[-3000:]
    assert f"run `storyarchive resume {SLUG}`" in stopped.err
    journal = journal_path(store / ".state", SLUG)
    assert journal is not None
    assert count_events(journal, "page") < generated_site.pages, "not stopped mid-fetch"
    assert list(journal.parent.glob("job/requests.queue/*")), "no frontier saved in the JOBDIR"
    archived = journaled_fetches(journal)
    at_stop = access_log(web)

    done = cli.ok("resume", SLUG, "--store", str(store))
    assert "answered from" not in done.out, "the frontier was rebuilt, not read from the JOBDIR"
    got = refetches(before, at_stop, access_log(web), archived)
    assert got.in_flight == set(), "a clean stop waits for the requests in flight"
    assert got.twice == {}
    assert_complete_archive(str(store), cli, expected)
    assert manifest(LocalStore(store), SLUG)["status"] == "resumed"
    assert not journal.parent.joinpath("job").exists(), "the spent frontier was kept"


# ---------------------------------------------------------------------- capture
def test_a_capture_killed_mid_way_is_completed_by_resume_capturing_each_url_once(
    generated_site: GeneratedSite, tmp_path: Path
):
    web = generated_site.web
    urls = web.generated_urls()[:120]
    store = tmp_path / "archive"
    cli = Cli(tmp_path / "logs")
    before = access_log(web)
    run = cli.start("capture", *urls, "--story", "captured", "--store", str(store), *settings_args())
    run.wait_until(lambda: count_events(journal_path(store / ".state", "captured"), "page") >= 40,
                   "40 pages were journaled")
    run.kill(signal.SIGKILL)
    at_kill = access_log(web)
    journal = journal_path(store / ".state", "captured")
    assert journal is not None and count_events(journal, "page") < len(urls), "not killed mid-way"
    archived = journaled_fetches(journal)

    cli.ok("resume", "captured", "--store", str(store))
    refetches(before, at_kill, access_log(web), archived).check()
    assert set(urls) <= set(access_log(web) - before)
    local = LocalStore(store)
    versions = document_versions(local, "captured")
    assert {d: len(v) for d, v in versions.items() if len(v) != 1} == {}, "a page captured twice"
    assert sorted(d["canonical_url"] for d in documents(local, "captured").values()) == sorted(urls)
    m = manifest(local, "captured")
    assert m["status"] == "resumed" and m["spider"] == "capture"
    cli.ok("warc", "verify", "--story", "captured", "--store", str(store))
