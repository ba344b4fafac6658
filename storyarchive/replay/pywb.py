"""pywb over the archive: one collection per story, and the `wayback` process.

    work_dir/config.yaml            pywb's configuration (written by write_config)
    work_dir/<slug>/index.cdxj      the story's merged index (storyarchive.replay.indexes)

The work directory is rebuildable state (`<state dir>/replay` of the store). WARCs are not
copied: a local store's stories/<slug>/warc/ directory is the archive path; for an S3 store
it is s3://bucket/prefix/stories/<slug>/warc/, which pywb's own S3 loader reads with one
ranged GetObject per record through boto3 (in the replay environment), reaching the store
through the AWS environment `pywb_environment` gives the `wayback` process.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from storyarchive import layout
from storyarchive.procs import stop_process
from storyarchive.replay import environment
from storyarchive.replay.indexes import build_story_index
from storyarchive.store.base import ArchiveStore

logger = logging.getLogger(__name__)


class ReplayServerError(Exception):
    """pywb did not start or stopped answering; the message includes its last output."""


class PortInUseError(ReplayServerError):
    """The replay port is taken by another process."""

    def __init__(self, port: int) -> None:
        super().__init__(f"port {port} on 127.0.0.1 is already in use (another `storyarchive "
                         f"replay`, or another server): stop it, or choose a free port with --port")
        self.port = port


def check_port_free(port: int) -> None:
    """PortInUseError if nothing can listen on 127.0.0.1:`port` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as pywb's server does: a port whose last connections linger in TIME_WAIT is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUseError(port) from None
            raise ReplayServerError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None


@dataclass
class Collection:
    slug: str
    index_path: Path
    archive_path: str  # a directory or an s3:// prefix, ending in '/'
    captures: int


def archive_path_for(store: ArchiveStore, slug: str) -> str:
    """Where pywb finds the story's WARCs: the local store's directory, or the s3:// URI of
    an S3 store's (pywb reads s3:// itself). ValueError for any other store."""
    warc_dir = f"{layout.story_prefix(slug)}warc"
    root = getattr(store, "root", None)
    if root is not None:
        return f"{Path(root)}/{warc_dir}/"
    object_uri = getattr(store, "object_uri", None)
    if object_uri is None:
        raise ValueError(f"{store.uri}: pywb can replay a local directory or an S3 store only")
    return f"{object_uri(warc_dir)}/"


def pywb_environment(store: ArchiveStore) -> dict[str, str]:
    """What the `wayback` process adds to its environment to read `store`: the S3 endpoint,
    region and credentials of an S3 store (S3Store.client_environment), nothing for a local
    one."""
    client_environment = getattr(store, "client_environment", None)
    return dict(client_environment()) if client_environment is not None else {}


def build_collections(store: ArchiveStore, slugs: list[str], work_dir: Path) -> list[Collection]:
    """Merge each story's indexes into work_dir and describe its collection. NoCapturesError
    if a story has no index."""
    out = []
    for slug in slugs:
        path, n = build_story_index(store, slug, work_dir)
        out.append(Collection(slug, path, archive_path_for(store, slug), n))
    return out


def write_config(work_dir: Path, collections: list[Collection], framed: bool = True) -> Path:
    """Write work_dir/config.yaml for `collections`. JSON is valid YAML, so the file is
    written with json (no YAML library in the crawler's environment)."""
    config = {
        "debug": False,
        "framed_replay": framed,
        "enable_memento": True,
        # pywb auto-discovers collections under ./collections: point it at an empty place
        "collections_root": str(work_dir / "no-auto-collections"),
        "collections": {
            c.slug: {"index_paths": str(c.index_path), "archive_paths": c.archive_path}
            for c in collections
        },
    }
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / "config.yaml"
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


@dataclass
class PywbProcess:
    """pywb's `wayback` from the replay environment, serving `work_dir/config.yaml` on
    127.0.0.1:`port`, with `env` added to its environment (pywb_environment). `start()`
    returns once it answers; `stop()` ends it."""

    work_dir: Path
    port: int
    venv: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    threads: int = 8
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.work_dir / "wayback.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> PywbProcess:
        if self.process is not None and self.process.poll() is None:
            return self  # already running
        venv = environment.ensure_environment(self.venv)
        cmd = [str(environment.wayback_path(venv)), "-b", "127.0.0.1", "-p", str(self.port),
               "-t", str(self.threads)]
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(cmd, cwd=self.work_dir, stdout=log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **self.env})
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if "Address already in use" in self.last_output():
                    raise PortInUseError(self.port)  # taken between our check and pywb's bind
                raise ReplayServerError(f"pywb exited with status {self.process.returncode}: "
                                        f"{self.last_output()}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        self.stop()
        raise ReplayServerError(f"pywb did not answer on {self.base_url} within {timeout:.0f}s: "
                                f"{self.last_output()}")

    def last_output(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        self.process = None

    def __enter__(self) -> PywbProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
