"""S3Store against moto's standalone server: round trips, create-only puts, multipart."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from storyarchive.store.base import StoreConflictError
from tests.fixtures.s3server import MotoServer, s3_client

MiB = 1024 * 1024


def test_put_bytes_then_get_bytes_returns_the_same_bytes(make_store):
    store = make_store("arch")
    data = b'{"title": "US strike on a Venezuelan dock"}'
    result = store.put_bytes("stories/x/articles/a/v0001.json", data)
    assert (result.created, result.size) == (True, len(data))
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert store.get_bytes("stories/x/articles/a/v0001.json") == data


def test_get_range_returns_exactly_the_requested_slice(make_store):
    store = make_store()
    data = bytes(range(256)) * 40
    store.put_bytes("stories/x/warc/a.warc.gz", data)
    assert store.get_range("stories/x/warc/a.warc.gz", 1000, 300) == data[1000:1300]
    assert store.get_range("stories/x/warc/a.warc.gz", len(data) - 5, 100) == data[-5:]
    assert store.get_range("stories/x/warc/a.warc.gz", len(data) + 10, 5) == b""


def test_missing_key_reads_raise_key_error(make_store):
    store = make_store()
    with pytest.raises(KeyError):
        store.get_bytes("stories/x/nothing.json")
    with pytest.raises(KeyError):
        store.get_range("stories/x/nothing.json", 0, 10)
    with pytest.raises(KeyError):
        store.size("stories/x/nothing.json")
    assert store.exists("stories/x/nothing.json") is False


def test_list_keys_is_sorted_relative_to_the_prefix_and_paginated(make_store, s3_server,
                                                                 s3_bucket):
    store = make_store("deep/prefix")
    store.list_page_size = 7  # so 40 keys take 6 pages
    keys = [f"stories/x/articles/{i:04d}/v0001.json" for i in range(40)]
    for k in reversed(keys):
        store.put_bytes(k, k.encode())
    store.put_bytes("stories/y/crawls/c1.json", b"{}")
    # objects outside the prefix are not ours
    s3_client(s3_server.endpoint).put_object(Bucket=s3_bucket, Key="other/z.json", Body=b"")
    assert list(store.list_keys("stories/x/")) == keys
    assert list(store.list_keys())[-1] == "stories/y/crawls/c1.json"
    assert store.size("stories/y/crawls/c1.json") == 2


def test_put_file_stores_sha256_checksum_and_metadata(make_store, s3_server, s3_bucket,
                                                      tmp_path: Path):
    store = make_store("p")
    path = tmp_path / "a.warc.gz"
    data = os.urandom(300_000)
    path.write_bytes(data)
    result = store.put_file("stories/x/warc/a.warc.gz", path)
    digest = hashlib.sha256(data).digest()
    head = s3_client(s3_server.endpoint).head_object(
        Bucket=s3_bucket, Key="p/stories/x/warc/a.warc.gz", ChecksumMode="ENABLED"
    )
    assert result.created is True
    assert head["ContentLength"] == len(data)
    assert head["ChecksumSHA256"] == base64.b64encode(digest).decode()
    assert head["Metadata"]["sha256"] == digest.hex()
    assert store.get_bytes("stories/x/warc/a.warc.gz") == data


def test_identical_retry_is_a_silent_no_op(make_store, tmp_path: Path):
    store = make_store()
    path = tmp_path / "f.cdxj"
    path.write_bytes(b"org,example)/ 20260101000000 {}\n")
    first = store.put_file("stories/x/indexes/f.cdxj", path)
    again = store.put_file("stories/x/indexes/f.cdxj", path)
    again_bytes = store.put_bytes("stories/x/indexes/f.cdxj", path.read_bytes())
    assert (first.created, again.created, again_bytes.created) == (True, False, False)
    assert again.sha256 == first.sha256
    assert store.get_bytes("stories/x/indexes/f.cdxj") == path.read_bytes()


def test_different_content_at_existing_key_is_reported_and_kept(make_store, s3_server,
                                                                s3_bucket, tmp_path: Path):
    store = make_store()
    s3_client(s3_server.endpoint).put_object(
        Bucket=s3_bucket, Key="stories/x/crawls/c.json", Body=b"original"
    )
    path = tmp_path / "c.json"
    path.write_bytes(b"replacement")
    with pytest.raises(StoreConflictError, match="already exists with different content"):
        store.put_file("stories/x/crawls/c.json", path)
    with pytest.raises(StoreConflictError, match="kept the existing object"):
        store.put_bytes("stories/x/crawls/c.json", b"replacement")
    assert store.get_bytes("stories/x/crawls/c.json") == b"original"


def test_identical_object_written_by_another_tool_counts_as_stored(make_store, s3_server,
                                                                   s3_bucket):
    # No x-amz-meta-sha256 and no checksum: the store reads the object to compare.
    s3_client(s3_server.endpoint).put_object(Bucket=s3_bucket, Key="k/a.json", Body=b"same")
    result = make_store().put_bytes("k/a.json", b"same")
    assert (result.created, result.sha256) == (False, hashlib.sha256(b"same").hexdigest())


@pytest.fixture
def big_file(tmp_path: Path) -> tuple[Path, bytes]:
    data = os.urandom(12 * MiB + 12345)
    path = tmp_path / "big.warc.gz"
    path.write_bytes(data)
    return path, data


def test_multipart_file_round_trips_with_composite_checksum(make_store, s3_server: MotoServer,
                                                            s3_bucket, big_file):
    path, data = big_file
    store = make_store(part_size=5 * MiB, multipart_threshold=5 * MiB)
    result = store.put_file("stories/x/warc/big.warc.gz", path)
    head = s3_client(s3_server.endpoint).head_object(
        Bucket=s3_bucket, Key="stories/x/warc/big.warc.gz", ChecksumMode="ENABLED"
    )
    parts = [data[i:i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
    composite = hashlib.sha256(b"".join(hashlib.sha256(p).digest() for p in parts)).digest()
    assert result.created is True
    assert head["ETag"].endswith('-3"')  # three parts
    # moto returns the composite checksum without its "-3" suffix here; AWS adds it
    assert head["ChecksumSHA256"].removesuffix("-3") == base64.b64encode(composite).decode()
    assert head["Metadata"]["sha256"] == hashlib.sha256(data).hexdigest()
    got = store.get_bytes("stories/x/warc/big.warc.gz")
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
    boundary = 5 * MiB - 10
    assert store.get_range("stories/x/warc/big.warc.gz", boundary, 20) == data[boundary:boundary + 20]


def test_multipart_retry_is_no_op_and_conflict_is_refused(make_store, big_file, tmp_path: Path):
    path, data = big_file
    store = make_store(part_size=5 * MiB, multipart_threshold=5 * MiB)
    store.put_file("stories/x/warc/big.warc.gz", path)
    assert store.put_file("stories/x/warc/big.warc.gz", path).created is False
    other = tmp_path / "other.warc.gz"
    other.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(StoreConflictError):
        store.put_file("stories/x/warc/big.warc.gz", other)
    assert store.get_range("stories/x/warc/big.warc.gz", len(data) - 1, 1) == data[-1:]


def test_multipart_upload_losing_the_race_is_refused_at_completion(make_store, s3_server,
                                                                   s3_bucket, big_file):
    # The key appears after our existence check but before completion: If-None-Match on
    # CompleteMultipartUpload refuses, the parts are aborted, the other object is kept.
    path, _ = big_file
    store = make_store(part_size=5 * MiB, multipart_threshold=5 * MiB)
    client = s3_client(s3_server.endpoint)
    original_head = store._head

    def head_then_someone_writes(key: str):  # type: ignore[no-untyped-def]
        result = original_head(key)
        if result is None:
            client.put_object(Bucket=s3_bucket, Key=key, Body=b"first")
            store._head = original_head
        return result

    store._head = head_then_someone_writes
    with pytest.raises(StoreConflictError):
        store.put_file("stories/x/warc/race.warc.gz", path)
    assert store.get_bytes("stories/x/warc/race.warc.gz") == b"first"
    assert client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []


def test_optional_story_tag_storage_class_and_encryption(make_store, s3_server, s3_bucket):
    store = make_store(tag_story=True, storage_class="STANDARD_IA", sse="AES256")
    store.put_bytes("stories/venezuela-dock-strike/crawls/c.json", b"{}")
    client = s3_client(s3_server.endpoint)
    key = "stories/venezuela-dock-strike/crawls/c.json"
    tags = client.get_object_tagging(Bucket=s3_bucket, Key=key)["TagSet"]
    head = client.head_object(Bucket=s3_bucket, Key=key)
    assert tags == [{"Key": "story", "Value": "venezuela-dock-strike"}]
    assert head["StorageClass"] == "STANDARD_IA"
    assert head["ServerSideEncryption"] == "AES256"


def test_object_lock_retention_and_legal_hold(make_store, s3_server):
    client = s3_client(s3_server.endpoint)
    client.create_bucket(Bucket="locked-bucket", ObjectLockEnabledForBucket=True)
    store = make_store(bucket="locked-bucket", object_lock_mode="governance",
                       object_lock_days=30, legal_hold=True)
    store.put_bytes("stories/x/crawls/c.json", b"{}")
    head = client.head_object(Bucket="locked-bucket", Key="stories/x/crawls/c.json")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockLegalHoldStatus"] == "ON"
    assert head["ObjectLockRetainUntilDate"] > head["LastModified"]
