"""Replay from the S3 backend (moto server) gives the same pages as from the local store;
WARCs are read from S3 with ranged GETs only."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from storyarchive.store.local import LocalStore
from storyarchive.store.s3 import S3Store
from tests.replay.conftest import SLUG, CrawledArchive
from tests.replay.test_browser import start_replay_command, stop_replay_command


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read()


def copy_to_s3(local: LocalStore, s3: S3Store) -> int:
    n = 0
    for key in local.list_keys("stories/"):
        path = local.local_path(key)
        assert path is not None
        s3.put_file(key, path)
        n += 1
    return n


def test_replay_from_s3_serves_the_same_pages_as_replay_from_the_local_store(
    two_crawls: CrawledArchive, s3_bucket: str, s3_options: dict, s3_env: dict, replay_archive, tmp_path: Path
):
    local = LocalStore(two_crawls.root)
    s3 = S3Store.from_uri(f"s3://{s3_bucket}/archive", **s3_options)
    assert copy_to_s3(local, s3) > 0
    from_local, _ = replay_archive(local, [SLUG], tmp_path / "local")
    from_s3, proxy = replay_archive(s3, [SLUG], tmp_path / "s3")
    assert proxy is not None

    captures = [(ts, f["url"]) for _k, ts, f in two_crawls.index() if f.get("status") == "200"]
    assert len(captures) > 50
    def both(capture: tuple[str, str]) -> tuple[str, bytes, bytes]:
        ts, url = capture
        return (url, get(f"{from_local.base_url}/{SLUG}/{ts}id_/{url}"),
                get(f"{from_s3.base_url}/{SLUG}/{ts}id_/{url}"))

    with ThreadPoolExecutor(6) as pool:  # every capture, raw payload
        for url, a, b in pool.map(both, captures):
            assert a == b, url
    for doc in two_crawls.documents():  # every article page, rewritten for the browser
        ts = two_crawls.captures(doc["final_url"])[-1][0]
        a = get(f"{from_local.base_url}/{SLUG}/{ts}mp_/{doc['final_url']}")
        b = get(f"{from_s3.base_url}/{SLUG}/{ts}mp_/{doc['final_url']}")
        assert doc["metadata"]["title"].encode() in a
        base_a, base_b = from_local.base_url.encode(), from_s3.base_url.encode()
        assert a.replace(base_a, b"BASE") == b.replace(base_b, b"BASE")
    assert proxy.reads >= len(captures)
    assert proxy.unranged_reads == 0  # never a whole WARC

    # and the command, configured only through the AWS environment, replays it too
    doc = two_crawls.documents()[0]
    ts = two_crawls.captures(doc["final_url"])[0][0]
    proc, base = start_replay_command(f"s3://{s3_bucket}/archive", env=s3_env)
    try:
        assert get(f"{base}/{SLUG}/{ts}id_/{doc['final_url']}") == get(
            f"{from_local.base_url}/{SLUG}/{ts}id_/{doc['final_url']}")
    finally:
        stop_replay_command(proc)
