"""replay_url: a document's link to its capture in the replay server."""

import pytest

from storyarchive.replay import replay_url, timestamp14


def test_replay_url_is_base_collection_timestamp_and_original_url():
    assert replay_url("demo-dock-strike", "20251230134000", "http://a.example/x?y=1") == (
        "http://127.0.0.1:8080/demo-dock-strike/20251230134000/http://a.example/x?y=1"
    )


def test_replay_url_takes_a_warc_date_and_a_custom_base():
    got = replay_url("s", "2025-12-30T13:40:05.123456Z", "https://b.example/", base="https://replay.example/")
    assert got == "https://replay.example/s/20251230134005/https://b.example/"


def test_timestamp14_rejects_a_date_without_a_time():
    with pytest.raises(ValueError, match="not a full date and time"):
        timestamp14("2025-12-30")


def test_replay_url_rejects_a_bad_story_slug():
    with pytest.raises(ValueError, match="story slug"):
        replay_url("Bad Slug", "20251230134000", "http://a.example/")
