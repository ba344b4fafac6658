"""The tiers of a dedup run: in-page repeats and the run's texts (tier 1), copies of one
article on one site and site boilerplate (tier 2), and the clusters of exact and near
copies across outlets (tiers 3 and 4) with their canonical copy."""

from __future__ import annotations

from collections import defaultdict
from hashlib import blake2b
from typing import Any

from storyarchive.dedup.canonical import DocMeta, canonical_order
from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.graph import NearCopyGraph
from storyarchive.dedup.index import Occurrence
from storyarchive.dedup.run import Run
from storyarchive.dedup.summary import ClusterMember, ClusterSummary, DedupSummary
from storyarchive.dedup.text import mark_in_page_repeats
from storyarchive.dedup.verify import jaccard
from storyarchive.items import Block

# Two documents of one site are copies of one article (filed under two sections, printed
# at two URLs) when the texts they share hold at least this share of the words of each.
# Different articles sharing a site's boxes stay far below it: their own text differs.
SAME_ARTICLE = 0.8
_COPY_CLUE_DOCS = 64  # a text on more documents than this is no clue to an article's copies


def tier1(run: Run, config: DedupConfig, summary: DedupSummary) -> None:
    """Tier 1 (in-page repeats) of every document, and the run's texts: `run.occ`,
    `run.norms`, `run.doc_blocks` and `run.block_words`. Blocks shorter than `min_words`
    and in-page repeats take no part in the later tiers."""
    min_words = config.thresholds.min_words
    norms: dict[int, Any] = {}
    occ = run.occ
    block_words = run.block_words
    new = tuple.__new__
    seen = 0
    for d in run.docs:
        indexes: list[int] = []
        keys: list[int] = []
        meta = d.meta
        doc_norms = mark_in_page_repeats(d.blocks)
        block_words.append([n.words for n in doc_norms])
        seen += len(doc_norms)
        for b, n in zip(d.blocks, doc_norms, strict=True):
            if n.words < min_words or b.relation == "repeat-in-page":
                continue
            key = n.key
            occ[key].append(new(Occurrence, (meta, b.index)))  # see index._tuple_new
            indexes.append(b.index)
            keys.append(key)
            if key not in norms:
                norms[key] = n
        if indexes != sorted(indexes):  # the record lists blocks in index order
            order = sorted(range(len(indexes)), key=indexes.__getitem__)
            indexes, keys = [indexes[i] for i in order], [keys[i] for i in order]
        run.doc_blocks.append((indexes, keys))
    summary.blocks_seen += seen
    run.norms = norms


def site_articles(run: Run) -> dict[str, str]:
    """doc id -> its article: the smallest doc id among the copies of one article on
    one site (documents whose shared texts hold SAME_ARTICLE of the words of each), for
    the documents that share a text with another document of their site; a document
    not in the map is an article of its own.

    Candidates come from each document's rarest texts: if two documents share
    SAME_ARTICLE of each one's words, each holds one of the other's rarest texts that
    make up more than the rest (1 - SAME_ARTICLE) of its words. Templated pages (their
    own text on one page, boxes on all) make no candidates at all."""
    docs: dict[str, DocMeta] = {}  # documents sharing a text with another of their site
    for occs in run.occ.values():
        if len(occs) > 1:
            by_site: dict[str, dict[str, DocMeta]] = defaultdict(dict)
            for o in occs:
                by_site[o.doc.site][o.doc.doc_id] = o.doc
            for found in by_site.values():
                if len(found) > 1:
                    docs.update(found)
    if len(docs) < 2:
        return {}
    current = {d.meta.doc_id: keys for d, (_, keys) in zip(run.docs, run.doc_blocks, strict=True)}
    words: dict[int, int] = {k: n.words for k, n in run.norms.items()}
    keys_of: dict[str, set[int]] = {}
    for doc_id in docs:
        if doc_id in current:
            keys_of[doc_id] = set(current[doc_id])
        elif run.index is not None and doc_id in run.index.docs:
            keys_of[doc_id] = set(run.index.docs[doc_id].keys.tolist())
    if run.index is not None:
        missing = sorted({k for ks in keys_of.values() for k in ks} - words.keys())
        known = [k for k in missing if k in run.index.texts]
        words.update(zip(known, run.index.text_words(known), strict=True))
    total = {d: sum(words.get(k, 0) for k in ks) for d, ks in keys_of.items()}
    pairs: set[tuple[str, str]] = set()
    for doc_id, ks in keys_of.items():
        site, need, seen = docs[doc_id].site, (1 - SAME_ARTICLE) * total[doc_id], 0
        rarest = sorted(ks, key=lambda k: (len(run.occurrences(k)), k))
        for k in rarest:
            if seen > need:
                break
            seen += words.get(k, 0)
            occs = run.occurrences(k)
            if len(occs) > _COPY_CLUE_DOCS:
                continue
            pairs.update((min(doc_id, o.doc.doc_id), max(doc_id, o.doc.doc_id)) for o in occs
                         if o.doc.site == site and o.doc.doc_id != doc_id
                         and o.doc.doc_id in keys_of)
    parent: dict[str, str] = {}

    def find(d: str) -> str:
        while parent.get(d, d) != d:
            d = parent[d]
        return d

    for a, b in sorted(pairs):
        ka, kb = keys_of[a], keys_of[b]
        shared = sum(words.get(k, 0) for k in ka & kb)
        if shared and shared >= SAME_ARTICLE * total[a] and shared >= SAME_ARTICLE * total[b]:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {d: find(d) for d in parent.keys() | parent.values()}


def boilerplate(run: Run, articles: dict[str, str],
                config: DedupConfig) -> tuple[set[tuple[int, str]], set[int]]:
    """(text key, site) pairs where the text is in >= N different articles of that site
    (distinct URLs, copies of one article counting once: an article's own text is never
    boilerplate, however many URLs it is filed under), and the texts that are
    boilerplate on every site they are on (no block of theirs can be in a cluster, so
    the cluster pass leaves them out)."""
    n = config.boilerplate_min_urls
    out: set[tuple[int, str]] = set()
    only: set[int] = set()
    # (texts with fewer blocks than the URLs needed: skipped in one comprehension)
    for key, occs in [(k, v) for k, v in run.occ.items() if len(v) >= n]:
        by_site: dict[str, set[str]] = defaultdict(set)
        for o in occs:
            by_site[o.doc.site].add(articles.get(o.doc.doc_id, o.doc.doc_id))
        boiler_sites = [site for site, found in by_site.items() if len(found) >= n]
        out.update((key, site) for site in boiler_sites)
        if len(boiler_sites) == len(by_site):
            only.add(key)
    return out, only


def clusters(run: Run, graph: NearCopyGraph, boiler: set[tuple[int, str]], boiler_only: set[int],
             summary: DedupSummary, current_ids: set[str], articles: dict[str, str]) -> None:
    """Site boilerplate (tier 2) on the blocks, and every component of the near-copy
    graph with a current block as a cluster: at two or more outlets, `wire-exact` or
    `wire-near` blocks (tiers 3-4) with the canonical copy of the canonical rule; at one
    outlet, the copies of one article (`site-copy`, see `site_articles`)."""
    blocks_of = {d.meta.doc_id: d.blocks for d in run.docs}
    current_blocks = _BlockFinder(blocks_of)
    occ = run.occ
    # only texts seen more than once or linked to another can be in a cluster
    parent = run.parent
    linked = parent.keys() | set(parent.values())
    in_component = run.index.in_component if run.index is not None else linked.__contains__
    components: dict[int, list[int]] = defaultdict(list)
    find = graph.find
    links = run.index.links if run.index is not None else {}
    for key in sorted(k for k, v in occ.items()
                      if (len(v) > 1 or k in linked or in_component(k))
                      and k not in boiler_only):  # (nothing of theirs is clustered)
        # (most texts are their own component: find only for linked ones)
        root = find(run, key) if key in parent or key in links else key
        components[root].append(key)
    boiler_keys = {k for k, _ in boiler}
    for key, site in boiler:
        for o in occ[key]:
            if o.doc.current and o.doc.site == site:
                current_blocks[(o.doc.doc_id, o.block)].relation = "site-boilerplate"
    texts, norms = run.texts, run.norms
    for keys in components.values():
        # One pass over the occurrences (most of them in earlier documents): the outlets
        # of each text, and per document [cluster words, blocks, meta, first block, its
        # text]. A block holds one text, so a document's first block decides its text.
        check_boiler = not boiler_keys.isdisjoint(keys)
        sites_of_key: dict[int, set[str]] = {}
        per_doc: dict[str, list[Any]] = {}
        current: list[tuple[int, Occurrence]] = []
        for k in keys:
            ks = sites_of_key[k] = set()
            n = norms.get(k)
            t = n or texts.get(k)
            w = t.words if t else 0
            for o in occ[k]:
                doc, block = o
                if check_boiler and (k, doc.site) in boiler:
                    continue
                ks.add(doc.site)
                e = per_doc.get(doc.doc_id)
                if e is None:
                    per_doc[doc.doc_id] = [w, 1, doc, block, k]
                else:
                    e[0] += w
                    e[1] += 1
                    if block < e[3]:
                        e[3], e[4] = block, k
                if doc.current:
                    current.append((k, o))
        if not current:
            continue
        if len(set().union(*sites_of_key.values())) < 2:  # one outlet only: not syndication
            _site_copies(run, graph, keys, per_doc, current, articles, current_blocks, current_ids)
            continue
        ranked = sorted(per_doc.values(), key=lambda e: canonical_order(e[2], e[0]))
        canon, canon_block, canon_key = ranked[0][2], ranked[0][3], ranked[0][4]
        cluster = "c" + blake2b(f"{canon.doc_id}:{canon_block}:{canon_key:016x}".encode(),
                                digest_size=8).hexdigest()
        for k, o in current:
            b = current_blocks[(o.doc.doc_id, o.block)]
            b.cluster = cluster
            if len(sites_of_key[k]) >= 2:
                b.relation, b.similarity = "wire-exact", 1.0
            else:
                b.relation = "wire-near"
                b.similarity = _similarity(run, graph, k, canon_key, keys, current_ids)
        members = [ClusterMember(d.doc_id, d.canonical_url, d.site, blocks, not d.current)
                   for _, blocks, d, _, _ in ranked]
        run.canon[cluster] = (canon.doc_id, canon.canonical_url)
        summary.clusters.append(ClusterSummary(cluster, members[0], members))
    summary.clusters.sort(key=lambda c: c.cluster)

def _site_copies(run: Run, graph: NearCopyGraph, keys: list[int], per_doc: dict[str, list[Any]],
                 current: list[tuple[int, Occurrence]], articles: dict[str, str],
                 current_blocks: _BlockFinder, current_ids: set[str]) -> None:
    """The texts of one site in copies of one article (`site_articles`): each copy's
    blocks are `site-copy` in a cluster whose canonical copy is chosen by the canonical
    rule. Every copy keeps its text (text_dedup); the document says which is canonical."""
    groups: dict[str, list[list[Any]]] = defaultdict(list)
    for e in per_doc.values():
        groups[articles.get(e[2].doc_id, e[2].doc_id)].append(e)
    for article, members in groups.items():
        if len(members) < 2:
            continue
        ranked = sorted(members, key=lambda e: canonical_order(e[2], e[0]))
        canon, canon_block, canon_key = ranked[0][2], ranked[0][3], ranked[0][4]
        cluster = "c" + blake2b(f"{canon.doc_id}:{canon_block}:{canon_key:016x}".encode(),
                                digest_size=8).hexdigest()
        run.canon[cluster] = (canon.doc_id, canon.canonical_url)
        for k, o in current:
            if articles.get(o.doc.doc_id, o.doc.doc_id) != article:
                continue
            b = current_blocks[(o.doc.doc_id, o.block)]
            b.relation, b.cluster = "site-copy", cluster
            b.similarity = 1.0 if k == canon_key else _similarity(
                run, graph, k, canon_key, keys, current_ids)

def _similarity(run: Run, graph: NearCopyGraph, key: int, canon_key: int, component: list[int],
                current_ids: set[str]) -> float:
    """Jaccard of this text with the canonical one (or, for the canonical text itself,
    with its closest other text in the cluster)."""
    t = graph.text(run, key, current_ids)
    others = [canon_key] if key != canon_key else [k for k in component if k != key]
    best = 0.0
    for k in others:
        o = graph.text(run, k, current_ids)
        if t is None or o is None:
            continue
        best = max(best, jaccard(t.shingles, o.shingles))
    return round(best, 4)


class _BlockFinder:
    """(doc id, block index) -> the current document's Block, without a dict entry for
    every block of the crawl (a block's index is almost always its position)."""

    __slots__ = ("_docs",)

    def __init__(self, docs: dict[str, list[Block]]) -> None:
        self._docs = docs

    def __getitem__(self, where: tuple[str, int]) -> Block:
        blocks = self._docs[where[0]]
        i = where[1]
        if i < len(blocks) and blocks[i].index == i:
            return blocks[i]
        return next(b for b in blocks if b.index == i)
