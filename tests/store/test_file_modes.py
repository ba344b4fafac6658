"""The archive's files follow the umask, as files made with open() do, so a replay or web
server running as another user can read them (mkstemp alone would make every one 0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storyarchive.store import open_store
from storyarchive.store.spool import spool_bytes
from tests.cli import run_cli

SLUG = "modes"


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_a_capture_under_umask_022_writes_warc_cdxj_documents_and_manifest_0644(demo_web, tmp_path):
    store = tmp_path / "archive"
    with umask(0o022):  # the capture process inherits it
        run_cli("capture", demo_web.entry_url("g-fixture"), "--story", SLUG, "--store", str(store),
                "--set", "ROBOTSTXT_OBEY=False", "--set", "STORYARCHIVE_CAPTURE_REQUISITES=False")
    story = store / "stories" / SLUG
    files = {
        "warc": list((story / "warc").glob("*.warc.gz")),
        "cdxj": list((story / "indexes").glob("*.cdxj")),
        "document": list((story / "articles").glob("*/*.json")),
        "manifest": list((story / "crawls").glob("*.json")),
    }
    assert all(files.values()), files
    modes = {kind: {mode(p) for p in paths} for kind, paths in files.items()}
    assert modes == {kind: {"0o644"} for kind in files}


def test_a_stricter_umask_gives_stricter_files_in_the_store_and_the_spool(tmp_path):
    store = open_store(str(tmp_path / "archive"))
    with umask(0o027):
        store.put_bytes("stories/x/crawls/a.json", b"{}")
        spooled = spool_bytes(store, "stories/x/crawls/b.json", b"{}")
    assert mode(tmp_path / "archive" / "stories" / "x" / "crawls" / "a.json") == "0o640"
    assert mode(spooled) == "0o640"
