"""Upload throughput of closed WARC-sized files to a local S3 server (moto, standalone):
our S3Store.put_file (create-only, SHA-256 per object/part, head_object verification)
against boto3's `upload_file` with its defaults, which is what `aws s3 cp` does.

Same files (random, incompressible), same server, same run; the ratio is what to read.
Full: 8 files x 64 MiB; --quick: 4 x 16 MiB.

Before that, a story crawl into the local store and into S3 (`_crawl_rows`): pages/s of
each, and where the difference goes, on the same cores: the crawl process's CPU seconds in
each mode (getrusage of this process's children) and the moto server's CPU seconds during
the S3 crawl (from /proc), per document the crawl stored.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from demoweb import free_port
from storyarchive.procs import stop_process

MiB = 1024 * 1024
_CREDS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}


def run(args: Any) -> list[dict[str, Any]]:
    count, size = (4, 16 * MiB) if getattr(args, "quick", False) else (8, 64 * MiB)
    with tempfile.TemporaryDirectory(prefix="bench-s3-") as tmp, _moto() as endpoint:
        files = _make_files(Path(tmp), count, size)
        # Two rounds in alternating order, best of each: the machine is shared and the
        # first pass after start-up pays for warming the server and the page cache.
        ours = _time_ours(endpoint, files, "ours-1")
        peer = _time_boto3(endpoint, files, "peer-1")
        peer = min(peer, _time_boto3(endpoint, files, "peer-2"))
        ours = min(ours, _time_ours(endpoint, files, "ours-2"))
    total = count * size / 1e6
    label = f"{count} x {size // MiB} MiB"
    return _crawl_rows(args) + [
        {
            "bench": "s3",
            "metric": f"upload throughput ({label})",
            "ours": total / ours,
            "peer_name": "boto3 upload_file (aws s3 cp)",
            "peer": total / peer,
            "unit": "MB/s",
            "ratio": peer / ours,
            "note": "ours: create-only + SHA-256 + verify; best of 2; local moto",
        }
    ]


def _make_files(root: Path, count: int, size: int) -> list[Path]:
    files = []
    for i in range(count):
        path = root / f"SA-20260101000000-{i:05d}-bench.warc.gz"
        with open(path, "wb") as f:
            for _ in range(size // MiB):
                f.write(os.urandom(MiB))
        files.append(path)
    return files


def _time_ours(endpoint: str, files: list[Path], bucket: str) -> float:
    from storyarchive.store.s3 import S3Store

    _client(endpoint).create_bucket(Bucket=bucket)
    store = S3Store.from_uri(f"s3://{bucket}/a", endpoint_url=endpoint, **_CREDS)
    start = time.perf_counter()
    for path in files:
        result = store.put_file(f"stories/bench/warc/{path.name}", path)
        assert result.created
    elapsed = time.perf_counter() - start
    _empty(endpoint, bucket)
    store.close()
    return elapsed


def _time_boto3(endpoint: str, files: list[Path], bucket: str) -> float:
    client = _client(endpoint)
    client.create_bucket(Bucket=bucket)
    start = time.perf_counter()
    for path in files:
        client.upload_file(str(path), bucket, f"a/stories/bench/warc/{path.name}")
    elapsed = time.perf_counter() - start
    _empty(endpoint, bucket)
    return elapsed


def _client(endpoint: str) -> Any:
    import boto3

    return boto3.session.Session().client("s3", endpoint_url=endpoint, **_CREDS)


def _empty(endpoint: str, bucket: str) -> None:
    """Delete what a pass uploaded so the in-memory server does not hold it all."""
    client = _client(endpoint)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", ()):
            client.delete_object(Bucket=bucket, Key=obj["Key"])


class _moto:
    """A moto standalone server on a free loopback port, for the duration of a with block."""

    def __enter__(self) -> str:
        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                    return endpoint
            except OSError:
                time.sleep(0.1)
        self.proc.kill()
        raise RuntimeError("moto server did not start")

    def __exit__(self, *exc: object) -> None:
        stop_process(self.proc)

    def cpu_seconds(self) -> float:
        """CPU seconds (user + system) the running server process has used so far (Linux
        /proc; the server is one process, its requests are threads)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()  # the name in (...) may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class _CrawlRound:
    """One story crawl of `_crawl_rows`: what it stored, how fast, at what CPU cost."""

    documents: int
    rate: float  # documents / the crawl's own elapsed seconds
    crawl_cpu: float  # CPU seconds of the crawl process (not its fork server's workers)
    server_cpu: float  # CPU seconds of the moto server while the crawl ran


def _crawl_rows(args: Any) -> list[dict[str, Any]]:
    """The same story crawl of a generated demo site into the local store and into S3
    (moto): pages/s of each, from the crawl's own elapsed time, and CPU seconds of the crawl
    process and of the moto server. WARC files rotate at 8 MB so uploads happen while the
    crawl runs, as they would in a long crawl."""
    import json
    import os
    import subprocess

    from bench.pipeline import crawl_command, story_for
    from demoweb.server import DemoWeb

    n = 300 if getattr(args, "quick", False) else 1000
    repo = Path(__file__).resolve().parent.parent
    rounds: dict[str, list[_CrawlRound]] = {"local": [], "s3": []}
    server = _moto()
    with (
        DemoWeb(base_port=0, generated_articles=n) as web,
        tempfile.TemporaryDirectory(prefix="bench-s3-crawl-") as tmp,
        server as endpoint,
    ):
        story = Path(tmp) / "bench.toml"
        story.write_text(story_for(web.url("tidewater", "/sitemap_index.xml")), encoding="utf-8")
        _client(endpoint).create_bucket(Bucket="crawl")
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL_S3": endpoint,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "STORYARCHIVE_PROGRESS": "off",
        }
        for round_ in range(2):  # alternate, best of two: the machine is shared
            for kind in ("local", "s3"):
                uri = f"{tmp}/local-{round_}" if kind == "local" else f"s3://crawl/run-{round_}"
                run_env = {
                    **env,
                    "STORYARCHIVE_SPOOL_DIR": f"{tmp}/spool-{round_}",
                    "STORYARCHIVE_STATE_DIR": f"{tmp}/state-{round_}",
                }
                cmd = crawl_command(story, uri, "STORYARCHIVE_WARC_MAX_BYTES=8000000")
                server_before = server.cpu_seconds()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                subprocess.run(cmd, cwd=repo, env=run_env, check=True, capture_output=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                server_cpu = server.cpu_seconds() - server_before
                if kind == "local":
                    (mf,) = Path(uri, "stories", "bench-generated", "crawls").glob("*.json")
                    manifest = json.loads(mf.read_text())
                else:
                    client = _client(endpoint)
                    (obj,) = client.list_objects_v2(
                        Bucket="crawl", Prefix=f"run-{round_}/stories/bench-generated/crawls/"
                    )["Contents"]
                    manifest = json.loads(client.get_object(Bucket="crawl", Key=obj["Key"])["Body"].read())
                documents = len(manifest["documents"])
                rounds[kind].append(
                    _CrawlRound(
                        documents=documents,
                        rate=documents / manifest["elapsed_seconds"],
                        crawl_cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                        server_cpu=server_cpu,
                    )
                )
    # Each mode's figures all come from its faster round.
    local = max(rounds["local"], key=lambda r: r.rate)
    s3 = max(rounds["s3"], key=lambda r: r.rate)
    extra_ms = (s3.crawl_cpu - local.crawl_cpu) / s3.documents * 1000
    return [
        {
            "bench": "s3",
            "metric": f"story crawl of {n} pages, store in S3",
            "ours": s3.rate,
            "peer_name": "the same crawl, local store",
            "peer": local.rate,
            "unit": "pages/s",
            "ratio": s3.rate / local.rate,
            "note": "goal: S3 costs < 10% (ratio >= 0.9); best of 2; local moto",
        },
        {
            "bench": "s3",
            "metric": "story crawl CPU, store in S3",
            "ours": s3.crawl_cpu,
            "peer_name": "the same crawl, local store",
            "peer": local.crawl_cpu,
            "unit": "s",
            "ratio": s3.crawl_cpu / local.crawl_cpu,
            "note": f"crawl process only (getrusage), not its extraction workers; S3 adds "
                    f"{extra_ms:.1f} ms per document stored ({s3.documents}); rounds of the rates above",
        },
        {
            "bench": "s3",
            "metric": "moto server CPU per document, S3 crawl",
            "ours": s3.server_cpu / s3.documents * 1000,
            "peer_name": "",
            "peer": None,
            "unit": "ms",
            "ratio": None,
            "note": f"{s3.server_cpu:.1f} CPU s of the S3 server (/proc) while the crawl ran, all its "
                    f"requests, / {s3.documents} documents; same cores as the crawl",
        },
    ]
