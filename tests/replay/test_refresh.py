"""Replay sees new captures without a restart; a taken port is one clear message."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from demoweb import DemoWeb
from storyarchive.replay.indexes import build_story_index, read_index
from storyarchive.replay.refresh import IndexRefresher
from storyarchive.store.local import LocalStore
from tests.replay.conftest import PROJECT, run_cli
from tests.replay.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    start_replay_command,
    stop_replay_command,
)

LIVE = "live-capture"


def _cdxj(url: str, ts: str, filename: str) -> bytes:
    key = "com,example)/" + url.rsplit("/", 1)[1]
    return (f'{key} {ts} {{"url": "{url}", "mime": "text/html", "status": "200", '
            f'"filename": "{filename}", "offset": "0", "length": "100"}}\n').encode()


def test_a_new_index_file_in_the_store_is_merged_into_the_served_index(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("stories/s/indexes/a.cdxj", _cdxj("https://example.com/1", "20260101000000", "a.warc.gz"))
    work = tmp_path / "replay"
    index, _ = build_story_index(store, "s", work)
    lines: list[str] = []
    refresher = IndexRefresher(store, ["s"], work, log=lines.append)
    assert refresher.refresh() == []  # nothing new
    store.put_bytes("stories/s/indexes/b.cdxj", _cdxj("https://example.com/2", "20260102000000", "b.warc.gz"))
    assert refresher.refresh() == [("s", 2)]
    assert [f["url"] for _k, _t, f in read_index(index)] == ["https://example.com/1", "https://example.com/2"]
    assert lines == ["  s: 1 new index file(s), 2 captures"]


def test_a_story_first_captured_while_every_story_is_served_is_reported_once(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    store.put_bytes("stories/s/indexes/a.cdxj", _cdxj("https://example.com/1", "20260101000000", "a.warc.gz"))
    lines: list[str] = []
    refresher = IndexRefresher(store, ["s"], tmp_path / "replay", watch_new_stories=True, log=lines.append)
    store.put_bytes("stories/t/indexes/a.cdxj", _cdxj("https://example.com/9", "20260101000000", "a.warc.gz"))
    refresher.refresh()
    refresher.refresh()
    assert lines == ["  new story 't' has captures: restart `storyarchive replay` to browse it "
                     "(or `storyarchive replay --story t --port N`)"]


def _capture(url: str, store: Path) -> dict:
    """`storyarchive capture URL --story LIVE`; the latest document of that URL."""
    from storyarchive.document import iter_latest_documents

    run_cli("capture", url, "--story", LIVE, "--store", str(store))
    return next(d for _k, d in iter_latest_documents(LocalStore(store), LIVE) if d["final_url"] == url)


def _replayed_headline(page, base: str, ts: str, url: str) -> str | None:  # type: ignore[no-untyped-def]
    """The headline Chromium shows for the capture at `ts` in pywb's frame, None if pywb has
    no such capture (yet)."""
    page.goto(f"{base}/{LIVE}/{ts}/{url}", wait_until="load")
    frame = next((f for f in page.frames if f"{ts}mp_/" in f.url), None)
    if frame is None or frame.query_selector("h1.headline") is None:
        return None
    return " ".join(frame.inner_text("h1.headline").split())


def test_a_page_captured_while_replay_runs_replays_in_chromium_without_a_restart(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    store = tmp_path / "archive"
    with DemoWeb(base_port=0) as web:
        first, second = [web.entry_url(e.id) for e in web.catalog if e.kind == "article"][:2]
        _capture(first, store)
        proc, base = start_replay_command(str(store), story=LIVE)
        try:
            doc = _capture(second, store)
            captured = time.monotonic()
            ts = doc["replay_url"].split(f"/{LIVE}/", 1)[1].split("/", 1)[0]
            live = tuple(o.base_url for o in web.outlets.values())
            escaped: list[str] = []
            headline = None
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context()
                    context.on("request", lambda r: escaped.append(r.url) if r.url.startswith(live) else None)
                    page = context.new_page()
                    while headline is None and time.monotonic() - captured < 20:
                        headline = _replayed_headline(page, base, ts, second)
                        if headline is None:
                            time.sleep(0.5)
                    waited = time.monotonic() - captured
                finally:
                    browser.close()
            assert proc.poll() is None, "the replay command stopped"
        finally:
            stop_replay_command(proc)
    assert headline == doc["metadata"]["title"], f"not replayed {waited:.1f} s after the capture"
    assert waited < 10
    assert escaped == []  # from the archive, not the live site


def test_a_port_already_in_use_gives_one_clear_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STORYARCHIVE_", "AWS_"))}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "storyarchive", "replay", "--store", str(tmp_path / "archive"),
             "--port", str(port)], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == (f"storyarchive: error: port {port} on 127.0.0.1 is already in use (another "
                           "`storyarchive replay`, or another server): stop it, or choose a free port "
                           "with --port\n")
    assert done.stdout == ""
