"""Fixtures of the WARC tests: the raw test server and a helper running a real crawl."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from demoweb import free_port
from tests.warc.rawserver import RawServer

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
REPLAY_BIN = ROOT / ".venv-replay" / "bin"


@dataclass
class CrawlResult:
    store: Path
    slug: str
    refs: dict[str, dict]  # url -> {status, flags, truncated, warc}

    def warcs(self) -> list[Path]:
        return sorted((self.store / "stories" / self.slug / "warc").glob("*.warc.gz"))

    def cdxjs(self) -> list[Path]:
        return sorted((self.store / "stories" / self.slug / "indexes").glob("*.cdxj"))


def run_crawl(store: Path, slug: str, urls: list[str], *settings: str, timeout: float = 120) -> CrawlResult:
    """Crawl `urls` with the recorder on, in a subprocess (a fresh reactor per crawl)."""
    work = store.parent
    url_file = work / f"urls-{slug}-{len(list(work.iterdir()))}.txt"
    url_file.write_text("\n".join(urls))
    out = url_file.with_suffix(".jsonl")
    cmd = [
        sys.executable,
        str(ROOT / "tests/warc/crawl_urls.py"),
        "--store",
        str(store),
        "--slug",
        slug,
        "--urls",
        str(url_file),
        "--out",
        str(out),
    ]
    for s in settings:
        cmd += ["--set", s]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    refs = {}
    if out.exists():
        for line in out.read_text().splitlines():
            row = json.loads(line)
            refs[row["url"]] = row
    return CrawlResult(store, slug, refs)


@pytest.fixture(scope="module")
def raw_server() -> Iterator[RawServer]:
    with RawServer() as server:
        yield server


@contextlib.contextmanager
def wayback(root: Path) -> Iterator[str]:
    """Run pywb's `wayback` (its own virtual environment) over the collections in `root`;
    yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [str(REPLAY_BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "wayback did not start: " + proc.stderr.read().decode()[-2000:]
                    ) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def pywb_collection(root: Path, name: str, warcs: list[Path], cdxjs: list[Path]) -> None:
    """A pywb collection that uses OUR files: WARCs in archive/, our CDXJ merged in indexes/."""
    coll = root / "collections" / name
    (coll / "archive").mkdir(parents=True)
    (coll / "indexes").mkdir()
    for w in warcs:
        shutil.copy(w, coll / "archive" / w.name)
    lines = sorted(line for c in cdxjs for line in c.read_text().splitlines())
    (coll / "indexes" / "index.cdxj").write_text("\n".join(lines) + "\n")


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
