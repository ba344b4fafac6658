"""Extraction processes end with the crawl that started them, even one killed with kill -9.

Without this, a crawl killed by SIGKILL (or the out-of-memory killer) leaves its fork
server and idle workers running for ever, each holding a copy of the extractor (and any
pipe its parent's caller was reading: `communicate()` never returns). Linux's
PR_SET_PDEATHSIG asks the kernel to send SIGKILL to a process when its parent dies; it is
not inherited across fork, so the fork server sets it on itself (`forkserver_child`, a
module it preloads) and each worker on itself (`die_with_parent`, the pool's initializer).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent exits (Linux; elsewhere a
    no-op). Exits at once if the parent is already gone."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not fatal: the process just outlives a killed crawl, as before
    if os.getppid() != parent or parent == 1:  # died before the prctl took effect
        os._exit(0)
