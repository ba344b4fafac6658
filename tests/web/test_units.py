"""The web view's pure parts: word diffs, timeline bins, capture request checks."""

from __future__ import annotations

import datetime as dt

import pytest

from storyarchive.web.captures import MAX_URLS, CaptureRequestError, check_request
from storyarchive.web.summary import parse_time
from storyarchive.web.timeline import MAX_BINS, build_timeline, render_svg
from storyarchive.web.versions import diff_stats, word_diff


def test_a_word_diff_marks_only_the_words_that_changed():
    old = "The port reopened on Monday.\n\nTwo ships left the harbor at dawn."
    new = "The port reopened on Tuesday.\n\nTwo ships left the harbor at dawn."
    segments = word_diff(old, new)
    assert [(op, t) for op, t in segments if op != "equal"] == [("delete", "Monday."), ("insert", "Tuesday.")]
    assert diff_stats(segments) == {"deleted": 1, "inserted": 1}
    assert "".join(t for op, t in segments if op != "insert").replace(" ", "") == old.replace(" ", "")


def test_a_word_diff_of_equal_texts_has_no_change():
    segments = word_diff("a b c", "a b c")
    assert segments == [("equal", "a b c")] and diff_stats(segments) == {"deleted": 0, "inserted": 0}


def test_a_document_date_keeps_its_time_and_a_bare_date_is_midnight_utc():
    assert parse_time("2025-12-31T14:15:00Z") == dt.datetime(2025, 12, 31, 14, 15, tzinfo=dt.UTC)
    assert parse_time("2025-12-31T09:15:00-05:00") == dt.datetime(2025, 12, 31, 14, 15, tzinfo=dt.UTC)
    assert parse_time("2025-12-31") == dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
    assert parse_time("yesterday") is None and parse_time(None) is None


def _article(doc_id: str, outlet: str, published: str | None) -> dict:
    return {"doc_id": doc_id, "outlet": outlet, "title": f"title {doc_id}", "published": published or "",
            "published_at": parse_time(published)}


def test_the_timeline_counts_articles_per_hour_by_outlet_and_marks_first_publishers():
    articles = [_article("a", "Wire", "2026-01-01T10:05:00Z"),
                _article("b", "Ledger", "2026-01-01T10:50:00Z"),
                _article("c", "Ledger", "2026-01-01T13:00:00Z"), _article("d", "Globe", None)]
    clusters = [{"canonical": "a", "title": "title a", "outlet": "Wire", "published": "2026-01-01T10:05:00Z",
                 "first_publisher": "a", "members": [articles[1]]}]
    t = build_timeline(articles, clusters)
    assert t.unit == "hour" and t.undated == 1
    assert [b["counts"] for b in t.bins] == [{"Wire": 1, "Ledger": 1}, {}, {}, {"Ledger": 1}]
    assert [(f["bin"], f["doc_id"]) for f in t.firsts] == [(0, "a")]
    svg = render_svg(t)
    assert svg.count('class="bar"') == 3 and svg.count('class="first-publisher"') == 1


def test_a_long_story_is_drawn_per_day_or_week_within_the_bin_limit():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    days = [_article(str(i), "X", (start + dt.timedelta(days=i)).isoformat()) for i in range(0, 60, 3)]
    assert build_timeline(days, []).unit == "day"
    years = [_article(str(i), "X", (start + dt.timedelta(days=i)).isoformat()) for i in range(0, 1000, 50)]
    t = build_timeline(years, [])
    assert t.unit == "week" and len(t.bins) <= MAX_BINS
    assert sum(b["total"] for b in t.bins) == len(years)


def test_timeline_labels_are_escaped():
    t = build_timeline([_article("a", "<script>x</script>", "2026-01-01T10:00:00Z")], [])
    svg = render_svg(t)
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_a_capture_request_is_checked_like_the_capture_command():
    assert check_request(["http://127.0.0.1:9/a "], "desk") == (["http://127.0.0.1:9/a"], "desk")
    for urls, story in ((["file:///etc/passwd"], "desk"), (["http://a b/"], "desk"), ([], "desk"),
                        ("http://x/", "desk"), ([1], "desk"), (["http://x/"], "../x"), (["http://x/"], None),
                        (["http://x/"] * (MAX_URLS + 1), "desk")):
        with pytest.raises(CaptureRequestError):
            check_request(urls, story)
