"""The archive store: one interface, a local-directory backend (default) and S3.

`open_store(uri)` picks the backend from the URI: a path or file:// URI is a local
directory, s3://bucket/prefix is S3 (see storyarchive.store.s3).

Which store, and opened with which options, is decided in one place: `store_uri_from_settings`
(the precedence rule below), `store_from_settings` for commands, `store_from_crawler` for the
parts of a crawl, which all share one store per crawler.

Precedence of the store URI: the command line (`--store`, or `--set STORYARCHIVE_STORE=...`)
> a settings file (STORYARCHIVE_STORE in settings.py or a settings module) > the
STORYARCHIVE_STORE environment variable > DEFAULT_STORE.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from storyarchive.store.base import (
    ArchiveStore,
    PutResult,
    StoreConflictError,
    StoreError,
    StoreUnavailableError,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

DEFAULT_STORE = "./archive"
STORE_SETTING = "STORYARCHIVE_STORE"  # the setting and the environment variable

__all__ = [
    "ArchiveStore",
    "PutResult",
    "StoreConflictError",
    "StoreError",
    "StoreUnavailableError",
    "DEFAULT_STORE",
    "open_store",
    "store_from_crawler",
    "store_from_settings",
    "store_uri_from_settings",
]


def store_uri_from_settings(settings: BaseSettings, environ: Mapping[str, str] | None = None) -> str:
    """The store URI a run uses, from Scrapy `settings` and the environment.

    STORYARCHIVE_STORE at 'cmdline' priority (--store, --set) wins; then a value from a
    settings file (priority 'project' or above: settings.py ships no value, so any is the
    user's); then $STORYARCHIVE_STORE; then a packaged default set at a lower priority;
    then DEFAULT_STORE. An empty value counts as unset."""
    from scrapy.settings import get_settings_priority

    env = os.environ if environ is None else environ
    value = str(settings.get(STORE_SETTING) or "")
    # 'project' is the priority of a settings module; below it ('default', 'addon') a value
    # is a packaged default, which the environment overrides.
    if value and (settings.getpriority(STORE_SETTING) or 0) >= get_settings_priority("project"):
        return value
    return env.get(STORE_SETTING) or value or DEFAULT_STORE


def open_store(uri: str, **options: object) -> ArchiveStore:
    """Open the store at `uri`. Raises StoreError with a user-facing message if it can't.
    `settings=` carries STORYARCHIVE_S3_* to an S3 store (a local store needs none)."""
    if uri.startswith("s3://"):
        from storyarchive.store.s3 import S3Store

        return S3Store.from_uri(uri, **options)  # type: ignore[arg-type]
    from storyarchive.store.local import LocalStore

    path = uri.removeprefix("file://")
    return LocalStore(path)


def store_from_settings(settings: BaseSettings) -> ArchiveStore:
    """A new store at store_uri_from_settings(settings), opened with those settings (the
    STORYARCHIVE_S3_* options). For commands; a crawl's parts use store_from_crawler.
    Raises StoreError (StoreConfigError for an invalid URI or option)."""
    return open_store(store_uri_from_settings(settings), settings=settings)


class _CrawlerStore:
    """The store of one crawler, closed (and forgotten) when its engine stops."""

    def __init__(self, crawler: Crawler, store: ArchiveStore) -> None:
        self.store = store
        self._crawler = weakref.ref(crawler)

    def engine_stopped(self) -> None:
        crawler = self._crawler()
        with _lock:
            if crawler is not None and _by_crawler.get(crawler) is self:
                del _by_crawler[crawler]
        self.store.close()


# One store per live crawler. Held weakly, so it goes with its crawler; not an attribute
# on the crawler (components find it through this function).
_by_crawler: weakref.WeakKeyDictionary[Any, _CrawlerStore] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def store_from_crawler(crawler: Crawler) -> ArchiveStore:
    """The archive store of `crawler`'s crawl: opened on the first call with
    store_from_settings(crawler.settings), the same object for every later call (the WARC
    recorder, the dedup and store pipelines), closed when the crawler's engine stops (a
    call after that opens it again). Raises StoreError if it cannot be opened."""
    with _lock:
        entry = _by_crawler.get(crawler)
        if entry is None:
            entry = _CrawlerStore(crawler, store_from_settings(crawler.settings))
            _by_crawler[crawler] = entry
            from scrapy import signals

            # weak reference to a bound method of an object the dict keeps alive
            crawler.signals.connect(entry.engine_stopped, signal=signals.engine_stopped)
    return entry.store
