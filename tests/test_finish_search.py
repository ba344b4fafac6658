"""The search index a finish leaves: each batch's documents are indexed from memory as they
are written (none is read back from the store), and the index equals one rebuilt from the
store, after a first crawl, after a recrawl, and when indexing from memory fails."""

from __future__ import annotations

import sqlite3

from storyarchive.document import latest_document_keys
from storyarchive.finish import FinishOptions, finish_crawl
from storyarchive.searchindex import SearchIndex
from storyarchive.store.local import LocalStore
from tests.dedup.data import wire_story
from tests.test_finish import SLUG, documents, journal_crawl

QUERIES = ["harbor", "strike", '"dock workers"', "port -union"]


class ReadCountingStore(LocalStore):
    """A local store that lists the document keys it was asked to read."""

    def __init__(self, root) -> None:  # type: ignore[no-untyped-def]
        super().__init__(root)
        self.documents_read: list[str] = []

    def get_bytes(self, key: str) -> bytes:
        if "/articles/" in key:
            self.documents_read.append(key)
        return super().get_bytes(key)


def rebuilt(store: LocalStore, index: SearchIndex) -> tuple[list[dict], list]:  # type: ignore[type-arg]
    """The rows and search results of an index made again from the store."""
    fresh = SearchIndex(index.path.with_name("rebuilt.sqlite"), store)
    fresh.rebuild()
    return fresh.rows(), [fresh.search(q, limit=100) for q in QUERIES]


def test_a_finish_indexes_its_documents_without_reading_them_back_as_a_rebuild_would(tmp_path):
    store = ReadCountingStore(tmp_path / "a")
    journal_crawl(store, "c1", wire_story())
    report = finish_crawl(store, SLUG, "c1", FinishOptions(batch_documents=2))
    assert report.search_index_error is None
    assert store.documents_read == []
    index = SearchIndex.for_store(store)
    rows = index.rows()
    assert {r["doc_id"] for r in rows} == set(documents(store))
    assert {(r["story"], r["doc_id"]): r["version_key"] for r in rows} == latest_document_keys(store)
    assert index.search("harbor").total > 0
    assert (rows, [index.search(q, limit=100) for q in QUERIES]) == rebuilt(store, index)


def test_a_recrawls_finish_indexes_the_new_versions(tmp_path):
    store = ReadCountingStore(tmp_path / "a")
    journal_crawl(store, "c1", wire_story())
    finish_crawl(store, SLUG, "c1", FinishOptions())
    journal_crawl(store, "c2", wire_story())
    finish_crawl(store, SLUG, "c2", FinishOptions(batch_documents=3))
    index = SearchIndex.for_store(store)
    rows = index.rows()
    latest = latest_document_keys(store)
    assert {(r["story"], r["doc_id"]): r["version_key"] for r in rows} == latest
    assert all("c2" in store.get_bytes(k).decode() for k in latest.values())  # the recrawl's versions
    assert (rows, [index.search(q, limit=100) for q in QUERIES]) == rebuilt(store, index)


def test_when_indexing_from_memory_fails_the_finish_indexes_from_the_store(tmp_path, monkeypatch):
    def locked(self, documents):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(SearchIndex, "add_documents", locked)
    store = ReadCountingStore(tmp_path / "a")
    journal_crawl(store, "c1", wire_story())
    report = finish_crawl(store, SLUG, "c1", FinishOptions(batch_documents=2))
    assert report.search_index_error is None
    assert sorted(store.documents_read) == sorted(latest_document_keys(store).values())
    monkeypatch.undo()
    index = SearchIndex.for_store(store)
    assert {r["doc_id"] for r in index.rows()} == set(documents(store))
    assert (index.rows(), [index.search(q, limit=100) for q in QUERIES]) == rebuilt(store, index)
