"""Every capture replays at its own time: a page captured in two crawls shows both, and a
revisit record replays the payload of the response it refers to."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from storyarchive.replay.records import StoredPayloads
from storyarchive.replay.reextract import story_entries
from storyarchive.store.local import LocalStore
from tests.replay.conftest import CHANGED, SLUG, CrawledArchive


def get(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read(), dict(resp.headers)


@pytest.fixture
def replay(two_crawls: CrawledArchive, replay_archive, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    server = replay_archive(LocalStore(two_crawls.root), [SLUG], tmp_path / "replay")
    return server.base_url


def archived_payload(archive: CrawledArchive, fields: dict[str, str]) -> bytes:
    store = LocalStore(archive.root)
    payloads = StoredPayloads(store, SLUG, story_entries(store, SLUG))
    return payloads.read(fields["filename"], int(fields["offset"]), int(fields["length"])).body


def test_a_page_captured_in_two_crawls_replays_each_capture_at_its_time(
    two_crawls: CrawledArchive, replay: str
):
    url = two_crawls.web.entry_url(CHANGED)
    captures = two_crawls.captures(url)
    assert [f["mime"] for _ts, f in captures] == ["text/html", "text/html"]  # changed: 2 responses
    (ts1, f1), (ts2, f2) = captures
    body1, _ = get(f"{replay}/{SLUG}/{ts1}id_/{url}")
    body2, _ = get(f"{replay}/{SLUG}/{ts2}id_/{url}")
    assert body1 != body2
    assert body1 == archived_payload(two_crawls, f1)
    assert body2 == archived_payload(two_crawls, f2)
    # the calendar across crawls: pywb's index lists both, and its calendar page serves
    cdx, _ = get(f"{replay}/{SLUG}/cdx?url={url}&output=json")
    assert [json.loads(line)["timestamp"] for line in cdx.decode().splitlines()] == [ts1, ts2]
    calendar, _ = get(f"{replay}/{SLUG}/*/{url}")
    assert b"<html" in calendar.lower() and url.encode() in calendar


def test_a_revisit_capture_replays_the_original_payload(two_crawls: CrawledArchive, replay: str):
    doc = next(d for d in two_crawls.documents() if d["warc"]["record_type"] == "revisit")
    url = doc["final_url"]
    (ts1, original), (ts2, revisit) = two_crawls.captures(url)
    assert (original["mime"], revisit["mime"]) == ("text/html", "warc/revisit")
    body, headers = get(f"{replay}/{SLUG}/{ts2}id_/{url}")
    assert body == archived_payload(two_crawls, original)
    assert doc["metadata"]["title"].encode() in body
    # served as the crawl-2 capture (the revisit's date), not the crawl-1 one
    from email.utils import parsedate_to_datetime

    served = parsedate_to_datetime(headers["Memento-Datetime"]).strftime("%Y%m%d%H%M%S")
    assert served == ts2 != ts1
