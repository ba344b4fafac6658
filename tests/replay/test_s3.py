"""Replay from the S3 backend (moto server) gives the same pages as from the local store;
pywb's own S3 loader reads the WARCs from the bucket with ranged GETs only."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from storyarchive.store.local import LocalStore
from storyarchive.store.s3 import S3Store
from tests.fixtures.s3server import MotoServer, s3_client, store_options, subprocess_env
from tests.replay.conftest import SLUG, CrawledArchive
from tests.replay.test_browser import start_replay_command, stop_replay_command

BUCKET = "replay-bucket"


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


@pytest.fixture
def recording_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[MotoServer, Path]]:
    """A moto server of its own that records every request it gets (moto's recorder, started
    by `start_recording`) into the returned file: what pywb asked S3 for."""
    recording = tmp_path_factory.mktemp("moto-recording") / "requests.jsonl"
    server = MotoServer(extra_env={"MOTO_RECORDER_FILEPATH": str(recording)})
    server.start()
    try:
        s3_client(server.endpoint).create_bucket(Bucket=BUCKET)
        yield server, recording
    finally:
        server.stop()


def start_recording(server: MotoServer) -> None:
    req = urllib.request.Request(f"{server.endpoint}/moto-api/recorder/start-recording",
                                 method="POST")
    with urllib.request.urlopen(req, timeout=10):
        pass


def warc_gets(recording: Path) -> list[dict]:
    """The recorded GET requests for WARC objects."""
    entries = [json.loads(line) for line in recording.read_text().splitlines() if line]
    return [e for e in entries if e["method"] == "GET" and "/warc/" in e["url"]]


def test_replay_from_s3_serves_the_same_pages_as_replay_from_the_local_store(
    two_crawls: CrawledArchive, recording_s3: tuple[MotoServer, Path], replay_archive,
    tmp_path: Path
):
    server, recording = recording_s3
    local = LocalStore(two_crawls.root)
    s3 = S3Store.from_uri(f"s3://{BUCKET}/archive", **store_options(server.endpoint))
    assert copy_to_s3(local, s3) > 0
    from_local = replay_archive(local, [SLUG], tmp_path / "local")
    from_s3 = replay_archive(s3, [SLUG], tmp_path / "s3")
    config = json.loads((tmp_path / "s3" / "config.yaml").read_text())
    assert config["collections"][SLUG]["archive_paths"] == f"s3://{BUCKET}/archive/stories/{SLUG}/warc/"
    start_recording(server)

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
    gets = warc_gets(recording)
    assert len(gets) >= len(captures)  # pywb read the bucket (nothing else could answer)
    assert all(f"/{BUCKET}/archive/stories/{SLUG}/warc/" in e["url"] for e in gets)
    assert all(e["headers"].get("Range", "").startswith("bytes=") for e in gets)  # never a whole WARC

    # and the command, configured only through the AWS environment, replays it too
    doc = two_crawls.documents()[0]
    ts = two_crawls.captures(doc["final_url"])[0][0]
    proc, base = start_replay_command(f"s3://{BUCKET}/archive", env=subprocess_env(server.endpoint))
    try:
        assert get(f"{base}/{SLUG}/{ts}id_/{doc['final_url']}") == get(
            f"{from_local.base_url}/{SLUG}/{ts}id_/{doc['final_url']}")
    finally:
        stop_replay_command(proc)
