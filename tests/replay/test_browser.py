"""End to end in a real browser: a captured article replays from the archive alone, with
its stylesheet and image, and nothing reaches the live site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from demoweb.assets import HEADLINE_COLOR
from storyarchive.procs import stop_process
from tests.fixtures.replay import free_port
from tests.replay.conftest import CHANGED, PROJECT, SLUG, CrawledArchive

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = PROJECT / "test-artifacts"


def start_replay_command(store: str, env: dict[str, str] | None = None, story: str = SLUG,
                         timeout: float = 90) -> tuple[subprocess.Popen[str], str]:
    """`storyarchive replay --story SLUG --store STORE --port N` until it prints its URL."""
    port = free_port()
    base_env = env or {k: v for k, v in os.environ.items() if not k.startswith(("STORYARCHIVE_", "AWS_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyarchive", "replay", "--story", story, "--store", store,
         "--port", str(port)], cwd=PROJECT, env=base_env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith("replaying "):
            return proc, f"http://127.0.0.1:{port}"
    proc.kill()
    raise AssertionError("storyarchive replay did not start:\n" + "".join(seen))


def stop_replay_command(proc: subprocess.Popen[str]) -> None:
    stop_process(proc, timeout=15, sig=signal.SIGINT)


@pytest.fixture
def replay_command(two_crawls: CrawledArchive) -> Iterator[str]:
    proc, base = start_replay_command(str(two_crawls.root))
    try:
        yield base
    finally:
        stop_replay_command(proc)


def test_a_captured_article_replays_in_chromium_with_its_style_and_image_from_the_archive(
    two_crawls: CrawledArchive, replay_command: str
):
    from playwright.sync_api import sync_playwright

    base = replay_command
    doc = next(d for d in two_crawls.documents()
               if d["final_url"] != two_crawls.web.entry_url(CHANGED) and d["metadata"]["title"])
    first_ts = two_crawls.captures(doc["final_url"])[0][0]
    live_origins = {o.base_url for o in two_crawls.web.outlets.values()}
    requested: list[str] = []
    blocked: list[str] = []

    def route(r):  # type: ignore[no-untyped-def]
        url = r.request.url
        if url.startswith(base + "/") or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 1300})
            context.route("**/*", route)
            context.on("request", lambda req: requested.append(req.url))
            page = context.new_page()
            page.goto(f"{base}/{SLUG}/{first_ts}/{doc['final_url']}", wait_until="networkidle")
            frame = next(f for f in page.frames if f"{first_ts}mp_/" in f.url)
            frame.wait_for_selector("h1.headline")
            body_text = frame.inner_text("article")
            color = frame.eval_on_selector("h1.headline", "e => getComputedStyle(e).color")
            image = frame.eval_on_selector(
                "article img", "e => ({w: e.naturalWidth, done: e.complete, src: e.currentSrc})")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "replay-article.png"), full_page=False)
        finally:
            browser.close()

    assert doc["metadata"]["title"] in body_text
    for block in doc["blocks"][:3]:
        assert block["text"] in " ".join(body_text.split())
    assert color == HEADLINE_COLOR  # demo /static/site.css, served from the archive
    assert image["done"] and image["w"] > 0
    assert image["src"].startswith(f"{base}/{SLUG}/")
    assert blocked == [], f"requests outside the replay server: {blocked}"
    escaped = [u for u in requested if any(u.startswith(o) for o in live_origins)]
    assert escaped == [] and requested
    assert any("/static/site.css" in u for u in requested)
