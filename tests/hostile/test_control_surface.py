"""Nothing in a crawl process takes orders from outside: Scrapy's remote-control server
(it runs Python code sent over HTTP) and the Telnet console are off unless asked for."""

from __future__ import annotations

from pathlib import Path

from demoweb import DemoWeb
from tests.commands.test_crawl import cli_env
from tests.store.conftest import run_cli

LISTENING = "Remote control HTTP server listening"  # what Scrapy logs when it starts one


def capture_log(web: DemoWeb, tmp_path: Path, *settings: str) -> str:
    """Capture one demo article with Scrapy's log on (-v); its stderr."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    article = sorted(web.expected_canonical_urls(include_generated=False))[0]
    sets = [a for s in (f"REMOTE_CONTROL_JOBS_DIR={tmp_path / 'jobs'}", *settings) for a in ("--set", s)]
    result = run_cli(["capture", article, "--story", "captures", "--store", str(tmp_path / "archive"),
                      "-v", *sets], cli_env(), tmp_path)
    assert result.code == 0, result.err[-3000:]
    assert "Spider opened" in result.err  # the log this test reads is there
    return result.err


def test_the_remote_control_server_is_off_by_default(fresh_demo_web: DemoWeb, tmp_path: Path):
    log = capture_log(fresh_demo_web, tmp_path / "default")
    assert LISTENING not in log
    assert "Telnet console listening" not in log


def test_the_remote_control_server_runs_only_when_a_setting_asks(fresh_demo_web: DemoWeb, tmp_path: Path):
    log = capture_log(fresh_demo_web, tmp_path / "asked", "REMOTE_CONTROL_ENABLED=True")
    assert LISTENING in log  # the probe of the test above sees a server when there is one
