"""Helpers for the store tests: an S3Store on the session moto server, the storyarchive
command line as a subprocess, and a canned HTTP server for answers moto never gives."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storyarchive.store.s3 import S3Store
from tests.fixtures.s3server import MotoServer, store_options

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def make_store(s3_server: MotoServer, s3_bucket: str) -> Iterator[Callable[..., S3Store]]:
    """make_store(prefix="", endpoint=None, **options) -> S3Store on the test bucket."""
    opened: list[S3Store] = []

    def make(prefix: str = "", endpoint: str | None = None, bucket: str | None = None,
             **options: object) -> S3Store:
        opts = store_options(endpoint or s3_server.endpoint, **options)
        store = S3Store.from_uri(f"s3://{bucket or s3_bucket}/{prefix}", **opts)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> CliResult:
    """`python -m storyarchive ARGS` in a subprocess with exactly `env`."""
    proc = subprocess.run(
        [sys.executable, "-m", "storyarchive", *args],
        env={**env, "SCRAPY_SETTINGS_MODULE": "settings", "PYTHONPATH": str(REPO)},
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


class _Canned(http.server.BaseHTTPRequestHandler):
    status = 200
    body = b""
    content_type = "application/xml"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.body)

    do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned_http() -> Iterator[Callable[[int, bytes, str], str]]:
    """canned_http(status, body, content_type) -> endpoint of a server on 127.0.0.1 that
    answers every request with that response (a non-S3 server, or an S3 error moto lacks)."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(status: int, body: bytes, content_type: str = "application/xml") -> str:
        handler = type("Handler", (_Canned,), {
            "status": status, "body": body, "content_type": content_type,
        })
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
