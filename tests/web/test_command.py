"""`storyarchive web` as a command: what it refuses before serving anything."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.cli import run_cli
from tests.web.conftest import clean_env


def test_a_taken_port_is_one_line_and_exit_status_2(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = run_cli("web", "--store", str(tmp_path / "archive"), "--port", str(port), env=clean_env(),
                       check=False, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"storyarchive: error: cannot listen on 127.0.0.1:{port}: Address already in use (another server? "
        "choose another --port)"]


def test_a_short_token_is_refused(tmp_path: Path):
    done = run_cli("web", "--store", str(tmp_path / "archive"), "--port", "0",
                   env=clean_env(STORYARCHIVE_WEB_TOKEN="secret"), check=False, timeout=60)
    assert done.returncode == 2 and "STORYARCHIVE_WEB_TOKEN is too short" in done.stderr
    assert "secret" not in done.stderr + done.stdout


def test_a_replay_url_that_is_not_http_is_refused(tmp_path: Path):
    done = run_cli("web", "--store", str(tmp_path / "archive"), "--port", "0",
                   "--replay-url", "javascript:alert(1)", env=clean_env(), check=False, timeout=60)
    assert done.returncode == 2 and "--replay-url must be an http(s) URL" in done.stderr
