"""`BlockDeduplicator`: tiers 2-4 over a whole crawl, deterministic, with provenance.

Input: the crawl's documents (`DocInput`, blocks already normalized by tier 1) and the
story's `PriorIndex` (earlier crawls). Output: every block's relation, each document's
syndication summary, a `DedupSummary`; then this crawl's blocks are appended to the index.

Determinism: every decision is a function of the *set* of texts and documents: texts are
nodes keyed by their exact hash, edges are verified near-duplicate pairs (LSH candidates
checked by real Jaccard/containment), clusters are connected components, and the canonical
copy is the minimum of a fixed sort key. Arrival order is never consulted.

The steps live in their own modules: `tiers` (tier 1, site articles, boilerplate,
clusters), `candidates` (fingerprints and LSH candidate pairs), `graph` (verification and
the union-find), `report` (relation counts, syndication, index records); `run` holds the
state they share.
"""

from __future__ import annotations

import gc

import numpy as np

from storyarchive.dedup import report, tiers
from storyarchive.dedup.candidates import candidate_pairs, fingerprint_run
from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.fingerprint import Fingerprinter
from storyarchive.dedup.graph import NearCopyGraph
from storyarchive.dedup.index import PriorIndex
from storyarchive.dedup.records import text_array
from storyarchive.dedup.run import DocInput, Run, TextSource
from storyarchive.dedup.summary import DedupSummary

__all__ = ["BlockDeduplicator", "DocInput"]


class BlockDeduplicator:
    """Runs tiers 2-4 for one story against its index (None: no memory between runs)."""

    def __init__(self, config: DedupConfig, index: PriorIndex | None = None,
                 text_source: TextSource | None = None) -> None:
        self.config = config
        self.index = index
        self.text_source = text_source
        self.fp = Fingerprinter(config.lsh)
        self.graph = NearCopyGraph(config, index, text_source, self.fp)

    def finalize(self, docs: list[DocInput], persist: bool = True) -> DedupSummary:
        """Set every block's relation and every document's syndication; return the summary.
        With `persist`, append this run's documents and texts to the index."""
        # A run allocates many small acyclic objects: the cyclic collector would rescan the
        # whole (growing) heap again and again for nothing. Paused for the run only.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._finalize(docs, persist)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _finalize(self, docs: list[DocInput], persist: bool) -> DedupSummary:
        docs = sorted(docs, key=lambda d: (d.meta.doc_id, d.meta.canonical_url))
        prior = self.index
        if prior is not None:
            prior.sync()
        run = Run(docs, prior)
        summary = DedupSummary(documents=len(docs))
        tiers.tier1(run, self.config, summary)
        if prior is not None:
            run.recrawled = {d.meta.doc_id for d in docs}.intersection(prior.docs)
            summary.earlier_documents = len(prior.docs) - len(run.recrawled)
            # (a set intersection first: most texts of a crawl are new)
            for key in sorted(prior.occurrences.keys() & run.occ.keys()):
                found = run.prior_occ(key, run.recrawled)
                if found:
                    run.occ[key].extend(found)
        fps = fingerprint_run(run, self.fp, self.config)
        pairs = candidate_pairs(run, self.config, fps)
        self.graph.connect(run, pairs, run.recrawled, summary)
        del pairs
        articles = tiers.site_articles(run)
        boiler, boiler_only = tiers.boilerplate(run, articles, self.config)
        tiers.clusters(run, self.graph, boiler, boiler_only, summary, run.recrawled, articles)
        report.count_relations(run, summary)
        report.syndication(run)
        if persist and prior is not None:
            new = fps.new
            words = np.fromiter((run.norms[k].words for k in fps.keys.tolist()), dtype=np.int64,
                                count=len(fps.keys))
            prior.append_run(text_array(fps.keys[new], fps.blooms[new], words[new],
                                        fps.band_keys[new]),
                             run.edges, report.doc_records(run))
        self.graph.remember(run)
        return summary
