"""Recompute a story's dedup from its stored JSON documents and rebuild its index.

The documents are turned back into the pages they were made from and go through the
finish stage (storyarchive.finish), like a crawl's pages: so a rebuild writes exactly the
documents a crawl of the same pages would. Memory is one batch, not the story.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.index import PriorIndex
from storyarchive.dedup.summary import DedupSummary
from storyarchive.store.base import ArchiveStore

logger = logging.getLogger(__name__)

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


# What dedup makes of a document; everything else in it is the page as it was captured.
_DEDUP_FIELDS = frozenset({"schema_version", "blocks", "text", "text_dedup", "word_count",
                           "word_count_dedup", "syndication"})


def page_of_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The journaled page (storyarchive.document.page_record) a stored document was made
    from: its fields but the ones dedup makes, blocks with index, kind and text only."""
    page = {k: v for k, v in doc.items() if k not in _DEDUP_FIELDS}
    page["blocks"] = [{"index": int(b["index"]), "kind": b.get("kind", "paragraph"), "text": b["text"]}
                      for b in doc.get("blocks", [])]
    return page


def rebuild(store: ArchiveStore, slug: str, config: DedupConfig, index: PriorIndex,
            write: bool = False, batch_documents: int | None = None) -> RebuildReport:
    """Recompute every relation of story `slug` from its stored documents through the
    finish stage (the story as one run, in doc-id batches), refill `index` (cleared
    first), and with `write` store a new version of every document that changed (else a
    dry run as far as documents go; the index is refilled either way).
    Raises StoreError if the store can't be read."""
    import hashlib

    from storyarchive.document import encode_document, iter_latest_documents
    from storyarchive.finish import (
        DEFAULT_BATCH_DOCUMENTS,
        FinishOptions,
        FinishReport,
        PageJournal,
        write_pages,
    )

    report = RebuildReport()
    old: dict[str, tuple[str, bytes]] = {}  # doc_id -> (key, SHA-256 of its bytes)
    with PageJournal(store, slug, "rebuild") as pages:
        for key, doc in iter_latest_documents(store, slug):
            old[doc["doc_id"]] = (key, hashlib.sha256(encode_document(doc)).digest())
            pages.add(page_of_document(doc))
        report.documents = len(old)
        index.backend.clear()
        index.reset()

        def seen(doc: dict[str, Any], key: str | None, written: bool) -> None:
            old_key, digest = old[doc["doc_id"]]
            if hashlib.sha256(encode_document(doc)).digest() == digest:
                return
            before = json.loads(store.get_bytes(old_key))
            n = sum(1 for o, x in zip(before.get("blocks", []), doc["blocks"], strict=True)
                    if _block_state(o) != _block_state(x))
            synd_changed = (json.dumps(before.get("syndication"), sort_keys=True)
                            != json.dumps(doc["syndication"], sort_keys=True))
            if n or synd_changed:
                report.changed.append(ChangedDocument(doc["doc_id"], doc["canonical_url"], n,
                                                      synd_changed, key if write else None))

        summary = write_pages(store, slug, pages.path, pages.sorted_pages(),
                              FinishOptions(dedup=config,
                                            batch_documents=batch_documents or DEFAULT_BATCH_DOCUMENTS),
                              None,
                              report=FinishReport(slug, "rebuild"), fresh_index=True,
                              compare=True, dry_run=not write, backend=index.backend,
                              on_document=seen)
    index.reset()
    index.sync()  # what write_pages appended
    report.summary = summary or DedupSummary()
    report.changed.sort(key=lambda c: c.doc_id)
    return report
