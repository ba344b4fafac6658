"""The story crawl against the demo news web: what it stores, what it rejects and why."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.cli import latest_documents, manifests, run_cli

SLUG = "demo-dock-strike"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "000_e8344a3bda362c86.txt"


@pytest.fixture(scope="module")
def crawl(demo_web, tmp_path_factory):
    """One story crawl of the demo web into a fresh local store."""
    tmp = tmp_path_factory.mktemp("story-crawl")
    story = tmp / "demo.toml"
    story.write_text(demo_web.story_toml(), encoding="utf-8")
    store = tmp / "archive"
    proc = run_cli("crawl", str(story), "--store", str(store), "--set", "AUTOTHROTTLE_ENABLED=False")
    (manifest,) = manifests(store, SLUG)
    return {
        "store": store,
        "stdout": proc.stdout,
        "manifest": manifest,
        "docs": latest_documents(store, SLUG),
    }


def test_stores_exactly_the_relevant_coverage(crawl, demo_web):
    assert set(crawl["docs"]) == demo_web.expected_canonical_urls(include_generated=False)


def test_every_rejection_is_counted_with_its_reason(crawl, demo_web):
    stats = crawl["manifest"]["stats"]
    expected = Counter(
        e.reject_reason for e in demo_web.catalog if e.reject_reason in ("off-topic", "out-of-window")
    )
    assert stats.get("storyarchive/rejected/off-topic") == expected["off-topic"]
    assert stats.get("storyarchive/rejected/out-of-window") == expected["out-of-window"]
    assert stats.get("storyarchive/rejected/http-404") == 1
    skipped = {s["reason"] for s in crawl["manifest"]["skipped"]}
    assert "not-html: application/pdf" in skipped
    # The Venezuelan-baseball hard negative is rejected for its excluded term.
    assert any(s["reason"] == "excluded term: baseball" for s in crawl["manifest"]["skipped"])
    assert "rejected" in crawl["stdout"] and "off-topic" in crawl["stdout"]


def test_pdf_404_and_off_topic_pages_are_not_stored_as_articles(crawl, demo_web):
    stored_paths = {url.split("/", 3)[3] for url in crawl["docs"]}
    for entry in demo_web.catalog:
        if entry.reject_reason is not None:
            assert entry.path.lstrip("/") not in stored_paths, entry.id


def test_tracking_variants_and_the_amp_copy_give_one_article_each(crawl, demo_web):
    docs = crawl["docs"]
    variants = [e for e in demo_web.catalog if e.kind in ("variant", "amp", "redirect")]
    assert variants, "the demo web should have variants"
    for entry in variants:
        canonical = demo_web.canonical_url(entry.id)
        assert canonical in docs, entry.id
    # One document per canonical URL: no document is stored under a variant URL.
    assert all("utm_" not in u and "fbclid" not in u and "/amp/" not in u and "#" not in u for u in docs)
    doc_dirs = list((crawl["store"] / "stories" / SLUG / "articles").iterdir())
    assert len(doc_dirs) == len(docs)


def test_doubled_fixture_page_keeps_full_text_title_date_and_byline(crawl, demo_web):
    doc = crawl["docs"][demo_web.canonical_url("g-fixture")]
    lines = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) == 15
    from demoweb.outlets import spec_for

    paragraphs = [b["text"] for b in doc["blocks"] if b["kind"] == "paragraph"]
    # Every fixture paragraph, repeats included, in order; then only the outlet's own
    # corrections boilerplate, which the page prints inside the article body.
    assert paragraphs[:15] == lines
    assert paragraphs[15:] == [spec_for("globe").boilerplate]
    assert doc["text"] == "\n\n".join(b["text"] for b in doc["blocks"])
    assert (
        doc["metadata"]["title"]
        == "CIA drone strike on Venezuelan territory marks new escalation against Maduro"
    )
    # The page says 2025-12-31T09:15:00-05:00: the time is kept, in UTC, with the page's offset.
    assert doc["metadata"]["published"] == "2025-12-31T14:15:00Z"
    assert doc["metadata"]["published_offset"] == "-05:00"
    assert doc["metadata"]["published_source"] == "page"
    assert doc["metadata"]["authors"] == ["Martin Keane"]
    assert doc["relevance"]["relevant"] is True
    assert "cia" in {t.lower() for t in doc["relevance"]["matched"]["text"]}


def test_documents_point_at_their_warc_record(crawl):
    for doc in crawl["docs"].values():
        warc = doc["warc"]
        assert warc is not None, doc["url"]
        path = crawl["store"] / "stories" / SLUG / "warc" / warc["filename"]
        assert path.is_file()
        from warcio.archiveiterator import ArchiveIterator

        with open(path, "rb") as f:
            f.seek(warc["offset"])
            record = next(iter(ArchiveIterator(f)))
            assert record.rec_headers.get_header("WARC-Record-ID") == warc["record_id"]
            assert record.rec_headers.get_header("WARC-Target-URI") == doc["final_url"]


def test_show_lists_the_stored_articles(crawl, demo_web):
    out = run_cli("show", SLUG, "--store", str(crawl["store"])).stdout
    assert "The Northgate Globe" in out
    assert "CIA drone strike on Venezuelan territory" in " ".join(out.split())  # titles wrap
    assert f"{len(crawl['docs'])} articles from 1 crawl;" in out
    assert "revisits" in out and "site-boilerplate" in out
    assert re.search(r"syndicated copies: Atlantic Broadcast News, Meridian Wire, The Capital Courier, "
                     r"The Harbor Ledger share \d+ paragraph clusters; canonical "
                     + re.escape(demo_web.canonical_url("m-wire")), out.replace("\n  ", " "))


def test_malformed_story_file_fails_before_crawling(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('slug = "x"\ntitle = "X"\n[terms]\nrequired = "venezuela"\n[sources]\nfeed = []\n')
    store = tmp_path / "archive"
    proc = run_cli("crawl", str(bad), "--store", str(store), check=False)
    assert proc.returncode == 2
    assert str(bad) in proc.stderr
    assert "terms.required" in proc.stderr and "sources.feed" in proc.stderr
    assert not (store / "stories").exists()


def test_missing_story_file_is_a_clear_error(tmp_path):
    proc = run_cli("crawl", str(tmp_path / "nope.toml"), "--store", str(tmp_path / "a"), check=False)
    assert proc.returncode == 2
    assert "nope.toml" in proc.stderr and "Traceback" not in proc.stderr


def test_documents_link_to_their_replay_url(crawl):
    for doc in crawl["docs"].values():
        ts = "".join(ch for ch in doc["warc"]["date"] if ch.isdigit())[:14]
        assert doc["replay_url"] == f"http://127.0.0.1:8080/{SLUG}/{ts}/{doc['final_url']}"


def test_discovered_via_lists_every_source_that_listed_the_article(crawl, demo_web):
    for doc in crawl["docs"].values():
        assert doc["discovered_via"] == sorted(set(doc["discovered_via"]))
        assert set(doc["discovered_via"]) <= {"feed", "sitemap", "search", "link"}
    fixture = crawl["docs"][demo_web.canonical_url("g-fixture")]
    # The Globe's fixture page is in its feed, its news sitemap and the search feed.
    assert {"feed", "sitemap"} <= set(fixture["discovered_via"])
