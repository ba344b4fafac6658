"""Every Redis client is built one way from settings, and a configured Redis that does not
answer is reported by URL and setting (real redis-server, tests/fixtures/redisserver.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from demoweb import free_port
from storyarchive.dedup.story import open_backend
from storyarchive.redis_connection import (
    RedisParams,
    RedisUnavailableError,
    check_redis,
    redacted,
    redis_from_settings,
)
from storyarchive.warc.middleware import WarcRecorderMiddleware
from storyarchive.warc.revisits import open_digest_index
from tests.crawlers import get_crawler


def project_settings(**values: object) -> Settings:
    settings = Settings()
    settings.setmodule("settings", priority="project")
    settings.setdict(values, priority="cmdline")
    return settings


def connection_options(client) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    kwargs = client.connection_pool.connection_kwargs
    return kwargs["socket_timeout"], kwargs["socket_connect_timeout"], kwargs["retry"].get_retries()


def test_params_come_from_settings_py_and_the_command_line():
    assert RedisParams.from_settings(project_settings()) == RedisParams()
    params = RedisParams.from_settings(project_settings(STORYARCHIVE_REDIS_SOCKET_TIMEOUT="2.5",
                                                        STORYARCHIVE_REDIS_RETRIES="0"))
    assert (params.socket_timeout, params.retries) == (2.5, 0)


@pytest.mark.parametrize(("name", "value"), [
    ("STORYARCHIVE_REDIS_SOCKET_TIMEOUT", "soon"),
    ("STORYARCHIVE_REDIS_CONNECT_TIMEOUT", "0"),
    ("STORYARCHIVE_REDIS_RETRIES", "-1"),
])
def test_an_invalid_param_is_reported_by_its_setting(name: str, value: str):
    with pytest.raises(ValueError, match=name):
        RedisParams.from_settings(project_settings(**{name: value}))


def test_redis_from_settings_builds_the_client_with_the_settings_params(redis_url: str):
    settings = project_settings(STORYARCHIVE_DEDUP_REDIS_URL=redis_url,
                                STORYARCHIVE_REDIS_SOCKET_TIMEOUT=1.5,
                                STORYARCHIVE_REDIS_CONNECT_TIMEOUT=0.5,
                                STORYARCHIVE_REDIS_RETRIES=1)
    client = redis_from_settings(settings, "STORYARCHIVE_DEDUP_REDIS_URL")
    assert client is not None and client.ping()
    assert connection_options(client) == (1.5, 0.5, 1)
    client.close()
    assert redis_from_settings(settings, "STORYARCHIVE_WARC_DIGEST_INDEX") is None  # "" = SQLite


def test_the_dedup_index_and_the_digest_index_of_a_crawl_use_its_params(redis_url: str,
                                                                         tmp_path: Path):
    crawler = get_crawler(settings_dict={
        "STORYARCHIVE_STORE": str(tmp_path / "archive"),
        "STORYARCHIVE_DEDUP_REDIS_URL": redis_url,
        "STORYARCHIVE_WARC_DIGEST_INDEX": redis_url,
        "STORYARCHIVE_REDIS_SOCKET_TIMEOUT": 1.5,
        "STORYARCHIVE_REDIS_CONNECT_TIMEOUT": 0.5,
        "STORYARCHIVE_REDIS_RETRIES": 1,
    })
    from storyarchive.finish import options_from_settings
    from storyarchive.store import store_from_crawler

    options = options_from_settings(crawler.settings)  # what the crawl's finish stage uses
    backend = open_backend("s", store_from_crawler(crawler), options.redis_url, options.redis_params)
    recorder = WarcRecorderMiddleware.from_crawler(crawler)
    index = open_digest_index(recorder.digest_index, tmp_path, "s", recorder.redis_params)
    try:
        assert connection_options(backend._r) == (1.5, 0.5, 1)  # type: ignore[attr-defined]
        assert connection_options(index._redis) == (1.5, 0.5, 1)  # type: ignore[attr-defined]
    finally:
        backend.close()
        index.close()


def test_check_redis_passes_when_every_configured_server_answers(redis_url: str):
    check_redis(project_settings(STORYARCHIVE_DEDUP_REDIS_URL=redis_url,
                                 STORYARCHIVE_WARC_DIGEST_INDEX=redis_url))
    check_redis(project_settings())  # nothing configured: nothing to check


@pytest.mark.parametrize("setting", ["STORYARCHIVE_DEDUP_REDIS_URL", "STORYARCHIVE_WARC_DIGEST_INDEX"])
def test_check_redis_names_the_url_and_setting_that_refuse(setting: str):
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(RedisUnavailableError) as err:
        check_redis(project_settings(**{setting: url}))
    assert str(err.value) == (
        f"redis {url} ({setting}): connection refused; start Redis or unset the setting")


def test_check_redis_never_prints_a_password():
    port = free_port()
    with pytest.raises(RedisUnavailableError) as err:
        check_redis(project_settings(
            STORYARCHIVE_DEDUP_REDIS_URL=f"redis://:s3cret@127.0.0.1:{port}/0"))
    assert "s3cret" not in str(err.value)
    assert f"redis://:***@127.0.0.1:{port}/0" in str(err.value)
    assert redacted("redis://archivist:pw@host:6379/2") == "redis://archivist:***@host:6379/2"


def test_check_redis_reports_an_unparsable_url():
    with pytest.raises(RedisUnavailableError, match=r"\(STORYARCHIVE_DEDUP_REDIS_URL\): not a valid"):
        check_redis(project_settings(STORYARCHIVE_DEDUP_REDIS_URL="redis://127.0.0.1:port/0"))
