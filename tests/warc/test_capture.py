"""A real Scrapy crawl against the raw test server, records read back with warcio."""

from __future__ import annotations

import gzip
import io
import subprocess
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from storyarchive.warc.cdxj import read_cdxj
from storyarchive.warc.digests import digest
from tests.warc.conftest import VENV_BIN, CrawlResult, run_crawl
from tests.warc.rawserver import RawServer, article_html

PATHS = [
    "/gzip",
    "/chunked",
    "/cookies",
    "/r1",
    "/q?a=1&b=x%20y",
    "/café",
    "/missing",
    "/huge",
    "/truncated",
    "/a/1",
    "/a/2",
]
LIMIT = 2_000_000


@pytest.fixture(scope="module")
def crawl(raw_server: RawServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    store = tmp_path_factory.mktemp("capture") / "store"
    return run_crawl(
        store, "edge", [raw_server.url(p) for p in PATHS], f"STORYARCHIVE_MAX_BODY_BYTES={LIMIT}"
    )


def records(crawl: CrawlResult) -> list:
    """(offset, rec_type, rec_headers, http_headers, raw block payload) of every record."""
    out = []
    for path in crawl.warcs():
        with open(path, "rb") as f:
            it = ArchiveIterator(f)
            for r in it:
                body = r.raw_stream.read()
                out.append(
                    (path.name, it.get_record_offset(), r.rec_type, r.rec_headers, r.http_headers, body)
                )
    return out


def response_for(crawl: CrawlResult, url: str):
    for rec in records(crawl):
        if rec[2] in ("response", "revisit") and rec[3].get_header("WARC-Target-URI") == url:
            return rec
    raise AssertionError(f"no response record for {url}")


def test_first_record_is_warcinfo_naming_software_story_and_reason_note(crawl: CrawlResult) -> None:
    first = records(crawl)[0]
    assert first[2] == "warcinfo"
    text = first[5].decode()
    assert "software: storyarchive/0.1.0" in text
    assert "isPartOf: edge" in text and "storyarchive-crawl-id: test-crawl" in text
    assert "stored byte for byte as received" in text and "digest-algorithm: sha1" in text
    assert "reason phrase reconstructed" in text  # says what a reconstructed head lacks


def test_gzip_body_is_stored_compressed_as_served(crawl: CrawlResult, raw_server: RawServer) -> None:
    rec = response_for(crawl, raw_server.url("/gzip"))
    served = raw_server.routes["/gzip"].body
    assert rec[5] == served and gzip.decompress(rec[5]) == article_html(0)
    assert rec[4].get_header("Content-Encoding") == "gzip"
    assert rec[4].get_header("Vary") == "Accept-Encoding"
    assert rec[3].get_header("WARC-Payload-Digest") == digest(served)


def test_chunked_body_is_stored_transfer_decoded_with_matching_length(
    crawl: CrawlResult, raw_server: RawServer
) -> None:
    rec = response_for(crawl, raw_server.url("/chunked"))
    assert rec[5] == raw_server.routes["/chunked"].body
    assert rec[4].get_header("Content-Length") == str(len(rec[5]))


def test_every_set_cookie_value_is_kept(crawl: CrawlResult, raw_server: RawServer) -> None:
    rec = response_for(crawl, raw_server.url("/cookies"))
    cookies = [v for k, v in rec[4].headers if k.lower() == "set-cookie"]
    assert cookies == ["a=1; Path=/", "b=2; HttpOnly", "c=3; Expires=Wed, 21 Oct 2026 07:28:00 GMT"]


def test_redirect_chain_records_every_hop(crawl: CrawlResult, raw_server: RawServer) -> None:
    hops = [
        (
            response_for(crawl, raw_server.url(p))[4].statusline,
            response_for(crawl, raw_server.url(p))[4].get_header("Location"),
        )
        for p in ("/r1", "/r2", "/r3")
    ]
    assert hops == [("301 Moved Permanently", "/r2"), ("302 Found", "/r3"), ("200 OK", None)]
    assert crawl.refs[raw_server.url("/r3")]["warc"]["record_type"] == "response"


def test_request_record_has_path_query_and_host(crawl: CrawlResult, raw_server: RawServer) -> None:
    url = raw_server.url("/q?a=1&b=x%20y")
    req = [r for r in records(crawl) if r[2] == "request" and r[3].get_header("WARC-Target-URI") == url][0]
    assert req[4].protocol == "GET" and req[4].statusline == "/q?a=1&b=x%20y HTTP/1.1"
    assert req[4].get_header("Host") == f"127.0.0.1:{raw_server.port}"
    assert req[4].get_header("User-Agent").startswith("storyarchive/")


def test_non_ascii_url_is_archived_percent_encoded(crawl: CrawlResult, raw_server: RawServer) -> None:
    rec = response_for(crawl, raw_server.url("/caf%C3%A9"))
    assert rec[5] == "<html>café</html>".encode()


def test_404_is_archived(crawl: CrawlResult, raw_server: RawServer) -> None:
    rec = response_for(crawl, raw_server.url("/missing"))
    assert rec[4].get_statuscode() == "404" and rec[5] == b"<html>missing</html>"


def test_huge_body_is_cut_at_the_limit_and_marked_truncated(
    crawl: CrawlResult, raw_server: RawServer
) -> None:
    url = raw_server.url("/huge")
    rec = response_for(crawl, url)
    assert rec[3].get_header("WARC-Truncated") == "length"
    assert LIMIT < len(rec[5]) < LIMIT + (1 << 20)
    assert rec[5] == (bytes(range(256)) * 4096 * 10)[: len(rec[5])]
    assert rec[4].get_header("Content-Length") == str(len(rec[5]))
    assert rec[4].get_header("X-StoryArchive-Orig-Content-Length") == str(50 << 20)
    assert crawl.refs[url]["truncated"] == "length" and "download_stopped" in crawl.refs[url]["flags"]


def test_data_loss_is_archived_as_truncated_disconnect(crawl: CrawlResult, raw_server: RawServer) -> None:
    url = raw_server.url("/truncated")
    rec = response_for(crawl, url)
    assert rec[3].get_header("WARC-Truncated") == "disconnect" and rec[5] == b"x" * 500
    assert crawl.refs[url]["truncated"] == "disconnect" and "dataloss" in crawl.refs[url]["flags"]


def test_robots_txt_fetch_is_archived(crawl: CrawlResult, raw_server: RawServer) -> None:
    assert response_for(crawl, raw_server.url("/robots.txt"))[5] == b"User-agent: *\nDisallow: /private\n"


def test_request_and_response_link_each_other(crawl: CrawlResult) -> None:
    recs = records(crawl)
    by_id = {r[3].get_header("WARC-Record-ID"): r for r in recs}
    pairs = 0
    for r in recs:
        if r[2] == "response":
            req = by_id[r[3].get_header("WARC-Concurrent-To")]
            assert req[2] == "request"
            assert req[3].get_header("WARC-Concurrent-To") == r[3].get_header("WARC-Record-ID")
            assert req[3].get_header("WARC-Target-URI") == r[3].get_header("WARC-Target-URI")
            assert req[3].get_header("WARC-Date") == r[3].get_header("WARC-Date")
            pairs += 1
    assert pairs == len(PATHS) + 3  # + robots.txt, r2, r3


def test_warc_ref_points_at_the_response_record(crawl: CrawlResult, raw_server: RawServer) -> None:
    ref = crawl.refs[raw_server.url("/a/1")]["warc"]
    path = crawl.warcs()[0].parent / ref["filename"]
    with open(path, "rb") as f:
        f.seek(ref["offset"])
        member = f.read(ref["length"])
    rec = next(iter(ArchiveIterator(io.BytesIO(member))))
    assert rec.rec_headers.get_header("WARC-Record-ID") == ref["record_id"]
    assert rec.content_stream().read() == article_html(1)


def test_warcio_check_passes(crawl: CrawlResult) -> None:
    for path in crawl.warcs():
        proc = subprocess.run(
            [str(VENV_BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout
        assert proc.stdout.count("digest pass") >= 2 * len(PATHS)


def test_cdxj_indexer_agrees_with_our_index(crawl: CrawlResult, tmp_path: Path) -> None:
    ours = sorted(line for p in crawl.cdxjs() for line in p.read_text().splitlines())
    proc = subprocess.run(
        [str(VENV_BIN / "cdxj-indexer"), *map(str, crawl.warcs())], capture_output=True, text=True, check=True
    )
    theirs = sorted(proc.stdout.splitlines())
    assert ours == theirs
    assert len(ours) == len(PATHS) + 3
    assert [k for k, _, _ in read_cdxj(crawl.cdxjs()[0])] == sorted(
        k for k, _, _ in read_cdxj(crawl.cdxjs()[0])
    )


def test_nothing_left_in_the_spool(crawl: CrawlResult) -> None:
    assert [p for p in (crawl.store / ".spool").rglob("*") if p.is_file()] == []


def http_head_bytes(crawl: CrawlResult, url: str) -> bytes:
    """The HTTP head exactly as stored in the response record of `url`."""
    for path in crawl.warcs():
        data = path.read_bytes()
        pos = 0
        while pos < len(data):
            d = zlib.decompressobj(31)
            member = d.decompress(data[pos:])
            pos = len(data) - len(d.unused_data)
            warc_head, _, block = member.partition(b"\r\n\r\n")
            if b"WARC-Type: response" in warc_head and f"WARC-Target-URI: {url}\r\n".encode() in warc_head:
                return block.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    raise AssertionError(url)


@pytest.mark.parametrize("path", ["/cookies", "/gzip", "/r1", "/missing", "/a/1"])
def test_response_head_is_stored_byte_for_byte_as_served(
    path: str, crawl: CrawlResult, raw_server: RawServer
) -> None:
    canned = raw_server.routes[path]
    served = canned.head().replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
    assert http_head_bytes(crawl, raw_server.url(path)) == served


def test_chunked_head_renames_transfer_encoding_and_adds_length(
    crawl: CrawlResult, raw_server: RawServer
) -> None:
    assert http_head_bytes(crawl, raw_server.url("/chunked")) == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-StoryArchive-Orig-Transfer-Encoding: chunked\r\n"
        b"Connection: close\r\nContent-Length: 59\r\n\r\n"
    )


def test_raw_head_helper_header_never_reaches_the_spider(crawl: CrawlResult) -> None:
    for path in crawl.warcs():
        assert b"X-Storyarchive-Raw-Head" not in zlib.decompress(path.read_bytes(), 31)
