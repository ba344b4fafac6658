"""Stopping a child process: the one shutdown every server the project starts needs."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0,
                 sig: int = signal.SIGTERM) -> None:
    """Ask `process` to stop with `sig`, wait up to `timeout` seconds, then kill it. A
    process that has already exited is only reaped."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()
