"""Scheduled crawls: due times from cadence and manifests; `schedule --once` runs only what
is due."""

from __future__ import annotations

import datetime as dt
import json
import re

from storyarchive.schedule import last_finished, schedule_of
from storyarchive.store.local import LocalStore
from storyarchive.story import parse_story
from tests.cli import manifests, run_cli

STORY = 'slug = "{slug}"\ntitle = "T"\n[terms]\nrequired = ["venezuela"]\n[schedule]\nrecrawl = "{cadence}"\n'


def _manifest(store: LocalStore, slug: str, crawl_id: str, finished: str, spider: str = "story") -> None:
    data = json.dumps({"crawl_id": crawl_id, "spider": spider, "finished": finished}).encode()
    store.put_bytes(f"stories/{slug}/crawls/{crawl_id}.json", data)


def test_never_crawled_story_is_due_now_and_later_ones_follow_the_cadence(tmp_path):
    store = LocalStore(tmp_path)
    story = parse_story(STORY.format(slug="s", cadence="6h"))
    now = dt.datetime(2026, 1, 2, 12, 0, tzinfo=dt.UTC)
    assert schedule_of(story, last_finished(store, "s"), now).is_due(now)
    _manifest(store, "s", "c1", "2026-01-02T08:00:00Z")
    _manifest(store, "s", "c2", "2026-01-02T10:00:00Z")
    _manifest(store, "s", "c3", "2026-01-02T11:59:00Z", spider="capture")  # captures don't count
    due = schedule_of(story, last_finished(store, "s"), now)
    assert due.next_due == dt.datetime(2026, 1, 2, 16, 0, tzinfo=dt.UTC)
    assert not due.is_due(now)
    assert due.is_due(dt.datetime(2026, 1, 2, 16, 0, tzinfo=dt.UTC))


def test_schedule_once_crawls_only_the_due_story(demo_web, tmp_path):
    store_dir = tmp_path / "archive"
    toml = demo_web.story_toml()
    due_file, fresh_file = tmp_path / "due.toml", tmp_path / "fresh.toml"
    due_file.write_text(re.sub(r'slug = "[^"]+"', 'slug = "due-story"', toml))
    fresh_file.write_text(re.sub(r'slug = "[^"]+"', 'slug = "fresh-story"', toml))
    _manifest(
        LocalStore(store_dir),
        "fresh-story",
        "earlier",
        dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    out = run_cli(
        "schedule",
        str(due_file),
        str(fresh_file),
        "--once",
        "--store",
        str(store_dir),
        "--set",
        "AUTOTHROTTLE_ENABLED=False",
    ).stdout
    assert "due-story: crawling (last finished: never)" in out
    assert "fresh-story: next due" in out
    assert len(manifests(store_dir, "due-story")) == 1
    assert len(manifests(store_dir, "fresh-story")) == 1  # only the one written above
    # Run again at once: now the crawled story is not due either.
    again = run_cli("schedule", str(due_file), "--once", "--store", str(store_dir)).stdout
    assert "due-story: next due" in again


def test_story_without_a_cadence_cannot_be_scheduled(tmp_path):
    story = tmp_path / "s.toml"
    story.write_text('slug = "s"\ntitle = "T"\n[terms]\nrequired = ["venezuela"]\n')
    proc = run_cli("schedule", str(story), "--once", "--store", str(tmp_path / "a"), check=False)
    assert proc.returncode == 2 and "recrawl" in proc.stderr
