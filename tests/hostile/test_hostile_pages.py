"""One story crawl of a hostile web: its feeds and sitemaps lead to a gzip bomb, a body
that never ends, a server that drips a byte a second, answers that are not HTTP, a feed
with a billion laughs, a feed with external entities, sitemap indexes that list themselves,
a sitemap that never ends and a page 100,000 elements deep. Each test reads one behaviour
from that crawl: what was archived, what the manifest says, what was fetched, how much
memory the crawl took."""

from __future__ import annotations

import gzip
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile import web
from tests.hostile.conftest import Crawl, all_bytes, crawl, story_toml

GiB = 1 << 30
MiB = 1 << 20
BOMB_INFLATED = GiB
DEEP = 100_000
TIMEOUT = 5  # DOWNLOAD_TIMEOUT of the crawl: the slow server is cut there
# The crawl's processes never hold a bomb: the largest of them stays well under this (about
# 170 MiB without any; a 1 GiB gzip bomb decoded whole takes it past 1.1 GiB, a 20 MB page
# of tiny elements parsed past 750 MiB).
MEMORY_BOUND = 400 * MiB
ELEMENTS = 20 * 1000 * 1000  # bytes of the element bomb (decoded: under the size limits)


@dataclass
class Hostile:
    server: web.HostileServer
    crawl: Crawl
    seconds: float
    secret: str  # the content of the local file the XXE feed names
    bomb: bytes  # the gzip bomb as served
    elements: bytes  # the element bomb as served (gzip)

    def url(self, path: str) -> str:
        return self.server.url(path)


def routes(server: web.HostileServer, secret_file: Path, bomb: bytes,
           elements: bytes) -> dict[str, web.Route]:
    u = server.url
    article_links = [u("/article/1"), u("/article/2"), u("/bomb"), u("/elements"), u("/endless"),
                     u("/slow"), u("/deep"), *(u(p) for p in web.INVALID_HTTP)]
    out: dict[str, web.Route] = {
        "/feed.xml": web.page(web.rss(article_links), "application/rss+xml"),
        "/laughs.xml": web.page(web.billion_laughs(server.base), "application/rss+xml"),
        "/xxe.xml": web.page(web.xxe_feed(str(secret_file), u("/xxe-probe"), server.base),
                             "application/rss+xml"),
        "/xxe-probe": web.page(b"probed", "text/plain"),
        # an index that lists itself and a second index, which lists the first again
        "/sitemap-loop.xml": web.page(web.sitemap_index(
            [u("/sitemap-loop.xml"), u("/sitemap-loop-2.xml")]), "application/xml"),
        "/sitemap-loop-2.xml": web.page(web.sitemap_index(
            [u("/sitemap-loop.xml"), u("/sitemap-urls.xml")]), "application/xml"),
        "/sitemap-urls.xml": web.page(web.urlset([u("/article/3")]), "application/xml"),
        "/sitemap-endless.xml": web.endless_xml(
            lambda i: f"<url><loc>{server.base}/endless-entry/{i}</loc></url>".encode(),
            b'<?xml version="1.0" encoding="UTF-8"?><urlset '
            b'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'),
        "/bomb": lambda ex: ex.respond(bomb, headers=(("Content-Encoding", "gzip"),)),
        "/elements": lambda ex: ex.respond(elements, headers=(("Content-Encoding", "gzip"),)),
        "/endless": web.endless_chunked(),
        "/slow": web.drip(1.0),
        "/deep": web.page(web.deep_html(DEEP)),
        **{p: web.raw(data) for p, data in web.INVALID_HTTP.items()},
    }
    for n in (1, 2, 3):
        out[f"/article/{n}"] = web.page(web.article_html(n))
    out["/article/laughs"] = web.page(web.article_html(4))
    out["/article/xxe"] = web.page(web.article_html(5))
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    tmp = tmp_path_factory.mktemp("hostile")
    secret = "TOPSECRET-" + secrets.token_hex(8)
    secret_file = tmp / "secret.txt"
    secret_file.write_text(secret, encoding="utf-8")
    bomb = web.gzip_bomb(BOMB_INFLATED)
    elements = gzip.compress(web.element_bomb(ELEMENTS), mtime=0)
    with web.HostileServer() as server:
        server.routes.update(routes(server, secret_file, bomb, elements))
        story = story_toml(
            feeds=[server.url("/feed.xml"), server.url("/laughs.xml"), server.url("/xxe.xml")],
            sitemaps=[server.url("/sitemap-loop.xml"), server.url("/sitemap-endless.xml")])
        started = time.monotonic()
        result = crawl(tmp, story, f"DOWNLOAD_TIMEOUT={TIMEOUT}", "RETRY_TIMES=0")
        yield Hostile(server, result, time.monotonic() - started, secret, bomb, elements)


def test_the_hostile_crawl_finishes_and_keeps_the_real_articles(hostile: Hostile):
    assert hostile.crawl.result.code == 0, hostile.crawl.log[-3000:]
    kept = {d["url"] for d in hostile.crawl.documents()}
    assert {hostile.url(f"/article/{n}") for n in (1, 2, 3)} <= kept


# ------------------------------------------------------------------ decompression bomb
def test_a_gzip_bomb_never_takes_the_crawl_past_its_memory_bound(hostile: Hostile):
    assert len(hostile.bomb) < 1.1 * MiB  # 1 MB on the wire, 1 GiB inflated
    assert hostile.crawl.peak_rss < MEMORY_BOUND, f"peak {hostile.crawl.peak_rss / MiB:.0f} MiB"


def test_a_gzip_bomb_is_archived_as_received_and_skipped_with_its_reason(hostile: Hostile):
    url = hostile.url("/bomb")
    (record,) = hostile.crawl.responses(url)
    assert record.payload == hostile.bomb  # the wire bytes, whole, still gzip
    assert record.http_header("Content-Encoding") == "gzip"
    assert "WARC-Truncated" not in record.warc_headers
    (skip,) = hostile.crawl.skipped(url)
    assert skip["reason"] == "too-large: decodes to more than the size limit"
    assert url not in {d["url"] for d in hostile.crawl.documents()}
    assert hostile.crawl.stat("storyarchive/decoded_limit_hit") == 1


def test_a_page_of_millions_of_tiny_elements_is_archived_not_parsed(hostile: Hostile):
    url = hostile.url("/elements")
    assert len(hostile.elements) < 100_000  # 20 MB of markup, gzipped
    (record,) = hostile.crawl.responses(url)
    assert record.payload == hostile.elements
    (skip,) = hostile.crawl.skipped(url)
    assert skip["reason"] == "too-large: more elements than the page limit"
    assert hostile.crawl.stat("storyarchive/page_element_limit_hit") == 1
    # its canonical link was not read (the page was not parsed) and memory stayed bounded
    assert hostile.server.requested("/elements") == 1
    assert hostile.crawl.peak_rss < MEMORY_BOUND


# ------------------------------------------------------------------ bodies that never end
def test_an_endless_chunked_body_is_cut_at_the_size_limit_and_archived_truncated(hostile: Hostile):
    url = hostile.url("/endless")
    (record,) = hostile.crawl.responses(url)
    assert record.warc_headers["WARC-Truncated"] == "length"
    assert 20 * MiB <= len(record.payload) < 21 * MiB  # STORYARCHIVE_MAX_BODY_BYTES, 20 MiB
    (skip,) = hostile.crawl.skipped(url)
    assert skip["reason"] == "truncated: over the size limit"


def test_a_server_dripping_one_byte_a_second_is_cut_at_the_download_timeout(hostile: Hostile):
    url = hostile.url("/slow")
    assert hostile.crawl.responses(url) == []  # nothing arrived whole: no response to archive
    (reject,) = hostile.crawl.rejected(url)
    assert reject["reason"] == "error: DownloadTimeoutError"
    assert f"took longer than {TIMEOUT:.1f} seconds" in reject["detail"]
    # the crawl did not wait for it beyond the timeout (plus start-up and the rest)
    assert hostile.seconds < 60


@pytest.mark.parametrize("path", sorted(web.INVALID_HTTP))
def test_an_answer_that_is_not_valid_http_is_a_failed_fetch_with_its_reason(hostile: Hostile, path: str):
    url = hostile.url(path)
    entries = hostile.crawl.rejected(url) + hostile.crawl.skipped(url)
    assert len(entries) == 1, entries
    assert entries[0]["reason"] in ("error: DownloadFailedError", "truncated: connection lost")
    assert url not in {d["url"] for d in hostile.crawl.documents()}


def test_a_page_nested_100000_elements_deep_is_archived_and_the_crawl_goes_on(hostile: Hostile):
    url = hostile.url("/deep")
    (record,) = hostile.crawl.responses(url)
    assert record.payload == web.deep_html(DEEP)
    # extracted (its article text) or skipped with a reason; never the crawl's failure
    documents = [d for d in hostile.crawl.documents() if d["url"] == url]
    skipped = hostile.crawl.skipped(url)
    assert len(documents) + len(skipped) == 1, skipped
    if documents:
        assert "dock workers at the harbor walked out" in documents[0]["text"]


# ------------------------------------------------------------------ hostile XML
def test_a_feed_with_a_billion_laughs_is_read_without_expanding_them(hostile: Hostile):
    (record,) = hostile.crawl.responses(hostile.url("/laughs.xml"))
    assert b"<!ENTITY lol9" in record.payload
    # the item before the bomb was read and its article kept; nothing was expanded
    assert hostile.server.requested("/article/laughs") == 1
    assert hostile.url("/article/laughs") in {d["url"] for d in hostile.crawl.documents()}
    assert b"lol" * 100 not in all_bytes(hostile.crawl.store)
    assert hostile.crawl.peak_rss < MEMORY_BOUND


def test_a_feed_with_external_entities_reads_no_file_and_fetches_no_url(hostile: Hostile):
    assert hostile.server.requested("/xxe-probe") == 0
    assert not any(hostile.secret in h.target for h in hostile.server.hits)
    assert hostile.secret.encode() not in all_bytes(hostile.crawl.store)
    assert hostile.secret not in hostile.crawl.log
    # the feed itself was read: its second item's link, without the entity, was fetched
    assert hostile.server.requested("/article/xxe") == 1


def test_sitemap_indexes_that_list_themselves_are_fetched_once_each(hostile: Hostile):
    assert hostile.server.requested("/sitemap-loop.xml") == 1
    assert hostile.server.requested("/sitemap-loop-2.xml") == 1
    assert hostile.server.requested("/sitemap-urls.xml") == 1
    assert hostile.url("/article/3") in {d["url"] for d in hostile.crawl.documents()}


def test_a_sitemap_cut_at_the_size_limit_is_not_parsed_and_the_cut_is_recorded(hostile: Hostile):
    url = hostile.url("/sitemap-endless.xml")
    (record,) = hostile.crawl.responses(url)
    assert record.warc_headers["WARC-Truncated"] == "length"
    assert hostile.server.requested_under("/endless-entry/") == 0  # none of its entries
    (reject,) = hostile.crawl.rejected(url)
    assert reject["reason"] == "truncated: over the size limit (not parsed)"
    assert reject["via"] == "sitemap"
    assert reject["received"] == len(record.payload)
    assert hostile.crawl.stat("storyarchive/discovery/sources_cut") == 1
