"""Replay URLs: where a capture is seen in pywb.

    replay_url("venezuela-dock-strike", "20251230134000", "http://outlet.example/a")
    -> "http://127.0.0.1:8080/venezuela-dock-strike/20251230134000/http://outlet.example/a"

The collection is the story slug (one pywb collection per story), the timestamp the
WARC-Date of the response record (14 digits, UTC).
"""

from __future__ import annotations

import re

from storyarchive.defaults import STORYARCHIVE_REPLAY_BASE_URL as DEFAULT_REPLAY_BASE_URL
from storyarchive.layout import check_slug


def timestamp14(value: str) -> str:
    """The 14-digit timestamp (YYYYMMDDhhmmss) of an ISO 8601 date or WARC-Date
    ('2025-12-30T13:40:00.123456Z'), or of a string of digits. ValueError if it has fewer
    than 14 digits."""
    digits = re.sub(r"\D", "", value)[:14]
    if len(digits) != 14:
        raise ValueError(f"not a full date and time: {value!r} (need YYYY-MM-DDThh:mm:ss)")
    return digits


def replay_url(story_slug: str, timestamp: str, url: str, base: str = DEFAULT_REPLAY_BASE_URL) -> str:
    """The replay URL of `url` as captured at `timestamp` (14 digits, or any ISO date that
    `timestamp14` accepts) in the story's collection. ValueError for a bad slug or date."""
    return f"{base.rstrip('/')}/{check_slug(story_slug)}/{timestamp14(timestamp)}/{url}"


def document_replay_url(doc_or_item_warc_date: str | None, fetched_at: str, story_slug: str,
                        url: str, base: str = DEFAULT_REPLAY_BASE_URL) -> str:
    """replay_url for a document: the record's WARC-Date when known, else `fetched_at` (pywb
    shows the capture closest to the timestamp, so the fallback still opens this capture)."""
    return replay_url(story_slug, doc_or_item_warc_date or fetched_at, url, base)
