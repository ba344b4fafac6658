"""The spool: files wait there while the store is down, `store sync` delivers them, and a
process killed between upload and cleanup neither loses nor duplicates anything."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storyarchive.store.base import StoreConflictError
from storyarchive.store.local import LocalStore
from storyarchive.store.spool import (
    deliver,
    deliver_bytes,
    pending,
    spool_bytes,
    spool_dir,
    spool_path,
    sync,
)
from tests.fixtures.s3server import object_digests, s3_client, store_options, subprocess_env
from tests.store.conftest import REPO, run_cli

FILES = {
    "stories/x/warc/SA-20260101000000-00000-host.warc.gz": os.urandom(70_000),
    "stories/x/indexes/SA-20260101000000-00000-host.cdxj": b"org,example)/ 2026 {}\n",
    "stories/x/warc/SA-20260101000001-00001-host.warc.gz": os.urandom(50_000),
}


@pytest.fixture(autouse=True)
def _spool_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STORYARCHIVE_SPOOL_DIR", str(tmp_path / "spool"))


def _spool_files(store) -> None:  # type: ignore[no-untyped-def]
    for key, data in FILES.items():
        path = spool_path(store, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _objects(store) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {key: store.get_bytes(key) for key in store.list_keys()}


def test_outage_keeps_files_in_spool_and_sync_delivers_them(make_store, s3_proxy, s3_bucket,
                                                            tmp_path: Path):
    undisturbed = make_store("undisturbed")
    for key, data in FILES.items():
        undisturbed.put_bytes(key, data)

    store = make_store("run", endpoint=s3_proxy.endpoint, max_attempts=2, connect_timeout=1)
    _spool_files(store)
    s3_proxy.stop()  # the endpoint now refuses connections
    first_key = next(iter(FILES))
    assert deliver(store, first_key, spool_path(store, first_key)) is False
    report = sync(store)
    assert (report.delivered, report.remaining) == (0, 3)
    assert "cannot reach" in (report.stopped or "")
    assert sorted(k for k, _ in pending(store)) == sorted(FILES)

    s3_proxy.start()
    env = subprocess_env(s3_proxy.endpoint, STORYARCHIVE_SPOOL_DIR=str(tmp_path / "spool"))
    result = run_cli(["store", "sync", "--store", f"s3://{s3_bucket}/run"], env, tmp_path)
    assert result.code == 0, result.err
    assert result.out.startswith(f"store s3://{s3_bucket}/run: delivered 3 file(s), ")
    assert "(3 uploaded, 0 already in the store)" in result.out
    assert list(pending(store)) == []
    assert not any(spool_dir(store).rglob("*"))  # emptied directories are removed too
    assert _objects(store) == _objects(undisturbed) == FILES
    assert object_digests(store) == object_digests(undisturbed)


def test_killed_between_upload_and_cleanup_loses_and_duplicates_nothing(
        s3_server, s3_bucket, s3_env, tmp_path: Path):
    from storyarchive.store.s3 import S3Store

    store = S3Store.from_uri(f"s3://{s3_bucket}/k", **store_options(s3_server.endpoint))
    _spool_files(store)
    # A real process, killed with SIGKILL right after the first verified upload, before the
    # spool copy is removed.
    script = textwrap.dedent(f"""
        import os, signal
        from storyarchive.store import spool
        from storyarchive.store.s3 import S3Store
        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        spool._remove = die
        spool.sync(S3Store.from_uri("s3://{s3_bucket}/k"))
    """)
    killed = subprocess.run([sys.executable, "-c", script], env={**s3_env, "PYTHONPATH": str(REPO)},
                            cwd=tmp_path, capture_output=True, timeout=60)
    assert killed.returncode == -9
    assert len(list(pending(store))) == 3  # the uploaded file is still in the spool
    uploaded = list(store.list_keys())
    assert len(uploaded) == 1

    result = run_cli(["store", "sync", "--store", f"s3://{s3_bucket}/k"], s3_env, tmp_path)
    assert result.code == 0, result.err
    assert "(2 uploaded, 1 already in the store)" in result.out
    assert list(pending(store)) == []
    listed = s3_client(s3_server.endpoint).list_object_versions(Bucket=s3_bucket, Prefix="k/")
    assert len(listed["Versions"]) == 3  # one object per key, nothing written twice
    assert _objects(store) == FILES


def test_sync_reports_a_conflict_keeps_that_file_and_delivers_the_rest(
        make_store, s3_server, s3_bucket, s3_env, tmp_path: Path):
    store = make_store("c")
    _spool_files(store)
    conflicting = next(iter(FILES))
    s3_client(s3_server.endpoint).put_object(Bucket=s3_bucket, Key=f"c/{conflicting}",
                                             Body=b"something else")
    result = run_cli(["store", "sync", "--store", f"s3://{s3_bucket}/c"], s3_env, tmp_path)
    assert result.code == 1
    assert "delivered 2 file(s)" in result.out
    assert f"not delivered: {conflicting}: " in result.err
    assert "already exists with different content" in result.err
    assert [k for k, _ in pending(store)] == [conflicting]
    assert store.get_bytes(conflicting) == b"something else"


def test_open_and_hidden_files_are_never_delivered(make_store):
    store = make_store("o")
    _spool_files(store)
    writing = spool_path(store, "stories/x/warc/SA-2-00002-host.warc.gz.open")
    writing.write_bytes(b"half a warc")
    (writing.parent / ".tmp-abc").write_bytes(b"temp")
    report = sync(store)
    assert (report.uploaded, report.remaining) == (3, 0)
    assert writing.read_bytes() == b"half a warc"
    assert sorted(store.list_keys()) == sorted(FILES)


def test_deliver_bytes_spools_during_outage_and_sync_sends_it_later(make_store, s3_proxy):
    store = make_store("j", endpoint=s3_proxy.endpoint, max_attempts=1, connect_timeout=1)
    key = "stories/x/articles/abc/v0001.json"
    s3_proxy.stop()
    assert deliver_bytes(store, key, b'{"a": 1}') is False
    assert spool_path(store, key).read_bytes() == b'{"a": 1}'
    assert deliver_bytes(store, key, b'{"a": 1}') is False  # same bytes again: fine
    with pytest.raises(StoreConflictError):
        spool_bytes(store, key, b'{"a": 2}')
    s3_proxy.start()
    assert deliver_bytes(store, "stories/x/articles/def/v0001.json", b"{}") is True
    report = sync(store)
    assert (report.uploaded, report.bytes, report.remaining) == (1, 8, 0)
    assert store.get_bytes(key) == b'{"a": 1}'


def test_local_store_spool_lives_inside_the_archive_and_is_not_listed(tmp_path: Path):
    store = LocalStore(tmp_path / "archive")
    _spool_files(store)
    assert spool_dir(store) == tmp_path / "archive" / ".spool"
    key = next(iter(FILES))
    assert deliver(store, key, spool_path(store, key)) is True
    assert deliver(store, key, spool_path(store, key)) is True  # already delivered elsewhere
    report = sync(store)
    assert (report.uploaded, report.remaining) == (2, 0)
    assert list(store.list_keys()) == sorted(FILES)
    assert {k: store.get_bytes(k) for k in FILES} == FILES


def test_outage_in_the_middle_of_a_multipart_upload(make_store, s3_proxy, tmp_path: Path):
    MiB = 1024 * 1024
    store = make_store("mp", endpoint=s3_proxy.endpoint, max_attempts=2, connect_timeout=1,
                       part_size=5 * MiB, multipart_threshold=5 * MiB, max_concurrency=1)
    key = "stories/x/warc/SA-20260101000000-00009-host.warc.gz"
    data = os.urandom(11 * MiB)
    path = spool_path(store, key)
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    sent: list[int] = []

    def cut_the_line(params, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(params["PartNumber"])
        if len(sent) == 2:  # the first part went through; the network dies now
            s3_proxy.stop()

    store.client.meta.events.register("before-parameter-build.s3.UploadPart", cut_the_line)
    assert deliver(store, key, path) is False
    assert path.read_bytes() == data  # still spooled, untouched
    s3_proxy.start()
    assert not store.exists(key)  # the interrupted upload never completed
    report = sync(store)
    assert (report.uploaded, report.remaining) == (1, 0)
    assert store.get_bytes(key) == data


def test_a_spool_directory_removed_by_a_concurrent_delivery_is_made_again(tmp_path):
    """The uploader removes spool directories it leaves empty; a writer about to create its
    next file there makes the directory again instead of failing (seen as a flaky
    FileExistsError/FileNotFoundError in the WARC writer's thread)."""
    from storyarchive.store.spool import in_spool_dir

    path = tmp_path / "spool" / "stories" / "s" / "indexes" / "a.cdxj"
    calls = []

    def create():
        calls.append(1)
        if len(calls) == 1:  # the uploader empties and removes the directory right now
            path.parent.rmdir()
        with open(path, "x") as f:
            f.write("ok")
        return "made"

    assert in_spool_dir(path, create) == "made"
    assert path.read_text() == "ok" and len(calls) == 2
    blocked = tmp_path / "file-in-the-way"
    blocked.write_text("x")
    with pytest.raises(FileExistsError):  # not the race: reported, not retried forever
        in_spool_dir(blocked / "a.cdxj", lambda: open(blocked / "a.cdxj", "x"))
