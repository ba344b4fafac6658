"""Fixtures of the crawl-lifecycle tests (resume, finish): one demo web with a generated
outlet for the session, and uninterrupted reference crawls of it to compare with."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.pipeline import story_for
from demoweb import DemoWeb
from storyarchive.store.local import LocalStore
from tests.commands.crawlproc import GENERATED_SLUG, Cli, documents, settings_args

GENERATED = 200  # 12 KB pages: a crawl of them takes a few seconds


@dataclass
class GeneratedSite:
    web: DemoWeb  # the demo web with the generated outlet "tidewater"
    story: Path  # the story file of the generated outlet (slug GENERATED_SLUG)
    pages: int


@pytest.fixture(scope="session")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GeneratedSite]:
    with DemoWeb(base_port=0, generated_articles=GENERATED) as web:
        story = tmp_path_factory.mktemp("story") / "generated.toml"
        story.write_text(story_for(web.url("tidewater", "/sitemap_index.xml")), encoding="utf-8")
        yield GeneratedSite(web, story, GENERATED)


@dataclass
class Reference:
    store: Path  # the local store of an uninterrupted crawl
    documents: dict[str, Any]  # doc_id -> document without the run fields


@pytest.fixture(scope="session")
def reference(generated_site: GeneratedSite,
              tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Reference]:
    """reference(*settings) -> an uninterrupted crawl of the generated site with those
    settings, crawled once per session. Its requests are in the demo web's access log
    too: tests compare counts."""
    crawled: dict[tuple[str, ...], Reference] = {}

    def get(*settings: str) -> Reference:
        if settings not in crawled:
            base = tmp_path_factory.mktemp("reference")
            Cli(base / "logs").ok("crawl", str(generated_site.story), "--store", str(base / "archive"),
                                  *settings_args(*settings))
            docs = documents(LocalStore(base / "archive"), GENERATED_SLUG)
            assert len(docs) == generated_site.pages
            crawled[settings] = Reference(base / "archive", docs)
        return crawled[settings]

    return get
