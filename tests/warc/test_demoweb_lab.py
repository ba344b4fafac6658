"""The demo web's lab outlet, crawled for real: records hold exactly what the lab sends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from warcio.archiveiterator import ArchiveIterator

from demoweb import lab
from demoweb.server import DemoWeb
from storyarchive.warc.digests import digest
from tests.warc.conftest import CrawlResult, run_crawl

NAMES = ["gzip", "chunked", "set-cookie", "redirect-chain", "query", "non-ascii", "not-found", "truncated"]
# The body is stored transfer-decoded, so these are rewritten (see docs/warc.md).
REWRITTEN = {"transfer-encoding", "content-length"}


@pytest.fixture(scope="module")
def web() -> Iterator[DemoWeb]:
    with DemoWeb(base_port=0) as w:
        yield w


@pytest.fixture(scope="module")
def crawl(web: DemoWeb, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    store = tmp_path_factory.mktemp("lab") / "store"
    return run_crawl(store, "lab", [web.special_url(n) for n in NAMES])


def responses(crawl: CrawlResult) -> dict[str, tuple]:
    out = {}
    for path in crawl.warcs():
        with open(path, "rb") as f:
            for r in ArchiveIterator(f):
                if r.rec_type == "response":
                    out[r.rec_headers.get_header("WARC-Target-URI")] = (
                        r.rec_headers,
                        r.http_headers,
                        r.raw_stream.read(),
                    )
    return out


@pytest.mark.parametrize(
    "name",
    [
        "gzip",
        "chunked",
        "set-cookie",
        "query",
        "non-ascii",
        "not-found",
        "redirect-chain",
        "redirect-chain-2",
        "redirect-chain-end",
    ],
)
def test_lab_response_is_archived_byte_exact(name: str, web: DemoWeb, crawl: CrawlResult) -> None:
    want = lab.expected(name)
    rec_headers, http, body = responses(crawl)[web.special_url(name)]
    assert body == want.body
    assert http.statusline == f"{want.status} {want.reason}"
    assert rec_headers.get_header("StoryArchive-HTTP-Head") is None  # raw head, not rebuilt
    assert rec_headers.get_header("WARC-Payload-Digest") == digest(want.body)
    got = [(k.lower(), v) for k, v in http.headers]
    for k, v in want.headers:
        if k.lower() not in REWRITTEN:
            assert (k.lower(), v) in got, (k, v)
    assert http.get_header("Content-Length") == str(len(body))
    if name == "set-cookie":
        assert [v for k, v in got if k == "set-cookie"] == want.header_values("Set-Cookie")


def test_lab_truncated_response_is_marked(web: DemoWeb, crawl: CrawlResult) -> None:
    rec_headers, _, body = responses(crawl)[web.special_url("truncated")]
    assert rec_headers.get_header("WARC-Truncated") == "disconnect"
    assert body == lab.expected("truncated").body
