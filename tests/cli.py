"""Run the storyarchive command line in a subprocess, as a user would. Crawls run in their
own process because Twisted's reactor cannot be restarted inside one test process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300, check: bool = True
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "STORYARCHIVE_PROGRESS": "off", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "storyarchive", *args],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"storyarchive {' '.join(args)} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"
        )
    return proc


def manifests(store: Path, slug: str) -> list[dict[str, Any]]:
    crawls = sorted((store / "stories" / slug / "crawls").glob("*.json"))
    return [json.loads(p.read_text()) for p in crawls]


def latest_documents(store: Path, slug: str) -> dict[str, dict[str, Any]]:
    """canonical_url -> latest version of each stored document."""
    docs = {}
    for doc_dir in sorted((store / "stories" / slug / "articles").glob("*")):
        latest = max(doc_dir.glob("*.json"))
        doc = json.loads(latest.read_text())
        docs[doc["canonical_url"]] = doc
    return docs
