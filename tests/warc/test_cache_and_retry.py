"""Retried failures are archived (every attempt); HTTP-cache hits are not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.warc.conftest import run_crawl
from tests.warc.rawserver import Canned, RawServer, _page


class FlakyRoutes(dict):
    """/flaky answers 503 twice, then 200."""

    def __init__(self) -> None:
        super().__init__({"/ok": _page(b"<html>ok</html>"), "/robots.txt": _page(b"", b"text/plain")})
        self.flaky_calls = 0

    def get(self, key, default=None):  # type: ignore[no-untyped-def,override]
        if key == "/flaky":
            self.flaky_calls += 1
            if self.flaky_calls <= 2:
                return Canned(b"HTTP/1.1 503 Service Unavailable", [(b"Content-Length", b"4")], b"busy")
            return _page(b"<html>finally</html>")
        return super().get(key, default)


@pytest.fixture(scope="module")
def site() -> Iterator[RawServer]:
    with RawServer(routes=FlakyRoutes()) as server:
        yield server


def statuses(paths: list[Path], url: str) -> list[str]:
    out = []
    for path in paths:
        with open(path, "rb") as f:
            for r in ArchiveIterator(f):
                if (
                    r.rec_type in ("response", "revisit")
                    and r.rec_headers.get_header("WARC-Target-URI") == url
                ):
                    out.append(f"{r.http_headers.get_statuscode()} {r.rec_type}")
    return out


def test_every_retry_attempt_is_archived(site: RawServer, tmp_path: Path) -> None:
    retry = ["RETRY_ENABLED=True", "RETRY_TIMES=2"]
    crawl = run_crawl(tmp_path / "store", "retry", [site.url("/flaky")], *retry)
    # the second 503 carries the same payload as the first: a revisit record
    assert statuses(crawl.warcs(), site.url("/flaky")) == ["503 response", "503 revisit", "200 response"]
    assert crawl.refs[site.url("/flaky")]["status"] == 200


def test_http_cache_hits_are_not_archived(site: RawServer, tmp_path: Path) -> None:
    cache = ["HTTPCACHE_ENABLED=True", f"HTTPCACHE_DIR={tmp_path / 'cache'}"]
    first = run_crawl(tmp_path / "store", "cache", [site.url("/ok")], *cache)
    files = set(first.warcs())
    assert statuses(list(files), site.url("/ok")) == ["200 response"]
    second = run_crawl(tmp_path / "store", "cache", [site.url("/ok")], *cache)
    assert set(second.warcs()) == files  # nothing crossed the wire, nothing new archived
    assert second.refs[site.url("/ok")]["warc"] is None
