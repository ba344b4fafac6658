"""What a dedup run did, for `storyarchive show`, the crawl manifest and the demo summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ClusterMember:
    doc_id: str
    canonical_url: str
    site: str
    blocks: int  # how many of its blocks are in the cluster
    earlier: bool  # known from the index (an earlier crawl), not part of this run


@dataclass
class ClusterSummary:
    cluster: str
    canonical: ClusterMember
    members: list[ClusterMember]

    @property
    def sites(self) -> list[str]:
        return sorted({m.site for m in self.members})


@dataclass
class DedupSummary:
    documents: int = 0
    blocks_seen: int = 0
    relations: dict[str, int] = field(default_factory=dict)  # relation -> blocks (this run)
    clusters: list[ClusterSummary] = field(default_factory=list)
    earlier_documents: int = 0  # documents already in the index before this run
    candidates: int = 0  # near-duplicate candidate pairs from LSH
    verified: int = 0  # ... confirmed by Jaccard/containment
    unverifiable: int = 0  # ... whose earlier text could not be read from the archive

    @property
    def collapsed(self) -> dict[str, int]:
        return {k: v for k, v in self.relations.items() if k != "unique"}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["collapsed"] = self.collapsed
        for c, src in zip(d["clusters"], self.clusters, strict=True):
            c["sites"] = src.sites
        return d

    def format(self) -> str:
        """A few human-readable lines."""
        rel = ", ".join(f"{k} {v}" for k, v in sorted(self.relations.items()))
        lines = [f"dedup: {self.blocks_seen} blocks in {self.documents} documents ({rel}); "
                 f"{len(self.clusters)} syndication clusters"]
        for c in self.clusters:
            lines.append(f"  {c.cluster}: {len(c.members)} copies at {', '.join(c.sites)}; "
                         f"canonical {c.canonical.canonical_url}")
        return "\n".join(lines)
