"""`python -m demoweb` serves until stopped and prints the outlet URLs."""

from __future__ import annotations

import signal
import subprocess
import sys

from tests.demoweb.helpers import fetch


def test_cli_serves_and_prints_outlet_urls():
    proc = subprocess.Popen([sys.executable, "-m", "demoweb", "--base-port", "0"],
                            stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "search feed:" in line:
                break
        globe = next(line.split()[-1] for line in lines if line.split()[:1] == ["globe"])
        status, _, body = fetch(globe)
        assert status == 200 and b"The Northgate Globe" in body
        assert sum(1 for line in lines if "http://127.0.0.1:" in line) == 9  # 8 outlets + search feed
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_cli_prints_the_story_for_the_default_ports():
    out = subprocess.run([sys.executable, "-m", "demoweb", "--story"], capture_output=True, text=True,
                         check=True).stdout
    assert 'slug = "demo-dock-strike"' in out and "http://127.0.0.1:8401/" in out
