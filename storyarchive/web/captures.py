"""On-demand captures queued from the web view, run one at a time in the background by the
same code as `storyarchive capture`: a subprocess of the CLI (Scrapy's Twisted reactor
cannot be started twice in one process, and a crawl's memory and signals stay its own)."""

from __future__ import annotations

import collections
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storyarchive import layout
from storyarchive.store.base import ArchiveStore

MAX_URLS = 100  # per capture request
KEEP_JOBS = 200  # finished captures remembered for GET /api/captures/<id>
OUTPUT_TAIL = 4000  # characters of the command's output kept with a job
TIMEOUT = 3600.0  # seconds one capture may run before it is stopped


class CaptureRequestError(ValueError):
    """A capture request that cannot be queued; the message says what is wrong."""


@dataclass
class CaptureJob:
    id: str
    story: str
    urls: list[str]
    status: str = "queued"  # queued | running | finished | failed
    queued_at: float = field(default_factory=time.time)
    started_at: float | None = None
    ended_at: float | None = None
    exit_code: int | None = None
    crawl_id: str | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)
    not_captured: list[str] = field(default_factory=list)
    output: str = ""

    def to_dict(self) -> dict[str, Any]:
        def iso(t: float | None) -> str | None:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) if t else None

        return {"id": self.id, "story": self.story, "urls": self.urls, "status": self.status,
                "queued_at": iso(self.queued_at), "started_at": iso(self.started_at),
                "ended_at": iso(self.ended_at), "exit_code": self.exit_code, "crawl_id": self.crawl_id,
                "documents": self.documents, "not_captured": self.not_captured, "output": self.output}


def check_request(urls: Any, story: Any) -> tuple[list[str], str]:
    """The URLs and slug of a capture request, checked as `storyarchive capture` checks
    them. CaptureRequestError naming every problem."""
    from spiders.capture import url_problem

    if not isinstance(story, str):
        raise CaptureRequestError("'story' must be a story slug")
    try:
        layout.check_slug(story)
    except ValueError as exc:
        raise CaptureRequestError(str(exc)) from None
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise CaptureRequestError("'urls' must be a non-empty list of URLs")
    if len(urls) > MAX_URLS:
        raise CaptureRequestError(f"at most {MAX_URLS} URLs per capture, got {len(urls)}")
    urls = [u.strip() for u in urls]
    problems = [f"URL {i}: {p}" for i, p in enumerate(map(url_problem, urls), 1) if p]
    if problems:
        raise CaptureRequestError("; ".join(problems))
    return urls, story


class CaptureQueue:
    """Captures run in order by one background thread. `on_done(slug)` is called after
    each one (the web view forgets its cached summary of the story)."""

    def __init__(self, store_uri: str, store: ArchiveStore, set_values: list[str],
                 on_done: Callable[[str], None] | None = None, timeout: float = TIMEOUT) -> None:
        self.store_uri = store_uri
        self.store = store
        self.set_values = list(set_values)
        self.on_done = on_done
        self.timeout = timeout
        self.jobs: collections.OrderedDict[str, CaptureJob] = collections.OrderedDict()
        self._pending: collections.deque[CaptureJob] = collections.deque()
        self._cond = threading.Condition()
        self._process: subprocess.Popen[str] | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="captures", daemon=True)
        self._thread.start()

    def submit(self, urls: list[str], story: str) -> CaptureJob:
        """Queue a capture of `urls` (already checked) into story `story`."""
        job = CaptureJob(uuid.uuid4().hex, story, urls)
        with self._cond:
            self.jobs[job.id] = job
            while len(self.jobs) > KEEP_JOBS:
                oldest = next(iter(self.jobs.values()))
                if oldest.status in ("queued", "running"):
                    break
                self.jobs.popitem(last=False)
            self._pending.append(job)
            self._cond.notify()
        return job

    def get(self, job_id: str) -> CaptureJob | None:
        return self.jobs.get(job_id)

    def stop(self) -> None:
        """Stop the thread; a running capture is interrupted (SIGTERM: it can be resumed
        with `storyarchive resume <slug>`)."""
        from storyarchive.procs import stop_process

        with self._cond:
            self._stopping = True
            self._cond.notify()
        process = self._process
        if process is not None:
            stop_process(process, timeout=20)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                job = self._pending.popleft()
            self._capture(job)
            if self.on_done:
                self.on_done(job.story)

    def command(self, job: CaptureJob) -> list[str]:
        # URLs from the web are checked like discovered ones (no loopback, private network or
        # metadata address unless STORYARCHIVE_ALLOW_NETWORKS allows it); the web command's
        # own --set values come after, so an operator can say otherwise
        args = [sys.executable, "-m", "storyarchive", "capture", *job.urls, "--story", job.story,
                "--store", self.store_uri, "--fresh", "--set", "STORYARCHIVE_TRUST_NAMED_HOSTS=false"]
        for value in self.set_values:
            args += ["--set", value]
        return args

    def _capture(self, job: CaptureJob) -> None:
        job.status, job.started_at = "running", time.time()
        # the token opens the web view, not the crawl: the capture does not see it
        env = {k: v for k, v in os.environ.items() if k != "STORYARCHIVE_WEB_TOKEN"}
        try:
            self._process = subprocess.Popen(self.command(job), stdout=subprocess.PIPE,
                                             stderr=subprocess.STDOUT, text=True, env=env)
            try:
                out, _ = self._process.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self._process.terminate()
                out, _ = self._process.communicate()
                out += f"\nstopped after {self.timeout:.0f} s"
            job.exit_code = self._process.returncode
        except OSError as exc:
            out, job.exit_code = f"cannot start the capture: {exc}", -1
        finally:
            self._process = None
        job.output = out[-OUTPUT_TAIL:]
        m = re.search(r"crawl (\d{8}T\d{6}Z-[0-9a-f]+) of", out)
        job.crawl_id = m.group(1) if m else None
        job.not_captured = [line.strip() for line in out.splitlines()
                            if line.startswith("    ") and any(u in line for u in job.urls)]
        if job.crawl_id:
            try:
                key = layout.crawl_manifest_key(job.story, job.crawl_id)
                manifest = json.loads(self.store.get_bytes(key))
                job.documents = [{"doc_id": d.get("doc_id"), "title": d.get("title"),
                                  "outlet": d.get("outlet"), "canonical_url": d.get("canonical_url")}
                                 for d in manifest.get("documents") or []]
            except (KeyError, ValueError) as exc:
                job.output += f"\n(no manifest of crawl {job.crawl_id}: {exc})"
        job.status = "finished" if job.exit_code == 0 else "failed"
        job.ended_at = time.time()
