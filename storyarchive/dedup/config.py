"""The dedup stage's options, one object (defaults justified in docs/dedup.md by the
evaluation in eval/dedup/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storyarchive import defaults
from storyarchive.dedup.canonical import DEFAULT_WIRE_NAMES
from storyarchive.dedup.fingerprint import LSH_VERSION, LshParams
from storyarchive.dedup.verify import MatchThresholds


@dataclass(frozen=True)
class DedupConfig:
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)
    lsh: LshParams = field(default_factory=LshParams)
    # the same block on this many URLs of one site is boilerplate
    boilerplate_min_urls: int = defaults.STORYARCHIVE_DEDUP_BOILERPLATE_MIN_URLS
    wire_sites: frozenset[str] = frozenset()  # host[:port] of wire agencies
    wire_names: frozenset[str] = frozenset(n.casefold() for n in DEFAULT_WIRE_NAMES)
    max_bucket: int = 200  # texts sharing one LSH band key compared pairwise at most

    def index_meta(self) -> dict[str, object]:
        """What the persisted index depends on (a change requires a rebuild)."""
        return {"v": LSH_VERSION, "shingle_words": self.lsh.shingle_words, "bands": self.lsh.bands,
                "rows": self.lsh.rows}


def config_from_settings(settings: Any, extra_wire_sites: tuple[str, ...] = ()) -> DedupConfig:
    """The DedupConfig described by the STORYARCHIVE_DEDUP_* settings (defaults in
    storyarchive/defaults.py; any object with Scrapy's getfloat/getint/getlist). ValueError naming the
    setting if a value is out of range."""
    th = MatchThresholds(
        jaccard=settings.getfloat("STORYARCHIVE_DEDUP_JACCARD"),
        containment=settings.getfloat("STORYARCHIVE_DEDUP_CONTAINMENT"),
        min_words=settings.getint("STORYARCHIVE_DEDUP_MIN_WORDS"),
    )
    for name, v in (("JACCARD", th.jaccard), ("CONTAINMENT", th.containment)):
        if not 0.0 < v <= 1.0:
            raise ValueError(f"STORYARCHIVE_DEDUP_{name} must be in (0, 1], got {v}")
    lsh = LshParams(shingle_words=settings.getint("STORYARCHIVE_DEDUP_SHINGLE_WORDS"),
                    bands=settings.getint("STORYARCHIVE_DEDUP_LSH_BANDS"),
                    rows=settings.getint("STORYARCHIVE_DEDUP_LSH_ROWS"))
    if lsh.shingle_words < 1 or lsh.bands < 1 or lsh.rows < 1:
        raise ValueError("STORYARCHIVE_DEDUP_SHINGLE_WORDS, _LSH_BANDS and _LSH_ROWS must be >= 1")
    sites = [s.strip().lower() for s in settings.getlist("STORYARCHIVE_DEDUP_WIRE_SITES")]
    return DedupConfig(
        thresholds=th, lsh=lsh,
        boilerplate_min_urls=max(2, settings.getint("STORYARCHIVE_DEDUP_BOILERPLATE_MIN_URLS")),
        wire_sites=frozenset(s for s in [*sites, *extra_wire_sites] if s),
    )
