"""`storyarchive dedup <slug> [--rebuild]` over a local archive."""

from storyarchive.cli import main
from storyarchive.dedup import DedupConfig
from storyarchive.document import build_document, iter_latest_documents, write_document

from .data import WIRE, wire_story


def crawl(embedded, store, items, crawl_id):
    embedded("dock-strike", DedupConfig()).finalize(items)
    for it in items:
        write_document(store, build_document(it, crawl_id=crawl_id))


def test_dry_run_reports_changes_and_rebuild_writes_them_once(embedded, store, capsys):
    story = wire_story()
    for it in story:  # the agency's page is the earliest copy
        if WIRE in it.canonical_url:
            it.extraction.published = "2025-12-09T08:00:00Z"
    # ... and arrives in a later crawl: the copies' canonical is stale after it
    crawl(embedded, store, [i for i in story if WIRE not in i.canonical_url], "c1")
    crawl(embedded, store, [i for i in story if WIRE in i.canonical_url], "c2")
    keys_before = list(store.list_keys("stories/dock-strike/articles/"))

    assert main(["dedup", "dock-strike", "--store", str(store.root)]) == 0
    out = capsys.readouterr().out
    assert "3 of 4 documents changed" in out and "dry run" in out
    assert list(store.list_keys("stories/dock-strike/articles/")) == keys_before

    assert main(["dedup", "dock-strike", "--rebuild", "--store", str(store.root)]) == 0
    out = capsys.readouterr().out
    assert "3 of 4 documents changed" in out
    assert len(list(store.list_keys("stories/dock-strike/articles/"))) == len(keys_before) + 3
    wire_url = next(i.canonical_url for i in story if WIRE in i.canonical_url)
    for _, doc in iter_latest_documents(store, "dock-strike"):
        assert doc["syndication"]["canonical"]["canonical_url"] == wire_url
        assert doc["text_dedup"]

    assert main(["dedup", "dock-strike", "--rebuild", "--store", str(store.root)]) == 0
    assert "0 of 4 documents changed" in capsys.readouterr().out


def test_unknown_story_slug_is_a_user_error(store, capsys):
    assert main(["dedup", "Not A Slug", "--store", str(store.root)]) == 2
    assert "story slug" in capsys.readouterr().err
