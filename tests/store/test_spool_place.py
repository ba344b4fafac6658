"""Where an S3 store's spool and state live: one absolute place per store and user,
$XDG_STATE_HOME/storyarchive/{spool,state}/<store> (else ~/.local/state/...), whatever
directory a command runs in; STORYARCHIVE_SPOOL_DIR / STORYARCHIVE_STATE_DIR override it.
`store sync` finds what a crawl left from any directory and says what waits where."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyarchive.store.s3 import S3Store
from storyarchive.store.spool import _store_slug, spool_dir, spool_path, state_dir
from tests.fixtures.s3server import MotoServer, TcpProxy, store_options, subprocess_env
from tests.store.conftest import run_cli

FILES = {
    "stories/x/warc/SA-20260101000000-00000-host.warc.gz": b"w" * 5000,
    "stories/x/indexes/SA-20260101000000-00000-host.cdxj": b"org,example)/ 20260101000000 {}\n",
    "stories/x/warc/SA-20260101000001-00001-host.warc.gz": b"v" * 3000,
}


@pytest.fixture
def no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORYARCHIVE_SPOOL_DIR", raising=False)
    monkeypatch.delenv("STORYARCHIVE_STATE_DIR", raising=False)


def test_the_spool_and_state_of_an_s3_store_are_one_absolute_place_whatever_the_directory(
    no_overrides: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, s3_server: MotoServer
):
    store = S3Store.from_uri("s3://news/prod", **store_options(s3_server.endpoint))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    seen = set()
    for cwd in ("one", "two"):
        (tmp_path / cwd).mkdir()
        monkeypatch.chdir(tmp_path / cwd)
        seen.add((spool_dir(store), state_dir(store)))
    assert seen == {(tmp_path / "xdg" / "storyarchive" / "spool" / _store_slug("s3://news/prod"),
                     tmp_path / "xdg" / "storyarchive" / "state" / _store_slug("s3://news/prod"))}
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert spool_dir(store).parent == tmp_path / "home" / ".local" / "state" / "storyarchive" / "spool"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/xdg")  # not absolute: ignored (XDG spec)
    assert state_dir(store).parent == tmp_path / "home" / ".local" / "state" / "storyarchive" / "state"
    monkeypatch.setenv("STORYARCHIVE_SPOOL_DIR", "my-spool")  # an override, made absolute
    assert spool_dir(store) == tmp_path / "two" / "my-spool" / _store_slug("s3://news/prod")
    store.close()


def test_store_sync_from_any_directory_delivers_what_waits_and_says_where(
    no_overrides: None, s3_server: MotoServer, s3_bucket: str, tmp_path: Path
):
    uri = f"s3://{s3_bucket}/prod"
    proxy = TcpProxy(s3_server.port)
    proxy.start()
    store = S3Store.from_uri(uri, **store_options(proxy.endpoint))
    for key, data in FILES.items():
        path = spool_path(store, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    spool = spool_dir(store)
    assert spool.is_absolute()
    env = subprocess_env(proxy.endpoint, STORYARCHIVE_S3_MAX_ATTEMPTS="1")  # XDG_STATE_HOME: this test's
    elsewhere = [tmp_path / "a", tmp_path / "b"]
    for cwd in elsewhere:
        cwd.mkdir()
    try:
        proxy.stop()  # the store is down: nothing goes, and sync says what waits where
        down = run_cli(["store", "sync", "--store", uri], env, elsewhere[0])
        assert down.code == 1
        assert f"3 file(s) still waiting in {spool} (2 WARC, 1 index)" in down.err
        proxy.start()
        up = run_cli(["store", "sync", "--store", uri], env, elsewhere[1])
    finally:
        proxy.stop()
    assert up.code == 0, up.err
    assert up.out.startswith(f"store {uri}: delivered 3 file(s), ")
    assert f"nothing waits in the spool ({spool})" in up.out
    check = S3Store.from_uri(uri, **store_options(s3_server.endpoint))
    assert {key: check.get_bytes(key) for key in FILES} == FILES
    store.close()
    check.close()


def test_store_sync_points_to_files_waiting_in_the_old_relative_spool(
    no_overrides: None, s3_server: MotoServer, s3_bucket: str, tmp_path: Path
):
    uri = f"s3://{s3_bucket}/old"
    old = tmp_path / ".storyarchive" / "spool"
    key = next(iter(FILES))
    left = old / _store_slug(uri) / key  # where a crawl run in tmp_path used to spool
    left.parent.mkdir(parents=True)
    left.write_bytes(FILES[key])
    env = subprocess_env(s3_server.endpoint)
    found = run_cli(["store", "sync", "--store", uri], env, tmp_path)
    assert found.code == 1
    assert f"1 file(s) for {uri} wait in {old / _store_slug(uri)}" in found.err
    command = f"STORYARCHIVE_SPOOL_DIR={old} storyarchive store sync --store {uri}"
    assert command in found.err
    done = run_cli(["store", "sync", "--store", uri], {**env, "STORYARCHIVE_SPOOL_DIR": str(old)},
                   tmp_path)
    assert done.code == 0, done.err
    assert "delivered 1 file(s)" in done.out
