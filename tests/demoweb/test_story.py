"""stories/demo-dock-strike.toml is the demo web's story for the default ports, and its terms keep every
relevant article and reject the off-topic ones (checked on the articles' own text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from demoweb import DemoWeb, catalog
from demoweb.site import ARTICLES
from demoweb.story import EXCLUDED, REQUIRED
from tests.demoweb.helpers import matches_term

STORY_FILE = Path(__file__).resolve().parents[2] / "stories" / "demo-dock-strike.toml"


def test_stories_demo_toml_is_the_rendering_for_the_default_ports():
    # Rendered from the port map alone: nothing is bound.
    assert STORY_FILE.read_text(encoding="utf-8") == DemoWeb(base_port=8401).story_toml()


def test_live_story_uses_the_live_ports(demo_web):
    text = demo_web.story_toml()
    for slug in ("meridian", "globe", "search"):
        assert demo_web.outlets[slug].base_url + "/" in text
    assert "{query}" in text


def test_story_file_passes_the_story_loader():
    from storyarchive.story import load_story

    story = load_story(STORY_FILE)
    assert story.slug == "demo-dock-strike"
    assert len(story.sources.feeds) == 6 and len(story.sources.sitemaps) == 6
    assert story.search_urls() == ["http://127.0.0.1:8407/rss/search?q=Venezuela%20dock%20strike&hl=en-US"]


def _text(entry_id: str) -> str:
    a = ARTICLES[entry_id]
    return " ".join([a.title, *a.paragraphs()])


@pytest.mark.parametrize("entry", catalog.relevant_articles() + [catalog.entry("m-port2024")],
                         ids=lambda e: e.id)
def test_terms_keep_relevant_articles(entry):
    text = _text(entry.id)
    assert all(matches_term(term, text) for term in REQUIRED)
    assert not any(matches_term(term, text) for term in EXCLUDED)


@pytest.mark.parametrize("entry", [e for e in catalog.CATALOG if e.reject_reason == "off-topic"],
                         ids=lambda e: e.id)
def test_terms_reject_off_topic_articles(entry):
    text = _text(entry.id)
    # The strike group never appears: rejection does not depend on the exclusion list.
    assert not matches_term(REQUIRED[1], text)


def test_the_hard_negative_mentions_venezuela_but_not_the_strike():
    text = _text("a-baseball")
    assert matches_term(REQUIRED[0], text) and not matches_term(REQUIRED[1], text)
    assert matches_term(EXCLUDED[0], text)
