"""Worker functions that fail on purpose, importable by the pool's worker processes."""

from __future__ import annotations

import os
import time

from storyarchive.extract import extract_body

CRASH_MARKER = b"<!-- crash-the-worker -->"
RAISE_MARKER = b"<!-- raise-in-the-worker -->"
HANG_MARKER = b"<!-- hang-the-worker -->"


def faulty_extract_body(body: bytes, *args):
    """extract_body, except that marked bodies kill, hang or raise in the worker."""
    if CRASH_MARKER in body:
        os._exit(3)  # what a segfault in a C parser looks like from the parent
    if HANG_MARKER in body:
        time.sleep(60)
    if RAISE_MARKER in body:
        raise ValueError("parser exploded on purpose")
    return extract_body(body, *args)
