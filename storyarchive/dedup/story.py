"""`StoryDedup`: the dedup stage for one story, wired to its index and to the archive.

Turns ArticleItems into `DocInput`s (identity = layout.doc_id of the canonical URL, site =
host:port of the canonical URL), opens the story's index (SQLite file in the store's state
directory, or Redis when a URL is given) and reads earlier blocks' text back from the
archive's JSON documents to verify near-duplicate candidates.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Iterable

from storyarchive import layout
from storyarchive.dedup.backend import IndexBackend, RedisBackend, SqliteBackend
from storyarchive.dedup.canonical import DocMeta, is_wire, published_key, site_of
from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.engine import BlockDeduplicator, DocInput
from storyarchive.dedup.index import PriorIndex
from storyarchive.dedup.rebuild import rebuild
from storyarchive.dedup.records import IndexFormatError
from storyarchive.dedup.summary import DedupSummary
from storyarchive.items import ArticleItem
from storyarchive.redis_connection import RedisParams
from storyarchive.store import spool
from storyarchive.store.base import ArchiveStore, StoreError

logger = logging.getLogger(__name__)


def open_backend(slug: str, store: ArchiveStore | None, redis_url: str | None,
                 redis_params: RedisParams | None = None) -> IndexBackend:
    """Redis if `redis_url` (connected with `redis_params`, see
    storyarchive.redis_connection), else the embedded SQLite file
    `state_dir(store)/<slug>/dedup.sqlite`."""
    layout.check_slug(slug)
    if redis_url:
        if store is None:
            raise ValueError("the shared dedup index is scoped to a store: give the store")
        from storyarchive.store.identity import store_id

        # scoped to the store's identity: two archives sharing one Redis never mix
        return RedisBackend(redis_url, slug, prefix=f"sa:dd:{store_id(store)}:", params=redis_params)
    if store is None:
        raise ValueError("the embedded dedup index needs a store (for its state directory)")
    return SqliteBackend(spool.state_dir(store) / slug / "dedup.sqlite")


class ArchiveTextSource:
    """Reads a block's text from the latest stored JSON version of a document (cached)."""

    def __init__(self, store: ArchiveStore, slug: str, cache_docs: int = 256) -> None:
        self.store = store
        self.slug = slug
        self._cache: OrderedDict[str, dict[int, str]] = OrderedDict()
        self._max = cache_docs

    def _blocks(self, doc_id: str) -> dict[int, str]:
        if doc_id in self._cache:
            self._cache.move_to_end(doc_id)
            return self._cache[doc_id]
        from storyarchive.document import latest_document_key

        blocks: dict[int, str] = {}
        try:
            best_key = latest_document_key(self.store, self.slug, doc_id)
            if best_key is not None:
                doc = json.loads(self.store.get_bytes(best_key))
                blocks = {int(b["index"]): b["text"] for b in doc.get("blocks", [])}
        except (StoreError, KeyError, ValueError) as exc:
            logger.warning("dedup: cannot read document %s from the archive: %s", doc_id, exc)
        self._cache[doc_id] = blocks
        if len(self._cache) > self._max:
            self._cache.popitem(last=False)
        return blocks

    def __call__(self, doc_id: str, block_index: int) -> str | None:
        return self._blocks(doc_id).get(block_index)


def doc_input(item: ArticleItem, config: DedupConfig) -> DocInput:
    """The dedup view of an extracted item. ValueError if it has no extraction."""
    ex = item.extraction
    if ex is None:
        raise ValueError(f"{item.url}: no extraction to deduplicate")
    site = site_of(item.canonical_url)
    meta = DocMeta(layout.doc_id(item.canonical_url), item.canonical_url, site,
                   published_key(ex.published),
                   is_wire(site, ex.site_name, config.wire_sites, config.wire_names), True)
    return DocInput(meta, ex.blocks)


def load_index(index: PriorIndex, store: ArchiveStore | None, slug: str, config: DedupConfig) -> None:
    """Read the story's index; one built by another version or with other settings is
    rebuilt from the archive's documents first (the index is only ever a cache of them)."""
    try:
        index.sync()
    except IndexFormatError as exc:
        logger.warning("dedup index of %r cannot be used (%s); rebuilding it from the "
                       "archive", slug, exc)
        index.backend.clear()
        index.reset()
        if store is not None:
            report = rebuild(store, slug, config, index)
            logger.warning("dedup index of %r rebuilt from %d documents", slug, report.documents)


class StoryDedup:
    """One story's dedup: `finalize(items)` sets relations and syndication on the items and
    persists their blocks in the story's index."""

    def __init__(self, slug: str, config: DedupConfig, backend: IndexBackend,
                 store: ArchiveStore | None = None) -> None:
        self.slug = slug
        self.config = config
        self.backend = backend
        self.store = store
        self.index = PriorIndex(backend, config.index_meta())
        source = ArchiveTextSource(store, slug) if store is not None else None
        self.dedup = BlockDeduplicator(config, self.index, source)

    def _load_index(self) -> None:
        load_index(self.index, self.store, self.slug, self.config)

    def finalize(self, items: Iterable[ArticleItem], persist: bool = True) -> DedupSummary:
        self._load_index()
        pairs = [(item, doc_input(item, self.config)) for item in items if item.extraction]
        summary = self.dedup.finalize([d for _, d in pairs], persist=persist)
        for item, d in pairs:
            item.syndication = d.syndication
        return summary

    def close(self) -> None:
        self.backend.close()
