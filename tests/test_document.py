"""Cleaned JSON documents: schema, text fields, versioning without overwrite."""

import json

from storyarchive import layout
from storyarchive.document import build_document, iter_latest_documents, write_document
from storyarchive.items import ArticleItem, Block, Extraction, WarcRef
from storyarchive.store.local import LocalStore


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
    assert doc["schema_version"] == 1
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
