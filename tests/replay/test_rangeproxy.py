"""RangeProxy: ranged reads of WARCs over HTTP for pywb, from any store."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyarchive.replay.rangeproxy import RangeProxy
from storyarchive.store.local import LocalStore

KEY = "stories/s/warc/s-1.warc.gz"
DATA = bytes(range(256)) * 40


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[RangeProxy]:
    store = LocalStore(tmp_path)
    store.put_bytes(KEY, DATA)
    store.put_bytes("stories/s/articles/d/x.json", b"{}")
    with RangeProxy(store) as p:
        yield p


def fetch(proxy: RangeProxy, path: str, range_header: str | None = None) -> tuple[int, dict, bytes]:
    headers = {"Range": range_header} if range_header else {}
    req = urllib.request.Request(proxy.base_url + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_a_closed_range_is_one_partial_response_with_exactly_those_bytes(proxy: RangeProxy):
    status, headers, body = fetch(proxy, KEY, "bytes=100-199")
    assert (status, body, headers["Content-Range"]) == (206, DATA[100:200], "bytes 100-199/*")
    assert proxy.reads == 1 and proxy.unranged_reads == 0


def test_an_open_range_reads_to_the_end_and_names_the_size(proxy: RangeProxy):
    status, headers, body = fetch(proxy, KEY, "bytes=10000-")
    assert (status, body) == (206, DATA[10000:])
    assert headers["Content-Range"] == f"bytes 10000-{len(DATA) - 1}/{len(DATA)}"


def test_a_range_past_the_end_is_refused(proxy: RangeProxy):
    assert fetch(proxy, KEY, f"bytes={len(DATA)}-{len(DATA) + 10}")[0] == 416


def test_a_request_without_range_is_served_whole_and_counted(proxy: RangeProxy):
    status, _headers, body = fetch(proxy, KEY)
    assert (status, body, proxy.unranged_reads) == (200, DATA, 1)


def test_only_warc_files_are_served(proxy: RangeProxy):
    status, _h, body = fetch(proxy, "stories/s/articles/d/x.json")
    assert status == 404 and b"only WARC files" in body
    assert fetch(proxy, "stories/s/warc/missing.warc.gz", "bytes=0-9")[0] == 404
