"""A whole demo crawl against a real S3 server process (moto's standalone server).

Two crawls cannot be equal byte for byte: WARC-Date, WARC-Record-ID, crawl ids and fetch
times differ from run to run. So the crawl to S3 is compared with the crawl to the local
store on everything a crawl decides: the same documents with the same content, the same
WARC records with the same payloads, the same kinds of objects under the same key shapes.
Each object's own integrity is checked byte for byte against the SHA-256 it was stored with.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from storyarchive.store import open_store
from storyarchive.store.local import LocalStore
from tests.cli import REPO, run_cli
from tests.fixtures.s3server import s3_client, store_options

SLUG = "demo-dock-strike"
# Fields that differ between two runs of the same crawl.
_RUN_FIELDS = ("crawl_id", "fetched_at", "warc", "replay_url")
_KEY_SHAPES = [
    (re.compile(r"/warc/[^/]+\.warc\.gz$"), "/warc/*.warc.gz"),
    (re.compile(r"/indexes/[^/]+\.cdxj$"), "/indexes/*.cdxj"),
    (re.compile(r"/articles/([0-9a-f]{20})/[^/]+\.json$"), r"/articles/\1/*.json"),
    (re.compile(r"/crawls/[^/]+\.json$"), "/crawls/*.json"),
]


def archive_view(store: Any) -> dict[str, Any]:
    """What a crawl decided, without what differs between runs."""
    shapes, docs, records = set(), {}, []
    for key in store.list_keys("stories/"):
        shape = key
        for pattern, repl in _KEY_SHAPES:
            shape = pattern.sub(repl, shape)
        shapes.add(shape)
        if "/articles/" in key:
            doc = json.loads(store.get_bytes(key))
            for name in _RUN_FIELDS:
                doc.pop(name)
            docs[doc["doc_id"]] = doc
        elif key.endswith(".warc.gz"):
            for rec in ArchiveIterator(io.BytesIO(store.get_bytes(key))):
                if rec.rec_type in ("request", "response", "revisit"):
                    # Of two URLs serving the same payload, which one is stored in full and
                    # which becomes a revisit depends on arrival order: both are captures.
                    kind = "request" if rec.rec_type == "request" else "capture"
                    records.append(
                        (
                            kind,
                            rec.rec_headers.get_header("WARC-Target-URI"),
                            rec.rec_headers.get_header("WARC-Payload-Digest")
                            if rec.rec_type != "request"
                            else None,
                        )
                    )
    return {"shapes": sorted(shapes), "documents": docs, "records": sorted(records, key=str)}


def crawl_args(story: Path, store: str, *extra: str) -> list[str]:
    return ["crawl", str(story), "--store", store, "--set", "AUTOTHROTTLE_ENABLED=False", *extra]


@pytest.fixture(scope="module")
def local_view(demo_web, tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("local")
    story = tmp / "demo.toml"
    story.write_text(demo_web.story_toml(), encoding="utf-8")
    run_cli(*crawl_args(story, str(tmp / "archive")))
    return archive_view(LocalStore(tmp / "archive"))


def test_demo_crawl_to_s3_holds_what_the_local_crawl_holds(
    demo_web, demo_story_file, s3_server, s3_bucket, s3_env, local_view
):
    run_cli(*crawl_args(demo_story_file, f"s3://{s3_bucket}/archive"), env=s3_env)
    s3 = open_store(f"s3://{s3_bucket}/archive", **store_options(s3_server.endpoint))
    view = archive_view(s3)
    assert view["shapes"] == local_view["shapes"]
    assert view["documents"] == local_view["documents"]
    assert view["records"] == local_view["records"]
    assert len(view["documents"]) == len(demo_web.expected_canonical_urls(include_generated=False))


def test_every_s3_object_matches_the_checksum_it_was_stored_with(
    demo_story_file, s3_server, s3_bucket, s3_env
):
    run_cli(*crawl_args(demo_story_file, f"s3://{s3_bucket}/a"), env=s3_env)
    client = s3_client(s3_server.endpoint)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert any(k.endswith(".warc.gz") for k in keys) and any(k.endswith(".cdxj") for k in keys)
    for key in keys:
        body = client.get_object(Bucket=s3_bucket, Key=key)["Body"].read()
        head = client.head_object(Bucket=s3_bucket, Key=key)
        assert head["Metadata"]["sha256"] == hashlib.sha256(body).hexdigest(), key


def test_s3_outage_mid_crawl_loses_nothing_and_sync_completes_the_archive(
    demo_web, demo_story_file, s3_server, s3_bucket, s3_proxy, tmp_path, local_view
):
    from tests.fixtures.s3server import subprocess_env

    env = subprocess_env(
        s3_proxy.endpoint,
        STORYARCHIVE_SPOOL_DIR=str(tmp_path / "spool"),
        STORYARCHIVE_STATE_DIR=str(tmp_path / "state"),
        STORYARCHIVE_PROGRESS="off",
    )
    uri = f"s3://{s3_bucket}/outage"
    # Small WARC files so some are delivered while the crawl runs; a delay so it runs a while.
    args = crawl_args(
        demo_story_file,
        uri,
        "--set",
        "STORYARCHIVE_WARC_MAX_BYTES=40000",
        "--set",
        "DOWNLOAD_DELAY=0.25",
        "--set",
        "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        "--set",
        "STORYARCHIVE_S3_MAX_ATTEMPTS=2",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyarchive", *args],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    client = s3_client(s3_server.endpoint)  # straight to the server, not through the proxy
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        listing = client.list_objects_v2(Bucket=s3_bucket, Prefix="outage/")
        if any(o["Key"].endswith(".warc.gz") for o in listing.get("Contents", [])):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the crawl ended before any WARC file was delivered"
    s3_proxy.stop()  # the store goes away mid-crawl
    out, err = proc.communicate(timeout=300)
    # nothing is lost, but nothing undelivered is silent either: exit 1 and what to run
    assert proc.returncode == 1, err[-3000:]
    assert "wait in the local spool" in err and "run `storyarchive store sync`" in err
    spooled = [p for p in (tmp_path / "spool").rglob("*") if p.is_file()]
    assert any(p.name.endswith(".warc.gz") for p in spooled), "nothing waited in the spool"
    assert any("/articles/" in p.as_posix() for p in spooled)

    s3_proxy.start()  # the store is back
    sync = run_cli("store", "sync", "--store", uri, env=env)
    assert "uploaded" in sync.stdout or "delivered" in sync.stdout
    assert not [p for p in (tmp_path / "spool").rglob("*") if p.is_file() and not p.name.startswith(".")]
    view = archive_view(open_store(uri, **store_options(s3_server.endpoint)))
    assert view["documents"] == local_view["documents"]
    assert view["records"] == local_view["records"]
    assert view["shapes"] == local_view["shapes"]
