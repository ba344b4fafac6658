"""The input of a dedup run (`DocInput`) and its working state (`Run`), which the steps of
`engine.BlockDeduplicator.finalize` (tiers, candidates, graph, report) share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storyarchive.dedup.canonical import DocMeta
from storyarchive.dedup.index import Occurrence, PriorIndex
from storyarchive.items import Block

# (doc_id, block index) -> the block's text in the archive, or None if it can't be read.
TextSource = Callable[[str, int], "str | None"]


@dataclass
class DocInput:
    """One document of the crawl: identity, what the canonical rule needs, its blocks
    (the item's own Block objects: relations are written into them)."""

    meta: DocMeta
    blocks: list[Block]
    syndication: dict[str, Any] | None = None


@dataclass
class Run:
    """Working state of one finalize call over `docs`, against `index` (None: no memory
    between runs)."""

    docs: list[DocInput]
    index: PriorIndex | None = None
    occ: dict[int, list[Occurrence]] = field(default_factory=lambda: defaultdict(list))
    texts: dict[int, Any] = field(default_factory=dict)  # text key -> graph.Text or None
    parent: dict[int, int] = field(default_factory=dict)
    recrawled: set[str] = field(default_factory=set)  # indexed docs this run replaces
    # per document: its indexed blocks' indexes and text keys (in block order)
    doc_blocks: list[tuple[list[int], list[int]]] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)  # verified near copies
    block_words: list[list[int]] = field(default_factory=list)  # per doc, per block: words
    canon: dict[str, tuple[str, str]] = field(default_factory=dict)  # cluster -> doc_id, url
    norms: dict[int, Any] = field(default_factory=dict)  # this run's texts, normalized
    fps: Any = None  # fingerprints of this run's texts new to the index
    fps_row: dict[int, int] = field(default_factory=dict)  # text key -> row in fps, or -1

    def prior_occ(self, key: int, exclude: set[str]) -> list[Occurrence]:
        """Occurrences of a text in indexed documents, except those recrawled now (their
        current version replaces the indexed one)."""
        assert self.index is not None
        found = self.index.prior_occurrences(key)
        if not exclude or not found:
            return found
        return [o for o in found if o.doc.doc_id not in exclude]

    def occurrences(self, key: int) -> list[Occurrence]:
        """Every occurrence of a text: this run's, or else the index's."""
        occ = self.occ
        return occ[key] if key in occ else self.prior_occ(key, self.recrawled)
