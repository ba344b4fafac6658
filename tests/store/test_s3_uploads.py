"""What the S3 store adds to s3transfer's uploads, seen on the wire (moto's server): every
write is create-only, every part carries the SHA-256 of the bytes hashed before the upload,
and a server refusing the bytes is an integrity error."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from storyarchive.store.base import StoreIntegrityError, StoreUnavailableError

MiB = 1024 * 1024

BAD_DIGEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>BadDigest</Code><Message>The SHA256 you specified did not match the calculated
checksum.</Message></Error>"""


def record_requests(store: Any) -> list[tuple[str, dict[str, str]]]:
    """(operation, request headers) of every request the store's client makes from now on."""
    seen: list[tuple[str, dict[str, str]]] = []

    def created(request: Any, operation_name: str, **_: Any) -> None:
        seen.append((operation_name, dict(request.headers)))

    store.client.meta.events.register("request-created.s3", created)
    return seen


def test_a_multipart_upload_sends_each_parts_sha256_and_completes_create_only(
        make_store, tmp_path: Path):
    data = os.urandom(11 * MiB + 7)
    path = tmp_path / "big.warc.gz"
    path.write_bytes(data)
    store = make_store(part_size=5 * MiB, multipart_threshold=5 * MiB, max_concurrency=2)
    seen = record_requests(store)
    assert store.put_file("stories/x/warc/big.warc.gz", path).created
    parts = sorted((h["x-amz-checksum-sha256"] for op, h in seen if op == "UploadPart"))
    expected = sorted(base64.b64encode(hashlib.sha256(data[i:i + 5 * MiB]).digest()).decode()
                      for i in range(0, len(data), 5 * MiB))
    assert parts == expected and len(parts) == 3
    (complete,) = [h for op, h in seen if op == "CompleteMultipartUpload"]
    assert complete["If-None-Match"] == "*"
    (create,) = [h for op, h in seen if op == "CreateMultipartUpload"]
    assert create["x-amz-meta-sha256"] == hashlib.sha256(data).hexdigest()


def test_a_single_put_is_create_only_and_carries_its_sha256(make_store):
    store = make_store()
    seen = record_requests(store)
    store.put_bytes("stories/x/crawls/c.json", b"{}")
    (put,) = [h for op, h in seen if op == "PutObject"]
    assert put["If-None-Match"] == "*"
    assert put["x-amz-checksum-sha256"] == base64.b64encode(hashlib.sha256(b"{}").digest()).decode()


def test_bytes_the_server_finds_corrupt_are_an_integrity_error(make_store, canned_http):
    store = make_store(endpoint=canned_http(400, BAD_DIGEST), max_attempts=1)
    with pytest.raises(StoreIntegrityError, match="do not match the SHA-256"):
        store.put_bytes("stories/x/crawls/c.json", b"{}")


def test_an_abort_that_cannot_reach_the_store_is_logged(make_store, s3_proxy, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture):
    store = make_store("mp", endpoint=s3_proxy.endpoint, max_attempts=1, connect_timeout=1,
                       part_size=5 * MiB, multipart_threshold=5 * MiB, max_concurrency=1)
    path = tmp_path / "f.warc.gz"
    path.write_bytes(os.urandom(11 * MiB))

    def cut_the_line(params: dict[str, Any], **_: Any) -> None:
        if params["PartNumber"] == 2:
            s3_proxy.stop()

    store.client.meta.events.register("before-parameter-build.s3.UploadPart", cut_the_line)
    with pytest.raises(StoreUnavailableError), caplog.at_level("WARNING"):
        store.put_file("stories/x/warc/f.warc.gz", path)
    s3_proxy.start()
    assert "could not abort a failed multipart upload" in caplog.text
    assert "AbortIncompleteMultipartUpload" in caplog.text
