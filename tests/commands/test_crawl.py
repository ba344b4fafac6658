"""`storyarchive crawl` / `capture` check every server they depend on before the first
fetch: the store (tests/store/test_store_check.py) and each configured Redis server."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from demoweb import DemoWeb, free_port
from storyarchive.store.identity import store_id
from storyarchive.store.local import LocalStore
from tests.fixtures.s3server import subprocess_env
from tests.store.conftest import run_cli

REDIS_SETTINGS = ["STORYARCHIVE_DEDUP_REDIS_URL", "STORYARCHIVE_WARC_DIGEST_INDEX"]


def responses_sent(web: DemoWeb) -> int:
    """Responses every outlet of the demo web has sent since it started."""
    return sum(web.served(slug).responses for slug in web.outlets)


def cli_env() -> dict[str, str]:
    return {**subprocess_env("http://127.0.0.1:9"), "STORYARCHIVE_PROGRESS": "off"}


@pytest.mark.parametrize("setting", REDIS_SETTINGS)
def test_a_crawl_with_an_unreachable_redis_exits_2_before_fetching_anything(
    fresh_demo_web: DemoWeb, tmp_path: Path, setting: str
):
    story = tmp_path / "demo.toml"
    story.write_text(fresh_demo_web.story_toml(), encoding="utf-8")
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = run_cli(["crawl", str(story), "--store", str(tmp_path / "archive"),
                      "--set", f"{setting}={url}"], cli_env(), tmp_path)
    assert result.code == 2, result.err[-3000:]
    assert (f"storyarchive: error: redis {url} ({setting}): connection refused; "
            "start Redis or unset the setting") in result.err
    assert "Traceback" not in result.err
    assert responses_sent(fresh_demo_web) == 0
    assert not list(tmp_path.rglob("*.warc.gz"))


def test_a_capture_with_redis_up_passes_the_check_and_uses_it(
    fresh_demo_web: DemoWeb, tmp_path: Path, redis_url: str
):
    article = sorted(fresh_demo_web.expected_canonical_urls(include_generated=False))[0]
    result = run_cli(["capture", article, "--story", "captures", "--store", str(tmp_path / "archive"),
                      *(arg for s in REDIS_SETTINGS for arg in ("--set", f"{s}={redis_url}"))],
                     cli_env(), tmp_path)
    assert result.code == 0, result.err[-3000:]
    assert responses_sent(fresh_demo_web) > 0  # the count does show fetches when there are some
    scope = f"storyarchive:{store_id(LocalStore(tmp_path / 'archive'))}"  # the store's own id
    assert redis.Redis.from_url(redis_url).exists(f"{scope}:warc-digests:captures")
