"""Fixtures of the web view tests: the demo story crawled into a local store, `storyarchive
web` and `storyarchive replay` running over it as subprocesses on free 127.0.0.1 ports, and
headless Chromium (/usr/bin/chromium through Playwright's driver)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from demoweb import DemoWeb
from storyarchive.procs import stop_process
from tests.cli import REPO, latest_documents, run_cli
from tests.replay.test_browser import CHROMIUM, CHROMIUM_ARGS, start_replay_command, stop_replay_command

SLUG = "demo-dock-strike"
TOKEN = "test-token-0123456789abcdef"
ARTIFACTS = REPO / "test-artifacts"


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without the user's STORYARCHIVE_* and AWS_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STORYARCHIVE_", "AWS_"))}
    return {**env, "STORYARCHIVE_PROGRESS": "off", **extra}


@dataclass
class WebServer:
    process: subprocess.Popen[str]
    base: str  # http://127.0.0.1:PORT
    output: list[str]

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        return request(self.base + path, headers=headers)

    def json(self, path: str) -> Any:
        status, _, body = self.get(path)
        assert status == 200, f"GET {path}: {status} {body[:500]!r}"
        return json.loads(body)

    def post(self, path: str, body: bytes,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        return request(self.base + path, data=body, headers=headers)


def request(url: str, data: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request; HTTP errors are answers, not exceptions."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=60) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def start_web(store: str, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> WebServer:
    """`storyarchive web --store STORE --port 0 ARGS` until it prints its URL."""
    command = [sys.executable, "-m", "storyarchive", "web", "--store", store, "--port", "0", *args]
    proc = subprocess.Popen(command,
                            cwd=REPO, env=env or clean_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith("web view of "):
            base = line.split(" at ", 1)[1].split()[0].rstrip("/")
            return WebServer(proc, base, seen)
    stop_process(proc)
    raise AssertionError("storyarchive web did not start:\n" + "".join(seen))


def stop_web(server: WebServer) -> None:
    stop_process(server.process, timeout=30, sig=signal.SIGINT)


@dataclass
class DemoArchive:
    root: Path
    web: DemoWeb
    story_file: Path
    docs: dict[str, dict[str, Any]]  # canonical URL -> latest document


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoArchive]:
    """The demo story crawled once into a local store (the demo web stays up)."""
    base = tmp_path_factory.mktemp("web-demo")
    with DemoWeb(base_port=0) as web:
        story = base / f"{SLUG}.toml"
        story.write_text(web.story_toml(), encoding="utf-8")
        run_cli("crawl", str(story), "--store", str(base / "archive"), "--set", "AUTOTHROTTLE_ENABLED=False",
                env=clean_env())
        yield DemoArchive(base / "archive", web, story, latest_documents(base / "archive", SLUG))


@pytest.fixture(scope="session")
def replay_server(demo_archive: DemoArchive) -> Iterator[str]:
    """`storyarchive replay` over the demo archive: its base URL."""
    proc, base = start_replay_command(str(demo_archive.root), env=clean_env())
    try:
        yield base
    finally:
        stop_replay_command(proc)


@pytest.fixture(scope="session")
def web_server(demo_archive: DemoArchive, replay_server: str) -> Iterator[WebServer]:
    """`storyarchive web` over the demo archive, read-only, linking to the replay server."""
    server = start_web(str(demo_archive.root), "--replay-url", replay_server,
                       "--stories", str(demo_archive.story_file.parent))
    try:
        yield server
    finally:
        stop_web(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (/usr/bin/chromium) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own context) whose requests may only go to 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1200, "height": 1400})
    outside: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "about:", "blob:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    context.route("**/*", route)
    p = context.new_page()
    try:
        yield p
    finally:
        context.close()
    assert outside == [], f"requests beyond loopback: {outside}"


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"web-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path
