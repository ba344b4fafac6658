"""Revisits never point outside the store: the embedded digest index of an S3 store lives
on this machine, keyed by the store's identity (an id the store holds), not by its URI.
A bucket emptied and made again under the same name is a new store: captures into it
store full responses. `warc verify` resolves every revisit's original within the store
and fails for one whose original is elsewhere."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from storyarchive.store import open_store
from tests.fixtures.s3server import MotoServer, s3_client, store_options, subprocess_env
from tests.store.conftest import run_cli
from tests.warc.rawserver import RawServer, article_routes

SLUG = "scoped"


def record_types(store, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The record types of the article pages (not robots.txt) in WARC `key`."""
    return [r.rec_type for r in ArchiveIterator(io.BytesIO(store.get_bytes(key)))
            if r.rec_type in ("response", "revisit")
            and "/a/" in (r.rec_headers.get_header("WARC-Target-URI") or "")]


def test_a_bucket_emptied_and_made_again_gets_full_responses_and_verify_checks_revisits(
    s3_server: MotoServer, s3_bucket: str, tmp_path: Path
):
    uri = f"s3://{s3_bucket}/arch"
    env = subprocess_env(s3_server.endpoint)  # the default spool and state places
    store = open_store(uri, **store_options(s3_server.endpoint))
    client = s3_client(s3_server.endpoint)

    def warc_keys() -> list[str]:
        return sorted(k for k in store.list_keys(f"stories/{SLUG}/warc/"))

    with RawServer(routes=article_routes(2, size=30_000)) as site:
        urls = [site.url("/a/1"), site.url("/a/2")]

        def capture() -> None:
            done = run_cli(["capture", *urls, "--story", SLUG, "--store", uri, "--set", "RETRY_TIMES=0"],
                           env, tmp_path)
            assert done.code == 0, done.err[-3000:]

        capture()
        capture()  # the same payloads again: revisits of the first capture's records
        first, second = warc_keys()
        assert record_types(store, first) == ["response", "response"]
        assert record_types(store, second) == ["revisit", "revisit"]
        kept = {key: store.get_bytes(key) for key in (second, second.replace("/warc/", "/indexes/")
                                                      .replace(".warc.gz", ".cdxj"))}

        # the bucket emptied and created again under the same name
        for obj in client.list_objects_v2(Bucket=s3_bucket).get("Contents", []):
            client.delete_object(Bucket=s3_bucket, Key=obj["Key"])
        client.delete_bucket(Bucket=s3_bucket)
        client.create_bucket(Bucket=s3_bucket)

        capture()
    [third] = warc_keys()
    assert record_types(store, third) == ["response", "response"], "revisits of records not in the store"
    verified = run_cli(["warc", "verify", "--story", SLUG, "--store", uri], env, tmp_path)
    assert verified.code == 0, verified.err

    # a WARC whose revisits point into the bucket that was emptied
    for key, data in kept.items():
        store.put_bytes(key, data)
    verified = run_cli(["warc", "verify", "--story", SLUG, "--store", uri], env, tmp_path)
    assert verified.code == 1
    for url in urls:
        assert f"revisit of {url} at " in verified.err
    assert verified.err.count("is not in this collection") == 2
    assert f"FAIL {second}" in verified.out and f"ok   {third}" in verified.out
