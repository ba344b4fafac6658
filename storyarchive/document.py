"""The cleaned JSON document: one per article capture, versioned, never overwritten.

Schema (schema_version 2), documented in README.md ("Cleaned JSON"):

    schema_version, doc_id, story, crawl_id, spider, url, final_url, canonical_url,
    fetched_at, status, content_type, discovered_via, metadata{title, authors, published,
    published_offset, published_source, modified, modified_offset, site_name, language,
    description, image, tags, categories}, relevance{score, relevant, matched, reason},
    extractor{...}, blocks[{index, kind, text, relation, of_block, cluster, similarity}],
    text, text_dedup, word_count, word_count_dedup, syndication, warc{filename, offset,
    length, record_id, record_type}, replay_url

Version 1 (before) had metadata{title, authors, published (a date, "2025-12-31"),
site_name, language, description} and no word_count_dedup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any, TypeVar

import orjson

from storyarchive import layout
from storyarchive.dedup.text import text_dedup
from storyarchive.items import ArticleItem, Block
from storyarchive.store import spool
from storyarchive.store.base import ArchiveStore, StoreUnavailableError

SCHEMA_VERSION = 2

# Every metadata key of the current schema, with its value when unknown: a page journaled by
# an older version (or a version-1 document rebuilt by `dedup --rebuild`) gets the same keys.
METADATA_DEFAULTS: dict[str, Any] = {
    "title": None, "authors": [], "published": None, "published_offset": None,
    "published_source": None, "modified": None, "modified_offset": None, "site_name": None,
    "language": None, "description": None, "image": None, "tags": [], "categories": [],
}


def text_of(blocks: list[Block]) -> str:
    """The whole body as one string, blocks separated by blank lines."""
    return "\n\n".join(b.text for b in blocks)


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return sorted(set(value)) if isinstance(value, list) else [value]


def block_dict(b: Block) -> dict[str, Any]:
    """A block as stored in a document: dedup fields only when set."""
    d: dict[str, Any] = {"index": b.index, "kind": b.kind, "text": b.text, "relation": b.relation}
    if b.of_block is not None:
        d["of_block"] = b.of_block
    if b.cluster is not None:
        d["cluster"] = b.cluster
    if b.similarity is not None:
        d["similarity"] = round(b.similarity, 4)
    return d


def page_record(item: ArticleItem, *, crawl_id: str) -> dict[str, Any]:
    """A kept page as the crawl journal holds it: the document's fields before dedup (blocks
    with index, kind and text only; no text, relations, syndication or replay URL; the
    sources that listed it as the spider saw them). ValueError if it has no extraction."""
    ex = item.extraction
    if ex is None:
        raise ValueError(f"{item.url}: no extraction to build a document from")
    return {
        "doc_id": layout.doc_id(item.canonical_url),
        "story": item.story,
        "crawl_id": crawl_id,
        "spider": item.spider,
        "url": item.url,
        "final_url": item.final_url,
        "canonical_url": item.canonical_url,
        "fetched_at": item.fetched_at,
        "status": item.status,
        "content_type": item.content_type,
        "discovered_via": _as_list(item.discovered_via),
        "metadata": {
            "title": ex.title,
            "authors": ex.authors,
            **_published(item),
            "modified": ex.modified,
            "modified_offset": ex.modified_offset,
            "site_name": ex.site_name,
            "language": ex.language,
            "description": ex.description,
            "image": ex.image,
            "tags": ex.tags,
            "categories": ex.categories,
        },
        "relevance": asdict(item.relevance) if item.relevance else None,
        "extractor": ex.extractor,
        "blocks": [{"index": b.index, "kind": b.kind, "text": b.text} for b in ex.blocks],
        "warc": asdict(item.warc) if item.warc else None,
    }


def _published(item: ArticleItem) -> dict[str, Any]:
    """The page's own publication time; when it gives none, the one the feed or sitemap that
    listed it announced. `published_source` says which: page | feed | sitemap."""
    ex = item.extraction
    assert ex is not None
    if ex.published:
        return {"published": ex.published, "published_offset": ex.published_offset,
                "published_source": "page"}
    listed = item.discovered_date
    if listed is not None:
        return {"published": listed.value, "published_offset": listed.offset,
                "published_source": item.discovered_date_via or "feed"}
    return {"published": None, "published_offset": None, "published_source": None}


def page_blocks(page: dict[str, Any]) -> list[Block]:
    """The Block objects of a journaled page (relations not yet set)."""
    return [Block(int(b["index"]), b.get("kind", "paragraph"), b["text"]) for b in page["blocks"]]


def document_from_page(page: dict[str, Any], blocks: list[Block], *,
                       syndication: dict[str, Any] | None, discovered_via: list[str],
                       replay_url: str | None) -> dict[str, Any]:
    """The document of a journaled page, once dedup has set `blocks`' relations (the
    page's own blocks, same order) and `syndication`."""
    dedup_text = text_dedup(blocks)
    text = text_of(blocks)
    return {
        "schema_version": SCHEMA_VERSION,
        "doc_id": page["doc_id"],
        "story": page["story"],
        "crawl_id": page["crawl_id"],
        "spider": page["spider"],
        "url": page["url"],
        "final_url": page["final_url"],
        "canonical_url": page["canonical_url"],
        "fetched_at": page["fetched_at"],
        "status": page["status"],
        "content_type": page["content_type"],
        "discovered_via": discovered_via,
        "metadata": {**METADATA_DEFAULTS, **page["metadata"]},
        "relevance": page["relevance"],
        "extractor": page["extractor"],
        "blocks": [block_dict(b) for b in blocks],
        "text": text,
        "text_dedup": dedup_text,
        "word_count": len(text.split()),  # the blocks' words: blank lines join them
        "word_count_dedup": len(dedup_text.split()),
        "syndication": syndication,
        "warc": page["warc"],
        "replay_url": replay_url,
    }


def build_document(item: ArticleItem, *, crawl_id: str, replay_url: str | None = None) -> dict[str, Any]:
    """The JSON-ready document for an extracted item whose blocks carry their relations.
    ValueError if it has no extraction."""
    page = page_record(item, crawl_id=crawl_id)
    assert item.extraction is not None
    return document_from_page(page, item.extraction.blocks, syndication=item.syndication,
                              discovered_via=page["discovered_via"], replay_url=replay_url)


def encode_document(doc: dict[str, Any]) -> bytes:
    """Stable bytes for a document: the same document always encodes to the same bytes.
    Byte for byte what `json.dumps(doc, ensure_ascii=False, indent=2) + "\\n"` gives for
    the values a document holds (the format of the first archives), from orjson: the json
    module's indenting encoder is pure Python and cost more than the write itself."""
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def latest_document_key(store: ArchiveStore, slug: str, document_id: str) -> str | None:
    """Key of the newest stored version of a document, or None if it has none."""
    versions = [
        k
        for k in store.list_keys(layout.article_prefix(slug, document_id))
        if layout.article_version(k) is not None
    ]
    return max(versions, key=lambda k: layout.article_version(k) or "") if versions else None


def version_stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def write_document(
    store: ArchiveStore, doc: dict[str, Any], *, skip_unchanged: bool = True, durable: bool = True
) -> tuple[str, bool]:
    """Store `doc` as a new version of its document. Returns (key, written).

    If the newest stored version holds exactly these bytes nothing is written (re-running
    extraction with unchanged settings is idempotent). Version keys are timestamped and
    content-addressed, so nothing is ever overwritten. If the store is unreachable the
    document waits in the spool under its final key (`storyarchive store sync` sends it)
    and written is True. `skip_unchanged=False` skips the comparison with the latest version
    (two requests fewer): right for a fresh capture, whose fetch time makes it new anyway.
    `durable=False` leaves making it durable to the caller's `store.flush()`.
    """
    data = encode_document(doc)
    slug, document_id = doc["story"], doc["doc_id"]
    try:
        latest = latest_document_key(store, slug, document_id) if skip_unchanged else None
        if latest is not None and store.get_bytes(latest) == data:
            return latest, False
    except StoreUnavailableError:
        pass  # deliver_bytes below spools it
    key = layout.article_key(slug, document_id, version_stamp(), hashlib.sha256(data).hexdigest())
    spool.deliver_bytes(store, key, data, durable=durable)
    return key, True


def iter_latest_documents(store: ArchiveStore, slug: str):  # type: ignore[no-untyped-def]
    """Yield (key, document dict) for the latest version of every document of a story."""
    for _ident, key in sorted(latest_document_keys(store, f"{layout.story_prefix(slug)}articles/").items()):
        yield key, json.loads(store.get_bytes(key))


class DocumentReadError(ValueError):
    """A stored document could not be read as JSON (the key says which)."""


def read_document(store: ArchiveStore, key: str) -> dict[str, Any]:
    """The document stored at `key`. KeyError if absent, DocumentReadError if it is not a
    JSON object, StoreError if the store cannot be read."""
    try:
        doc = json.loads(store.get_bytes(key))
    except ValueError as exc:
        raise DocumentReadError(f"{key} in {store.uri} is not a JSON document: {exc}") from None
    if not isinstance(doc, dict):
        raise DocumentReadError(f"{key} in {store.uri} is not a JSON document (a JSON object)")
    return doc


T = TypeVar("T")
R = TypeVar("R")
READ_THREADS = 8  # documents read at once: an S3 store answers each GET in milliseconds


def read_in_batches(items: Sequence[T], read: Callable[[T], R], batch: int = 256,
                    threads: int = READ_THREADS) -> Iterator[list[R]]:
    """`read(item)` for every item, `threads` at a time (the store's round trips overlap),
    yielded a batch of `batch` results at a time in the items' order, so memory holds one
    batch however many documents a story has."""
    with ThreadPoolExecutor(threads, thread_name_prefix="read-documents") as pool:
        for lo in range(0, len(items), batch):
            yield list(pool.map(read, items[lo:lo + batch]))


def version_keys(store: ArchiveStore, prefix: str = "stories/") -> dict[tuple[str, str], list[str]]:
    """(story, doc_id) -> the keys of every stored version, oldest first, for every document
    under `prefix` (stories/ for the whole archive, stories/<slug>/articles/ for one story,
    an article's prefix for one document): one listing. A version's key sorts by its time."""
    out: dict[tuple[str, str], list[str]] = {}
    for key in store.list_keys(prefix):
        parts = key.split("/")
        if layout.article_version(key) is None or len(parts) != 5 or parts[2] != "articles":
            continue
        out.setdefault((parts[1], parts[3]), []).append(key)
    for keys in out.values():
        keys.sort()
    return out


def latest_document_keys(store: ArchiveStore, prefix: str = "stories/") -> dict[tuple[str, str], str]:
    """(story, doc_id) -> key of the latest version, for every document under `prefix`
    (as version_keys): one listing."""
    return {ident: keys[-1] for ident, keys in version_keys(store, prefix).items()}
