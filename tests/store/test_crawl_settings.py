"""A crawl's settings reach every object it writes, and the crawl writes where --store says.

Real servers: moto's S3 server process and the demo news web; each crawl is a
`storyarchive` subprocess, as a user runs it.
"""

from __future__ import annotations

from pathlib import Path

from demoweb import DemoWeb
from tests.fixtures.s3server import MotoServer, s3_client, subprocess_env
from tests.store.conftest import run_cli


def article_urls(web: DemoWeb, n: int = 2) -> list[str]:
    return sorted(web.expected_canonical_urls(include_generated=False))[:n]


def test_s3_options_given_with_set_reach_warc_cdxj_and_json_objects(
    demo_web: DemoWeb, s3_server: MotoServer, s3_bucket: str, tmp_path: Path
):
    env = subprocess_env(s3_server.endpoint, STORYARCHIVE_PROGRESS="off",
                         STORYARCHIVE_SPOOL_DIR=str(tmp_path / "spool"),
                         STORYARCHIVE_STATE_DIR=str(tmp_path / "state"))
    result = run_cli(["capture", *article_urls(demo_web), "--story", "captures",
                      "--store", f"s3://{s3_bucket}/archive",
                      "--set", "STORYARCHIVE_S3_STORAGE_CLASS=STANDARD_IA",
                      "--set", "STORYARCHIVE_S3_SSE=AES256",
                      "--set", "AUTOTHROTTLE_ENABLED=False"], env, tmp_path)
    assert result.code == 0, result.err[-3000:]
    client = s3_client(s3_server.endpoint)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    kinds = {"warc": ".warc.gz", "cdxj": ".cdxj", "document": "/articles/", "manifest": "/crawls/"}
    for kind, part in kinds.items():
        assert any(part in k for k in keys), f"no {kind} object in {keys}"
    for key in keys:
        head = client.head_object(Bucket=s3_bucket, Key=key)
        assert head.get("StorageClass") == "STANDARD_IA", key
        assert head.get("ServerSideEncryption") == "AES256", key


def test_store_option_beats_the_environment_for_every_file_the_crawl_writes(
    demo_web: DemoWeb, tmp_path: Path
):
    chosen, from_env = tmp_path / "chosen", tmp_path / "from-env"
    env = {**subprocess_env("http://127.0.0.1:9"), "STORYARCHIVE_PROGRESS": "off",
           "STORYARCHIVE_STORE": str(from_env)}
    result = run_cli(["capture", *article_urls(demo_web), "--story", "captures",
                      "--store", str(chosen), "--set", "AUTOTHROTTLE_ENABLED=False"], env, tmp_path)
    assert result.code == 0, result.err[-3000:]
    assert str(chosen) in result.out  # the summary names the store written to
    written = {p.relative_to(chosen).as_posix() for p in chosen.rglob("*") if p.is_file()}
    story = "stories/captures/"
    for part in (".warc.gz", ".cdxj", "/articles/", "/crawls/", ".state/"):
        assert any(part in f for f in written), f"no {part} under {chosen}: {sorted(written)}"
    assert any(f.startswith(story + "warc/") for f in written)
    assert not from_env.exists(), sorted(p.as_posix() for p in from_env.rglob("*"))
    assert not (tmp_path / "archive").exists()  # nor the default ./archive


def test_the_environment_store_is_used_without_store_option_or_settings_value(
    demo_web: DemoWeb, tmp_path: Path
):
    from_env = tmp_path / "from-env"
    env = {**subprocess_env("http://127.0.0.1:9"), "STORYARCHIVE_PROGRESS": "off",
           "STORYARCHIVE_STORE": str(from_env)}
    result = run_cli(["capture", *article_urls(demo_web, 1), "--story", "captures",
                      "--set", "AUTOTHROTTLE_ENABLED=False"], env, tmp_path)
    assert result.code == 0, result.err[-3000:]
    assert list((from_env / "stories" / "captures" / "warc").glob("*.warc.gz"))
    assert list((from_env / "stories" / "captures" / "crawls").glob("*.json"))
    assert not (tmp_path / "archive").exists()
