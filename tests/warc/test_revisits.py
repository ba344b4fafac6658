"""A second crawl of unchanged pages writes revisit records; a changed page is stored again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from storyarchive.warc.revisits import SqliteDigestIndex
from tests.warc.conftest import CrawlResult, fetch, pywb_collection, run_crawl, wayback
from tests.warc.rawserver import RawServer, _page, article_html, article_routes

PAGES = 60


@pytest.fixture(scope="module")
def site() -> Iterator[RawServer]:
    routes = article_routes(PAGES)
    routes["/robots.txt"] = _page(b"User-agent: *\n", b"text/plain")
    with RawServer(routes=routes) as server:
        yield server


@pytest.fixture(scope="module")
def two_crawls(site: RawServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlResult, CrawlResult]:
    store = tmp_path_factory.mktemp("revisits") / "store"
    urls = [site.url(f"/a/{n}") for n in range(1, PAGES + 1)]
    first = run_crawl(store, "rev", urls)
    first_files = set(first.warcs())
    site.routes["/a/7"] = _page(article_html(7, version=2, size=150_000))
    second = run_crawl(store, "rev", urls)
    second.first_files = first_files  # type: ignore[attr-defined]
    return first, second


def types_by_url(paths: list[Path]) -> dict[str, str]:
    out = {}
    for path in paths:
        with open(path, "rb") as f:
            for r in ArchiveIterator(f):
                if r.rec_type in ("response", "revisit"):
                    out[r.rec_headers.get_header("WARC-Target-URI")] = r.rec_type
    return out


def second_files(crawl: CrawlResult) -> list[Path]:
    return [p for p in crawl.warcs() if p not in crawl.first_files]  # type: ignore[attr-defined]


def test_unchanged_pages_become_revisits_and_changed_page_is_stored(two_crawls, site: RawServer) -> None:
    _, second = two_crawls
    types = types_by_url(second_files(second))
    assert types.pop(site.url("/a/7")) == "response"
    assert types.pop(site.url("/robots.txt")) == "revisit"
    assert set(types.values()) == {"revisit"} and len(types) == PAGES - 1
    assert second.refs[site.url("/a/3")]["warc"]["record_type"] == "revisit"


def test_revisit_refers_to_the_original_record(two_crawls, site: RawServer) -> None:
    first, second = two_crawls
    originals = {}
    for path in first.warcs():
        with open(path, "rb") as f:
            for r in ArchiveIterator(f):
                if r.rec_type == "response":
                    originals[r.rec_headers.get_header("WARC-Target-URI")] = r.rec_headers
    with open(second_files(second)[0], "rb") as f:
        revisits = [r for r in ArchiveIterator(f) if r.rec_type == "revisit"]
    for r in revisits:
        h = r.rec_headers
        orig = originals[h.get_header("WARC-Refers-To-Target-URI")]
        assert h.get_header("WARC-Profile") == (
            "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
        )
        assert h.get_header("WARC-Refers-To") == orig.get_header("WARC-Record-ID")
        assert h.get_header("WARC-Refers-To-Date") == orig.get_header("WARC-Date")
        assert h.get_header("WARC-Payload-Digest") == orig.get_header("WARC-Payload-Digest")
        assert r.http_headers.get_statuscode() == "200" and r.raw_stream.read() == b""


def test_second_crawl_archives_under_five_percent_of_the_first(two_crawls) -> None:
    first, second = two_crawls
    first_bytes = sum(p.stat().st_size for p in second.first_files)  # type: ignore[attr-defined]
    second_bytes = sum(p.stat().st_size for p in second_files(second))
    print(f"first crawl {first_bytes} bytes, second {second_bytes} bytes")
    assert second_bytes < 0.05 * first_bytes, (second_bytes, first_bytes)


def test_digest_index_persists_in_the_state_dir(two_crawls) -> None:
    first, _ = two_crawls
    index = SqliteDigestIndex(first.store / ".state" / "rev" / "digests.sqlite")
    try:
        from storyarchive.warc.digests import digest

        target = index.lookup(digest(article_html(3, size=150_000)))
        assert target is not None and target.uri.endswith("/a/3")
    finally:
        index.close()


def test_pywb_replays_original_and_revisit_from_our_files(
    two_crawls, site: RawServer, tmp_path: Path
) -> None:
    _, second = two_crawls
    pywb_collection(tmp_path, "rev", second.warcs(), second.cdxjs())
    revisit_ts = {}
    for path in second_files(second):
        with open(path, "rb") as f:
            for r in ArchiveIterator(f):
                if r.rec_type == "revisit":
                    revisit_ts[r.rec_headers.get_header("WARC-Target-URI")] = r.rec_headers.get_header(
                        "WARC-Date"
                    )
    url = site.url("/a/3")
    ts = "".join(c for c in revisit_ts[url] if c.isdigit())[:14]
    with wayback(tmp_path) as base:
        status, body = fetch(f"{base}/rev/{ts}id_/{url}")
        assert status == 200 and body == article_html(3, size=150_000)
        status, body = fetch(f"{base}/rev/{ts}id_/{site.url('/a/7')}")
        assert status == 200 and body == article_html(7, version=2, size=150_000)
