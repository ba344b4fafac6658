"""The story collection's index: the per-file CDXJ merged into one sorted file for pywb."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from storyarchive.replay.indexes import NoCapturesError, build_story_index, story_slugs
from storyarchive.replay.pywb import (
    archive_path_for,
    build_collections,
    pywb_environment,
    write_config,
)
from storyarchive.store.local import LocalStore


def line(key: str, ts: str, n: int) -> str:
    fields = f'"url": "http://{key}", "offset": "{n}", "length": "10", "filename": "f{n}.warc.gz"'
    return f"{key} {ts} {{{fields}}}\n"


def test_the_story_index_is_every_files_lines_merged_in_sort_order(tmp_path: Path):
    store = LocalStore(tmp_path / "archive")
    store.put_bytes("stories/s/indexes/f1.cdxj", (line("a,x)/", "20250101000000", 1)
                                                  + line("c,x)/", "20250101000000", 2)).encode())
    store.put_bytes("stories/s/indexes/f2.cdxj", (line("b,x)/", "20250102000000", 3)
                                                  + line("c,x)/", "20250102000000", 4)).encode())
    path, count = build_story_index(store, "s", tmp_path / "work")
    lines = path.read_text().splitlines()
    assert count == 4
    assert [ln.split(" ", 2)[:2] for ln in lines] == [
        ["a,x)/", "20250101000000"], ["b,x)/", "20250102000000"],
        ["c,x)/", "20250101000000"], ["c,x)/", "20250102000000"],
    ]
    assert lines == sorted(lines, key=lambda s: s.encode())


def test_every_story_with_indexes_gets_a_collection(tmp_path: Path):
    store = LocalStore(tmp_path / "archive")
    for slug in ("beta", "alpha"):
        store.put_bytes(f"stories/{slug}/indexes/f.cdxj", line("a,x)/", "20250101000000", 1).encode())
    store.put_bytes("stories/gamma/articles/d/v.json", b"{}")  # no captures: no collection
    assert story_slugs(store) == ["alpha", "beta"]
    collections = build_collections(store, story_slugs(store), tmp_path / "work")
    config = write_config(tmp_path / "work", collections).read_text()
    assert f'"archive_paths": "{store.root}/stories/alpha/warc/"' in config
    assert '"index_paths": "' + str(tmp_path / "work" / "beta" / "index.cdxj") + '"' in config


def test_a_story_without_captures_is_a_clear_error(tmp_path: Path):
    with pytest.raises(NoCapturesError, match="crawl or capture it first"):
        build_story_index(LocalStore(tmp_path / "archive"), "empty", tmp_path / "work")


def test_an_s3_store_is_replayed_from_its_s3_uris_and_other_stores_are_refused(tmp_path: Path):
    from storyarchive.store.s3 import S3Store

    s3 = S3Store.from_uri("s3://bucket/archive", endpoint_url="http://127.0.0.1:9",
                          region_name="us-east-1", aws_access_key_id="key",
                          aws_secret_access_key="secret")
    assert archive_path_for(s3, "s") == "s3://bucket/archive/stories/s/warc/"
    env = pywb_environment(s3)
    assert (env["AWS_ENDPOINT_URL_S3"], env["AWS_REGION"]) == ("http://127.0.0.1:9", "us-east-1")
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("key", "secret")
    assert pywb_environment(LocalStore(tmp_path)) == {}
    other = SimpleNamespace(uri="gs://bucket/archive")  # neither a directory nor S3
    with pytest.raises(ValueError, match="a local directory or an S3 store only"):
        archive_path_for(other, "s")


def test_virtual_addressing_that_pywb_cannot_be_told_is_a_warning(caplog: pytest.LogCaptureFixture):
    from storyarchive.store.s3 import S3Store

    s3 = S3Store.from_uri("s3://bucket/archive", endpoint_url="http://minio.example:9000",
                          region_name="us-east-1", aws_access_key_id="key",
                          aws_secret_access_key="secret", addressing_style="virtual")
    with caplog.at_level("WARNING"):
        assert pywb_environment(s3)["AWS_ENDPOINT_URL_S3"] == "http://minio.example:9000"
    assert "addressing_style = virtual" in caplog.text and "secret" not in caplog.text
