"""One configuration path for the store: which URI (command line > settings file >
environment > default) and one store per crawler, opened with the crawl's settings."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.settings import Settings

from pipelines.store import StorePipeline
from storyarchive.store import (
    DEFAULT_STORE,
    store_from_crawler,
    store_from_settings,
    store_uri_from_settings,
)
from storyarchive.store.local import LocalStore
from storyarchive.store.s3 import S3Options, S3Store
from tests.crawlers import get_crawler

ENV = {"STORYARCHIVE_STORE": "/from/env"}


def project_settings(**values: object) -> Settings:
    """Settings as a crawl gets them: the project's settings.py, then `values`."""
    settings = Settings()
    settings.setmodule("settings", priority="project")
    settings.setdict(values, priority="project")
    return settings


def test_settings_py_ships_no_store_so_the_environment_beats_the_default():
    assert store_uri_from_settings(project_settings(), ENV) == "/from/env"
    assert store_uri_from_settings(project_settings(), {}) == DEFAULT_STORE


def test_a_settings_file_value_beats_the_environment():
    settings = project_settings(STORYARCHIVE_STORE="/from/settings-module")
    assert store_uri_from_settings(settings, ENV) == "/from/settings-module"


def test_the_command_line_beats_a_settings_file_and_the_environment():
    settings = project_settings(STORYARCHIVE_STORE="/from/settings-module")
    settings.set("STORYARCHIVE_STORE", "/from/cmdline", priority="cmdline")
    assert store_uri_from_settings(settings, ENV) == "/from/cmdline"


def test_a_packaged_default_below_project_priority_yields_to_the_environment():
    settings = project_settings()
    settings.set("STORYARCHIVE_STORE", "/from/addon", priority="addon")
    assert store_uri_from_settings(settings, ENV) == "/from/env"
    assert store_uri_from_settings(settings, {}) == "/from/addon"


def test_an_empty_value_counts_as_unset():
    settings = project_settings()
    settings.set("STORYARCHIVE_STORE", "", priority="cmdline")
    assert store_uri_from_settings(settings, ENV) == "/from/env"


def test_s3_options_given_with_set_beat_the_environment(monkeypatch):
    monkeypatch.setenv("STORYARCHIVE_S3_STORAGE_CLASS", "GLACIER_IR")
    monkeypatch.setenv("STORYARCHIVE_S3_SSE", "aws:kms")
    settings = project_settings()
    settings.set("STORYARCHIVE_S3_STORAGE_CLASS", "STANDARD_IA", priority="cmdline")
    opts = S3Options.resolve(settings=settings)
    # --set wins; the environment still beats settings.py (STORYARCHIVE_S3_SSE = "")
    assert (opts.storage_class, opts.sse) == ("STANDARD_IA", "aws:kms")


def test_store_from_settings_opens_s3_with_the_settings_options(monkeypatch):
    for name in ("AWS_PROFILE", "STORYARCHIVE_S3_STORAGE_CLASS", "STORYARCHIVE_S3_SSE"):
        monkeypatch.delenv(name, raising=False)
    settings = project_settings(STORYARCHIVE_STORE="s3://bucket/prefix",
                                STORYARCHIVE_S3_STORAGE_CLASS="STANDARD_IA",
                                STORYARCHIVE_S3_SSE="AES256")
    store = store_from_settings(settings)  # no request is made when opening
    assert isinstance(store, S3Store)
    assert (store.options.storage_class, store.options.sse) == ("STANDARD_IA", "AES256")


def test_one_store_per_crawler_shared_by_its_components(tmp_path: Path):
    crawler = get_crawler(settings_dict={"STORYARCHIVE_STORE": str(tmp_path / "archive")})
    store = store_from_crawler(crawler)
    assert isinstance(store, LocalStore) and store.root == tmp_path / "archive"
    assert store_from_crawler(crawler) is store
    assert StorePipeline.from_crawler(crawler).store is store
    other = get_crawler(settings_dict={"STORYARCHIVE_STORE": str(tmp_path / "other")})
    assert store_from_crawler(other) is not store


def test_the_crawler_store_is_closed_when_the_engine_stops_and_reopened_after(tmp_path: Path):
    crawler = get_crawler(settings_dict={"STORYARCHIVE_STORE": str(tmp_path / "archive")})
    store = store_from_crawler(crawler)
    closed = []
    store.close = lambda: closed.append(True)  # type: ignore[method-assign]
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert closed == [True]
    assert store_from_crawler(crawler) is not store


def test_the_store_cache_does_not_keep_a_crawler_alive(tmp_path: Path):
    crawler = get_crawler(settings_dict={"STORYARCHIVE_STORE": str(tmp_path / "archive")})
    store_from_crawler(crawler)
    ref = weakref.ref(crawler)
    del crawler
    gc.collect()
    assert ref() is None


@pytest.mark.parametrize("uri", ["s3://", "s3://bad bucket/x"])
def test_an_invalid_store_uri_fails_when_the_crawler_opens_it(uri: str):
    from storyarchive.store.base import StoreError

    crawler = get_crawler(settings_dict={"STORYARCHIVE_STORE": uri})
    with pytest.raises(StoreError):
        store_from_crawler(crawler)
