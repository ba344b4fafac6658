"""Cleaned JSON documents: schema, text fields, versioning without overwrite."""

import json

from storyarchive import layout
from storyarchive.document import build_document, iter_latest_documents, write_document
from storyarchive.items import ArticleItem, Block, Extraction, WarcRef
from storyarchive.store.local import LocalStore
from storyarchive.timestamps import Timestamp


def _item(fetched_at="2025-12-04T10:00:00Z", relation=None):
    blocks = [
        Block(0, "paragraph", "First paragraph of the story."),
        Block(1, "paragraph", "Second paragraph."),
        Block(2, "paragraph", "First paragraph of the story.", relation="repeat-in-page", of_block=0),
        Block(3, "paragraph", "Sign up for our newsletter today.", relation="site-boilerplate"),
        Block(4, "paragraph", "Wire paragraph kept.", relation="wire-near", cluster="c1", similarity=0.91234),
    ]
    ex = Extraction(
        title="Strike",
        authors=["Ana Ruiz"],
        published="2025-12-04",
        site_name="Herald",
        language="en",
        canonical_url="https://h.example/a",
        blocks=blocks,
    )
    return ArticleItem(
        story="demo",
        url="https://h.example/a?utm_source=x",
        final_url="https://h.example/a",
        canonical_url="https://h.example/a",
        fetched_at=fetched_at,
        status=200,
        content_type="text/html",
        extraction=ex,
        warc=WarcRef("demo-1.warc.gz", 1234, 567, "<urn:uuid:1>"),
    )


def test_document_keeps_every_block_and_drops_only_repeats_and_boilerplate_from_text_dedup():
    doc = build_document(_item(), crawl_id="c-1")
    assert doc["schema_version"] == 2
    assert doc["doc_id"] == layout.doc_id("https://h.example/a")
    assert [b["relation"] for b in doc["blocks"]] == [
        "unique",
        "unique",
        "repeat-in-page",
        "site-boilerplate",
        "wire-near",
    ]
    assert doc["blocks"][2]["of_block"] == 0
    assert doc["blocks"][4]["similarity"] == 0.9123
    assert doc["text"].split("\n\n") == [b.text for b in _item().extraction.blocks]
    assert doc["text_dedup"] == "First paragraph of the story.\n\nSecond paragraph.\n\nWire paragraph kept."
    assert doc["warc"] == {
        "filename": "demo-1.warc.gz",
        "offset": 1234,
        "length": 567,
        "record_id": "<urn:uuid:1>",
        "record_type": "response",
        "date": None,
    }
    assert doc["metadata"]["authors"] == ["Ana Ruiz"]


def test_recapture_is_a_new_version_and_identical_rewrite_is_a_no_op(tmp_path):
    store = LocalStore(tmp_path)
    first = build_document(_item(), crawl_id="c-1")
    key1, written1 = write_document(store, first)
    key_again, written_again = write_document(store, first)
    second = build_document(_item(fetched_at="2025-12-05T10:00:00Z"), crawl_id="c-2")
    key2, written2 = write_document(store, second)
    assert (written1, written_again, written2) == (True, False, True)
    assert key_again == key1 and key1 != key2
    assert layout.article_version(key1) < layout.article_version(key2)  # keys sort by time
    assert json.loads(store.get_bytes(key1))["fetched_at"] == "2025-12-04T10:00:00Z"
    latest = list(iter_latest_documents(store, "demo"))
    assert [(k, d["fetched_at"]) for k, d in latest] == [(key2, "2025-12-05T10:00:00Z")]


def test_encoding_is_the_json_module_format_of_the_first_archives():
    """orjson writes what json.dumps(indent=2, ensure_ascii=False) wrote before it, so a
    re-extraction of an older archive still finds its documents unchanged."""
    from storyarchive.document import encode_document

    doc = build_document(_item(), crawl_id="c1", replay_url="http://localhost:8090/x")
    doc["metadata"]["title"] = "Huelga en el muelle — «Caracas» 🚢"
    doc["relevance"] = {"score": 3.25, "relevant": True, "matched": ["strike"], "reason": None}
    doc["syndication"] = {"shared_share": 0.4567, "clusters": [], "canonical": None}
    expected = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    assert encode_document(doc) == expected


def test_documents_written_in_a_batch_are_synced_once(tmp_path, monkeypatch):
    """A crawl's documents are not fsynced one by one (thousands of small files); the
    store syncs once when the batch is flushed, before the manifest is written."""
    import os

    calls = {"fsync": 0, "sync": 0}
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.__setitem__("fsync", calls["fsync"] + 1),
                                                  real_fsync(fd))[1])
    monkeypatch.setattr(os, "sync", lambda: calls.__setitem__("sync", calls["sync"] + 1))
    store = LocalStore(tmp_path)
    keys = []
    for i in range(5):
        doc = build_document(_item(fetched_at=f"2025-12-04T10:00:0{i}Z"), crawl_id="c1",
                             replay_url=None)
        keys.append(write_document(store, doc, skip_unchanged=False, durable=False)[0])
    assert calls == {"fsync": 0, "sync": 0}
    for key in keys:  # complete and in place before the flush
        assert json.loads(store.get_bytes(key))["url"] == "https://h.example/a?utm_source=x"
    store.flush()
    store.flush()  # nothing new since: no second sync
    assert calls == {"fsync": 0, "sync": 1}
    write_document(store, build_document(_item(fetched_at="2025-12-05T10:00:00Z"), crawl_id="c2",
                                         replay_url=None), skip_unchanged=False)
    assert calls == {"fsync": 1, "sync": 1}  # a durable write is fsynced itself


def test_word_count_dedup_counts_the_words_of_text_dedup():
    doc = build_document(_item(), crawl_id="c-1")
    assert doc["word_count"] == 5 + 2 + 5 + 6 + 3
    assert doc["word_count_dedup"] == len(doc["text_dedup"].split()) == 5 + 2 + 3


def test_metadata_has_every_field_of_the_schema_and_says_where_the_date_came_from():
    item = _item()
    item.extraction.published, item.extraction.published_offset = "2025-12-04T14:15:00Z", "-05:00"
    item.extraction.image, item.extraction.tags = "https://h.example/lead.jpg", ["ports"]
    meta = build_document(item, crawl_id="c-1")["metadata"]
    assert meta == {
        "title": "Strike", "authors": ["Ana Ruiz"], "published": "2025-12-04T14:15:00Z",
        "published_offset": "-05:00", "published_source": "page", "modified": None,
        "modified_offset": None, "site_name": "Herald", "language": "en", "description": None,
        "image": "https://h.example/lead.jpg", "tags": ["ports"], "categories": [],
    }


def test_a_page_without_a_date_takes_the_time_its_feed_announced():
    item = _item()
    item.extraction.published = None
    item.discovered_date, item.discovered_date_via = Timestamp("2025-12-04T14:15:00Z", "-05:00"), "sitemap"
    meta = build_document(item, crawl_id="c-1")["metadata"]
    assert (meta["published"], meta["published_offset"], meta["published_source"]) == (
        "2025-12-04T14:15:00Z", "-05:00", "sitemap")
