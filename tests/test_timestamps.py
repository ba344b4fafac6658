"""Timestamps as documents store them: UTC ISO 8601 plus the source's offset."""

import pytest

from storyarchive.timestamps import Timestamp, parse_timestamp


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-12-31T09:15:00-05:00", Timestamp("2025-12-31T14:15:00Z", "-05:00")),
    ("2025-12-31T09:15:00.250-0500", Timestamp("2025-12-31T14:15:00Z", "-05:00")),
    ("2025-12-31T21:30:00-05:00", Timestamp("2026-01-01T02:30:00Z", "-05:00")),
    ("2025-12-31T09:15:00Z", Timestamp("2025-12-31T09:15:00Z", "+00:00")),
    ("2025-12-31T09:15:00+05:30", Timestamp("2025-12-31T03:45:00Z", "+05:30")),
    ("Wed, 31 Dec 2025 09:15:00 -0500", Timestamp("2025-12-31T14:15:00Z", "-05:00")),
    ("Wed, 31 Dec 2025 09:15:00 GMT", Timestamp("2025-12-31T09:15:00Z", "+00:00")),
    ("2025-12-31T09:15:00", Timestamp("2025-12-31T09:15:00", None)),
    ("2025-12-31", Timestamp("2025-12-31", None)),
    ("2025-12-31T00:00:00", Timestamp("2025-12-31", None)),
])
def test_timestamps_are_utc_with_the_original_offset(text, expected):
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("text", [None, "", "sometime last week", "2025-13-45", "2025-12"])
def test_unreadable_dates_are_none(text):
    assert parse_timestamp(text) is None


def test_the_date_of_a_timestamp_is_its_utc_day():
    assert str(parse_timestamp("2025-12-31T21:30:00-05:00").date) == "2026-01-01"
    assert str(parse_timestamp("2025-12-31").date) == "2025-12-31"
