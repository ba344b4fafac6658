"""The local store's puts: create-only and atomic, whatever the path they take (bytes or a
file, a new directory or an existing one), and nothing left behind."""

from __future__ import annotations

import hashlib
import os

import pytest

from storyarchive.store.base import StoreConflictError
from storyarchive.store.local import LocalStore


def leftovers(root) -> list[str]:  # type: ignore[no-untyped-def]
    return [name for _d, _s, files in os.walk(root) for name in files if name.startswith(".tmp-")]


def test_put_bytes_makes_the_directories_and_stores_the_bytes_with_their_digest(tmp_path):
    store = LocalStore(tmp_path / "a")
    data = b'{"doc": "one"}\n'
    result = store.put_bytes("stories/s/articles/d1/v1.json", data, durable=False)
    store.flush()
    assert store.get_bytes("stories/s/articles/d1/v1.json") == data
    assert (result.size, result.sha256, result.created) == (len(data), hashlib.sha256(data).hexdigest(), True)
    assert leftovers(tmp_path) == []


def test_put_file_copies_a_file_of_several_chunks(tmp_path):
    store = LocalStore(tmp_path / "a")
    source = tmp_path / "big.bin"
    data = os.urandom(3 * (1 << 20) + 17)  # more than one 1 MiB chunk
    source.write_bytes(data)
    result = store.put_file("stories/s/warc/x.warc.gz", source)
    assert store.get_bytes("stories/s/warc/x.warc.gz") == data
    assert (result.size, result.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert leftovers(tmp_path) == []


def test_the_same_bytes_again_are_no_new_object_and_other_bytes_are_refused(tmp_path):
    store = LocalStore(tmp_path / "a")
    store.put_bytes("stories/s/crawls/c.json", b"first")
    assert store.put_bytes("stories/s/crawls/c.json", b"first").created is False
    with pytest.raises(StoreConflictError, match="already exists with different content"):
        store.put_bytes("stories/s/crawls/c.json", b"second")
    assert store.get_bytes("stories/s/crawls/c.json") == b"first"
    assert leftovers(tmp_path) == []


def test_many_documents_in_one_directory_and_in_new_ones(tmp_path):
    store = LocalStore(tmp_path / "a")
    written = {f"stories/s/articles/d{i % 7}/v{i}.json": f"doc {i}".encode() for i in range(50)}
    for key, data in written.items():
        store.put_bytes(key, data, durable=False)
    store.flush()
    assert {k: store.get_bytes(k) for k in store.list_keys("stories/s/articles/")} == written
