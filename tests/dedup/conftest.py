"""Fixtures: a local archive store and StoryDedup factories over both index backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storyarchive.dedup import DedupConfig
from storyarchive.dedup.story import StoryDedup, open_backend
from storyarchive.store.local import LocalStore


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "archive")


@pytest.fixture
def embedded(store: LocalStore) -> Iterator[Callable[..., StoryDedup]]:
    made: list[StoryDedup] = []

    def make(slug: str = "dock-strike", config: DedupConfig | None = None) -> StoryDedup:
        d = StoryDedup(slug, config or DedupConfig(), open_backend(slug, store, None), store)
        made.append(d)
        return d

    yield make
    for d in made:
        d.close()


@pytest.fixture
def on_redis(store: LocalStore, redis_url: str) -> Iterator[Callable[..., StoryDedup]]:
    made: list[StoryDedup] = []

    def make(slug: str = "dock-strike", config: DedupConfig | None = None) -> StoryDedup:
        d = StoryDedup(slug, config or DedupConfig(), open_backend(slug, store, redis_url), store)
        made.append(d)
        return d

    yield make
    for d in made:
        d.close()
