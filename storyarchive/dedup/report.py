"""What a dedup run reports: the relation counts of its summary, each document's
syndication, and the index records of its documents."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from storyarchive.dedup.records import DocRecord
from storyarchive.dedup.run import Run
from storyarchive.dedup.summary import DedupSummary


def count_relations(run: Run, summary: DedupSummary) -> None:
    """The summary's blocks per relation, over the run's documents."""
    rel: dict[str, int] = defaultdict(int)
    for d in run.docs:
        for b in d.blocks:
            rel[b.relation] += 1
    summary.relations = dict(sorted(rel.items()))


def syndication(run: Run) -> None:
    """Each document's syndication: its share of words shared with other outlets, its
    clusters with their canonical copies, its main cluster's canonical copy, and whether
    it is the canonical copy of every cluster it is in."""
    canon = run.canon
    for d, block_words in zip(run.docs, run.block_words, strict=True):
        total = shared = 0
        per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for b, w in zip(d.blocks, block_words, strict=True):
            if b.relation in ("repeat-in-page", "site-boilerplate"):
                continue
            total += w
            if b.cluster:
                if b.relation != "site-copy":  # (shared with other outlets)
                    shared += w
                per[b.cluster][0] += 1
                per[b.cluster][1] += w
        d.syndication = {"shared_share": round(shared / total, 4) if total else 0.0,
                         "clusters": [], "canonical": None, "is_canonical": True}
        if not per:
            continue
        clusters = []
        for cid in sorted(per):
            c = canon[cid]
            clusters.append({"cluster": cid, "blocks": per[cid][0],
                             "canonical": {"doc_id": c[0], "canonical_url": c[1]}})
        main = max(sorted(per), key=lambda c: per[c][1])
        d.syndication.update({
            "clusters": clusters,
            "canonical": {"doc_id": canon[main][0], "canonical_url": canon[main][1]},
            "is_canonical": all(canon[c][0] == d.meta.doc_id for c in per),
        })


def doc_records(run: Run) -> list[DocRecord]:
    """Index records of this run's documents, each with its indexed blocks."""
    out = []
    for d, (indexes, keys) in zip(run.docs, run.doc_blocks, strict=True):
        m = d.meta
        out.append(DocRecord(m.doc_id, m.canonical_url, m.site, m.published, m.wire,
                             np.array(keys, dtype=np.uint64),
                             np.array(indexes, dtype=np.int64)))
    return out
