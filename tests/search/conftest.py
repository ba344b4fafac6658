"""Fixtures of the search and export tests: one crawl of the demo story per session."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli import latest_documents, run_cli
from tests.search.documents import SLUG


@pytest.fixture(scope="session")
def demo_archive(demo_web, tmp_path_factory) -> Path:
    """A local store holding a crawl of the demo story (do not change it: copy it)."""
    tmp = tmp_path_factory.mktemp("search-archive")
    story = tmp / "demo.toml"
    story.write_text(demo_web.story_toml(), encoding="utf-8")
    store = tmp / "archive"
    run_cli("crawl", str(story), "--store", str(store), "--set", "AUTOTHROTTLE_ENABLED=False")
    return store


@pytest.fixture
def archive_copy(demo_archive: Path, tmp_path: Path) -> Path:
    """A copy of the demo archive (with its state directory) that a test may change."""
    copy = tmp_path / "archive"
    shutil.copytree(demo_archive, copy)
    return copy


@pytest.fixture(scope="session")
def demo_documents(demo_archive: Path) -> dict[str, dict[str, Any]]:
    """doc_id -> latest version of each document of the demo crawl."""
    return {d["doc_id"]: d for d in latest_documents(demo_archive, SLUG).values()}
