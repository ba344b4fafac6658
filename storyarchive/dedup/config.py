"""The dedup stage's options, one object (defaults justified in docs/dedup.md by the
evaluation in eval/dedup/)."""

from __future__ import annotations

from dataclasses import dataclass, field

from storyarchive.dedup.canonical import DEFAULT_WIRE_NAMES
from storyarchive.dedup.fingerprint import LSH_VERSION, LshParams
from storyarchive.dedup.verify import MatchThresholds


@dataclass(frozen=True)
class DedupConfig:
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)
    lsh: LshParams = field(default_factory=LshParams)
    boilerplate_min_urls: int = 3  # same block on this many URLs of one site = boilerplate
    wire_sites: frozenset[str] = frozenset()  # host[:port] of wire agencies
    wire_names: frozenset[str] = frozenset(n.casefold() for n in DEFAULT_WIRE_NAMES)
    max_bucket: int = 200  # texts sharing one LSH band key compared pairwise at most

    def index_meta(self) -> dict[str, object]:
        """What the persisted index depends on (a change requires a rebuild)."""
        return {"v": LSH_VERSION, "shingle_words": self.lsh.shingle_words, "bands": self.lsh.bands,
                "rows": self.lsh.rows}
