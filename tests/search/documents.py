"""Synthetic documents for the search and export tests, written into a store the way the
finish stage writes them (storyarchive.document.write_document)."""

from __future__ import annotations

from typing import Any

from storyarchive import layout
from storyarchive.document import write_document
from storyarchive.store.base import ArchiveStore

SLUG = "demo-dock-strike"


def synthetic_document(story: str, url: str, title: str, text: str, *,
                       text_dedup: str | None = None, site: str = "The Test Gazette",
                       published: str | None = "2026-01-01T10:00:00Z") -> dict[str, Any]:
    """A document with the fields the index and the exports read (not a whole crawl's)."""
    return {
        "schema_version": 2, "doc_id": layout.doc_id(url), "story": story, "crawl_id": "synthetic",
        "spider": "capture", "url": url, "final_url": url, "canonical_url": url,
        "fetched_at": "2026-01-01T12:00:00Z", "status": 200, "content_type": "text/html",
        "discovered_via": [],
        "metadata": {"title": title, "authors": [], "published": published, "site_name": site,
                     "language": "en"},
        "blocks": [{"index": i, "kind": "paragraph", "text": t, "relation": "unique"}
                   for i, t in enumerate(text.split("\n\n"))],
        "text": text, "text_dedup": text if text_dedup is None else text_dedup,
        "word_count": len(text.split()), "syndication": None,
        "warc": {"filename": "x.warc.gz", "offset": 0, "length": 1, "record_id": "<urn:uuid:x>",
                 "record_type": "response"},
        "replay_url": None,
    }


def put_document(store: ArchiveStore, doc: dict[str, Any]) -> str:
    """Write `doc` as a new version; returns its key."""
    key, written = write_document(store, doc)
    assert written
    return key
