"""Recompute a story's dedup from its stored JSON documents and rebuild its index.

Two passes, so the story is never held twice: pass 1 reads the latest version of every
document and keeps only its blocks and identity; the deduplicator runs over all of them as
one run against an emptied index (which it refills); pass 2 re-reads each document whose
relations or syndication changed and hands the updated document to `write`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storyarchive.dedup.canonical import DocMeta, is_wire, published_key, site_of
from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.engine import BlockDeduplicator, DocInput
from storyarchive.dedup.index import PriorIndex
from storyarchive.dedup.summary import DedupSummary
from storyarchive.dedup.text import text_dedup
from storyarchive.document import block_dict
from storyarchive.items import Block
from storyarchive.store.base import ArchiveStore

logger = logging.getLogger(__name__)

# Takes an updated document dict, stores it as a new version; returns its key.
WriteDocument = Callable[[dict[str, Any]], str]


@dataclass
class ChangedDocument:
    doc_id: str
    canonical_url: str
    blocks_changed: int
    syndication_changed: bool
    key: str | None = None  # the new version's key, once written


@dataclass
class RebuildReport:
    documents: int = 0
    changed: list[ChangedDocument] = field(default_factory=list)
    summary: DedupSummary = field(default_factory=DedupSummary)

    def format(self) -> str:
        lines = [self.summary.format(),
                 f"{len(self.changed)} of {self.documents} documents changed"]
        for c in self.changed:
            what = f"{c.blocks_changed} blocks" + (", syndication" if c.syndication_changed else "")
            lines.append(f"  {c.doc_id} {c.canonical_url}: {what}"
                         + (f" -> {c.key}" if c.key else ""))
        return "\n".join(lines)


def _block_state(b: dict[str, Any]) -> tuple[Any, ...]:
    sim = b.get("similarity")
    return (b.get("relation", "unique"), b.get("of_block"), b.get("cluster"),
            round(sim, 4) if sim is not None else None)


def apply_to_document(doc: dict[str, Any], blocks: list[Block],
                      syndication: dict[str, Any] | None) -> dict[str, Any]:
    """`doc` with its blocks' relations, text_dedup and syndication replaced."""
    by_index = {b.index: b for b in blocks}
    out_blocks = []
    for raw in doc.get("blocks", []):
        b = by_index[int(raw["index"])]
        # The stored block's own fields, then the new dedup fields, as documents hold them.
        d = {k: v for k, v in raw.items() if k not in ("relation", "of_block", "cluster", "similarity")}
        out_blocks.append({**d, **{k: v for k, v in block_dict(b).items() if k not in d}})
    return {**doc, "blocks": out_blocks, "text_dedup": text_dedup(blocks),
            "syndication": syndication}


def rebuild(store: ArchiveStore, slug: str, config: DedupConfig, index: PriorIndex,
            write: WriteDocument | None = None) -> RebuildReport:
    """Recompute every relation of story `slug` from the store, rebuild `index` (cleared
    first), and write the documents that changed through `write` (None: dry run).
    Raises StoreError if the store can't be read."""
    from storyarchive.document import iter_latest_documents

    keys: dict[str, str] = {}
    inputs: list[DocInput] = []
    before: dict[str, tuple[list[tuple[Any, ...]], Any]] = {}
    for key, doc in iter_latest_documents(store, slug):
        meta = doc.get("metadata") or {}
        url = doc["canonical_url"]
        site = site_of(url)
        dm = DocMeta(doc["doc_id"], url, site, published_key(meta.get("published")),
                     is_wire(site, meta.get("site_name"), config.wire_sites, config.wire_names),
                     True)
        blocks = [Block(int(b["index"]), b.get("kind", "paragraph"), b["text"])
                  for b in doc.get("blocks", [])]
        inputs.append(DocInput(dm, blocks))
        keys[dm.doc_id] = key
        before[dm.doc_id] = ([_block_state(b) for b in doc.get("blocks", [])],
                             doc.get("syndication"))
    index.backend.clear()
    index.reset()
    summary = BlockDeduplicator(config, index).finalize(inputs, persist=True)
    report = RebuildReport(documents=len(inputs), summary=summary)
    for d in sorted(inputs, key=lambda d: d.meta.doc_id):
        old_blocks, old_synd = before[d.meta.doc_id]
        new_blocks = [(b.relation, b.of_block, b.cluster,
                       round(b.similarity, 4) if b.similarity is not None else None)
                      for b in d.blocks]
        n = sum(1 for o, x in zip(old_blocks, new_blocks, strict=True) if o != x)
        synd_changed = json.dumps(old_synd, sort_keys=True) != json.dumps(d.syndication,
                                                                           sort_keys=True)
        if not n and not synd_changed:
            continue
        change = ChangedDocument(d.meta.doc_id, d.meta.canonical_url, n, synd_changed)
        if write is not None:
            doc = json.loads(store.get_bytes(keys[d.meta.doc_id]))
            change.key = write(apply_to_document(doc, d.blocks, d.syndication))
        report.changed.append(change)
    return report
