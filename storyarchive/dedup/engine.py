"""`BlockDeduplicator`: tiers 2-4 over a whole crawl, deterministic, with provenance.

Input: the crawl's documents (`DocInput`, blocks already normalized by tier 1) and the
story's `PriorIndex` (earlier crawls). Output: every block's relation, each document's
syndication summary, a `DedupSummary`; then this crawl's blocks are appended to the index.

Determinism: every decision is a function of the *set* of texts and documents: texts are
nodes keyed by their exact hash, edges are verified near-duplicate pairs (LSH candidates
checked by real Jaccard/containment), clusters are connected components, and the canonical
copy is the minimum of a fixed sort key. Arrival order is never consulted.
"""

from __future__ import annotations

import gc
import logging
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any

import numpy as np

from storyarchive.dedup.canonical import DocMeta, canonical_order
from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.fingerprint import Fingerprinter
from storyarchive.dedup.index import Occurrence, PriorIndex, flat_band_keys
from storyarchive.dedup.normalize import normalize
from storyarchive.dedup.records import DocRecord, text_array
from storyarchive.dedup.summary import ClusterMember, ClusterSummary, DedupSummary
from storyarchive.dedup.text import mark_in_page_repeats
from storyarchive.dedup.verify import jaccard, verify
from storyarchive.items import Block

logger = logging.getLogger(__name__)

_SEEN_TEXTS = 20_000  # texts remembered between runs (a few KB each)
# Two documents of one site are copies of one article (filed under two sections, printed
# at two URLs) when the texts they share hold at least this share of the words of each.
# Different articles sharing a site's boxes stay far below it: their own text differs.
SAME_ARTICLE = 0.8
_COPY_CLUE_DOCS = 64  # a text on more documents than this is no clue to an article's copies
_PAIR_CHUNK = 1 << 21  # LSH pair codes counted at once in _pairs_within (16 MB)

# (doc_id, block index) -> the block's text in the archive, or None if it can't be read.
TextSource = Callable[[str, int], "str | None"]


@dataclass
class DocInput:
    """One document of the crawl: identity, what the canonical rule needs, its blocks
    (the item's own Block objects: relations are written into them)."""

    meta: DocMeta
    blocks: list[Block]
    syndication: dict[str, Any] | None = None


class _Text:
    """A distinct text of the run; its shingle set is built only if it is compared (from
    the batch fingerprints `fps`, row `i`, or else from its word hashes with `fp`)."""

    __slots__ = ("key", "words", "numbers", "_fps", "_i", "_shingles", "hashes", "_fp")

    def __init__(self, key: int, words: int, numbers: tuple[str, ...], fps: Any, i: int,
                 hashes: bytes = b"", fp: Fingerprinter | None = None) -> None:
        self.key, self.words, self.numbers = key, words, numbers
        self._fps, self._i = fps, i
        self.hashes, self._fp = hashes, fp
        self._shingles: np.ndarray | None = None

    @property
    def compared(self) -> bool:
        return self._shingles is not None

    @property
    def has_fingerprints(self) -> bool:
        return self._shingles is not None or self._fps is not None

    def set_fingerprints(self, fps: Any, i: int) -> None:
        self._fps, self._i = fps, i

    @property
    def shingles(self) -> np.ndarray:
        """Distinct shingles, sorted uint64 (8 bytes each: a run compares many texts)."""
        if self._shingles is None:
            if self._fps is None:
                assert self._fp is not None
                self._fps, self._i = self._fp.shingles_only([self.hashes]), 0
            self._shingles = self._fps.shingle_array(self._i)
            self._fps = None  # don't keep the whole batch alive through one text
            self.hashes, self._fp = b"", None
        return self._shingles


_Occ = Occurrence  # (doc, block index)


@dataclass
class _Run:
    """Working state of one finalize call."""

    docs: list[DocInput]
    occ: dict[int, list[_Occ]] = field(default_factory=lambda: defaultdict(list))
    texts: dict[int, _Text | None] = field(default_factory=dict)
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


class BlockDeduplicator:
    """Runs tiers 2-4 for one story against its index (None: no memory between runs)."""

    def __init__(self, config: DedupConfig, index: PriorIndex | None = None,
                 text_source: TextSource | None = None) -> None:
        self.config = config
        self.index = index
        self.text_source = text_source
        self.fp = Fingerprinter(config.lsh)
        # Texts compared in earlier runs of this deduplicator, by key (content-addressed, so
        # never stale): a wire paragraph matched again in the next crawl is not read back
        # from the archive again. Bounded LRU.
        self._seen: OrderedDict[int, _Text] = OrderedDict()

    # ------------------------------------------------------------------ entry point
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
        if self.index is not None:
            self.index.sync()
        run = _Run(docs)
        summary = DedupSummary(documents=len(docs))
        current_ids = {d.meta.doc_id for d in docs}
        norms = self._tier1(run, summary)
        current_keys = sorted(run.occ)
        prior = self.index
        if prior is not None:
            run.recrawled = current_ids.intersection(prior.docs)
            summary.earlier_documents = len(prior.docs) - len(run.recrawled)
            # (a set intersection first: most texts of a crawl are new)
            for key in sorted(prior.occurrences.keys() & run.occ.keys()):
                found = self._prior_occ(key, run.recrawled)
                if found:
                    run.occ[key].extend(found)
        # fingerprints of this run's distinct texts, in key order; the MinHash band keys
        # and number blooms of texts already in the index are taken from it
        hash_lists = [norms[k].hashes for k in current_keys]
        need = None
        if prior is not None:
            ptexts = prior.texts
            need = np.fromiter((k not in ptexts for k in current_keys), dtype=bool,
                               count=len(current_keys))
        # (texts already indexed get their shingles later, only if they are compared)
        blooms = np.zeros(len(current_keys), dtype=np.uint64)
        bloom = self.fp.number_bloom
        if need is None or need.all():
            fps = self.fp.fingerprint(hash_lists)
            band_keys = fps.band_keys
            new_rows = np.arange(len(current_keys))
        else:
            assert prior is not None
            new_rows = np.flatnonzero(need)
            old_rows = np.flatnonzero(~need)
            fps = self.fp.fingerprint([hash_lists[i] for i in new_rows.tolist()])
            band_keys = np.empty((len(current_keys), self.config.lsh.bands), np.uint32)
            band_keys[new_rows] = fps.band_keys
            band_keys[old_rows], blooms[old_rows] = prior.text_fingerprints(
                [current_keys[i] for i in old_rows.tolist()])
        for i in new_rows.tolist():
            numbers = norms[current_keys[i]].numbers
            if numbers:
                blooms[i] = bloom(numbers)
        # A text's _Text (its shingles for verification) is made only if it is compared:
        # its row in `fps` (texts new to the index), or -1 (shingles from its word hashes)
        fps_row = np.full(len(current_keys), -1, dtype=np.int64)
        fps_row[new_rows] = np.arange(len(new_rows))
        run.norms, run.fps = norms, fps
        run.fps_row = dict(zip(current_keys, fps_row.tolist(), strict=True))
        flat = flat_band_keys(band_keys)
        karr = np.array(current_keys, dtype=np.uint64)
        # Pairs whose two texts are each on one and the same site are never verified
        # (_cross_site says why); they are left out as they are made, so templated pages
        # (masses of such pairs) cost no memory for pairs nobody looks at.
        site_ids: dict[str, int] = {}
        site = self._one_site(run, karr, run.recrawled, site_ids)
        within = self._pairs_within(flat, blooms, site)
        rows, pkeys = np.zeros(0, np.int64), np.zeros(0, np.uint64)
        if prior is not None:
            # (an earlier band key is looked at as far as a run's own buckets are: its newest
            # max_bucket texts; without that bound, a batch or crawl of templated pages
            # after a first one made millions of candidates and gigabytes of pairs)
            rows, pkeys = prior.candidates(flat, blooms, self.config.lsh.min_bands,
                                           self.config.max_bucket)
            if len(pkeys):
                # earlier texts that are not this run's (karr is sorted: a binary search
                # costs less memory than np.isin's sort of both), on another site
                pos = np.searchsorted(karr, pkeys)
                pos[pos == len(karr)] = 0
                keep = karr[pos] != pkeys
                upk = np.unique(pkeys)
                psite = self._one_site(run, upk, run.recrawled, site_ids)
                keep &= (site[rows] < 0) | (site[rows] != psite[np.searchsorted(upk, pkeys)])
                rows, pkeys = rows[keep], pkeys[keep]
                del pos, keep, upk, psite
        pairs = _Pairs.build(karr, within, rows, pkeys)
        del within, rows, pkeys
        self._connect(run, pairs, run.recrawled, summary)
        del pairs
        articles = self._site_articles(run)
        boiler, boiler_only = self._boilerplate(run, articles)
        self._clusters(run, boiler, boiler_only, summary, run.recrawled, articles)
        self._syndication(run, norms)
        if persist and prior is not None:
            assert need is not None
            words = np.fromiter((norms[k].words for k in current_keys), dtype=np.int64,
                                count=len(current_keys))
            prior.append_run(text_array(karr[need], blooms[need], words[need], band_keys[need]),
                             run.edges, self._doc_records(run))
        self._remember(run)
        return summary

    def _remember(self, run: _Run) -> None:
        """Keep the texts this run compared (their shingle sets are built) for later runs."""
        seen = self._seen
        for key, t in run.texts.items():
            if t is not None and t.compared:
                seen[key] = t
                seen.move_to_end(key)
        while len(seen) > _SEEN_TEXTS:
            seen.popitem(last=False)

    # ------------------------------------------------------------------ tier 1
    def _tier1(self, run: _Run, summary: DedupSummary) -> dict[int, Any]:
        min_words = self.config.thresholds.min_words
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
        return norms

    def _prior_occ(self, key: int, exclude: set[str]) -> list[_Occ]:
        """Occurrences of a text in indexed documents, except those recrawled now (their
        current version replaces the indexed one)."""
        assert self.index is not None
        found = self.index.prior_occurrences(key)
        if not exclude or not found:
            return found
        return [o for o in found if o.doc.doc_id not in exclude]

    # ------------------------------------------------------------------ candidates
    def _one_site(self, run: _Run, keys: np.ndarray, exclude: set[str],
                  ids: dict[str, int]) -> np.ndarray:
        """For each text key, the id (numbered in `ids`) of the one site every occurrence
        of it is on, or -1 (several sites, or no occurrence but in documents recrawled
        now): the same test as `_cross_site`, for arrays of keys."""
        out = np.full(len(keys), -1, dtype=np.int64)
        occ = run.occ
        for i, key in enumerate(keys.tolist()):
            occs = occ[key] if key in occ else (self._prior_occ(key, exclude) if self.index else ())
            if not occs:
                continue
            first = occs[0].doc.site
            if len(occs) == 1 or all(o.doc.site == first for o in occs):
                out[i] = ids.setdefault(first, len(ids))
        return out

    def _pairs_within(self, flat: np.ndarray, blooms: np.ndarray,
                      site: np.ndarray | None = None) -> np.ndarray:
        """Index pairs (i < j) of this run's texts sharing an LSH band key whose numbers may
        be compatible, as sorted unique codes i * n + j (int64). A bucket larger than
        `max_bucket` is cut to its first members (by text key), which bounds the work on
        masses of templated text. With `site` (see `_one_site`, by row), pairs of two texts
        on one and the same site only are left out."""
        n, nb = flat.shape
        empty = np.zeros(0, np.int64)
        if n < 2:
            return empty
        v = flat.ravel()
        owner_bits = max(1, (n - 1).bit_length())
        if int(v.max()).bit_length() + owner_bits <= 64:
            # (band key, owner) packed into one uint64 and sorted once: a third cheaper
            # than np.lexsort of the two (band keys are band << 32 | 32 bits: 36 bits)
            packed = (v << np.uint64(owner_bits)) | np.repeat(np.arange(n, dtype=np.uint64), nb)
            packed.sort()
            owner = (packed & np.uint64((1 << owner_bits) - 1)).astype(np.int64)
            v = packed >> np.uint64(owner_bits)
            del packed
        else:
            owner = np.repeat(np.arange(n, dtype=np.int64), nb)
            order = np.lexsort((owner, v))
            v, owner = v[order], owner[order]
            del order
        first = np.ones(len(v), dtype=bool)
        first[1:] = v[1:] != v[:-1]
        gstart = np.flatnonzero(first)
        gid = np.cumsum(first) - 1
        gsize = np.diff(np.append(gstart, len(v)))
        if int(gsize.max()) > self.config.max_bucket:
            logger.info("LSH bucket of %d texts cut to %d", int(gsize.max()), self.config.max_bucket)
        size = np.minimum(gsize, self.config.max_bucket)[gid]
        rank = np.arange(len(v)) - gstart[gid]
        pos = np.flatnonzero((rank < size) & (size > 1))
        # One int64 code a * n + b per (pair, shared band): a bucket of m texts gives
        # m(m-1)/2 of them, the largest arrays of a run. They are made and counted for one
        # range of first texts `a` at a time (about _PAIR_CHUNK codes, 8 bytes each), so
        # the codes of the whole run never exist at once; ranges in order keep them sorted.
        later = size[pos] - rank[pos] - 1  # codes each position makes (before the bloom test)
        pos_owner = owner[pos]
        cum = np.cumsum(np.bincount(pos_owner, weights=later, minlength=n).astype(np.int64))
        del later, first, gid, v
        total = int(cum[-1])
        parts = max(1, -(-total // _PAIR_CHUNK))
        cuts = np.searchsorted(cum, np.arange(1, parts, dtype=np.int64) * (total // parts),
                               side="right")
        bounds = [0, *sorted(set(cuts.tolist()) - {0, n}), n]
        min_bands = self.config.lsh.min_bands
        out: list[np.ndarray] = []
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            p = pos[(pos_owner >= lo) & (pos_owner < hi)]
            buf = np.empty(int(cum[hi - 1] - (cum[lo - 1] if lo else 0)), dtype=np.int64)
            fill = 0
            d = 1
            while len(p):
                p = p[rank[p] + d < size[p]]
                a, b = owner[p], owner[p + d]  # a < b: a bucket is sorted by owner
                ok = ((blooms[a] & ~blooms[b]) == 0) | ((blooms[b] & ~blooms[a]) == 0)
                if site is not None:
                    ok &= (site[a] < 0) | (site[a] != site[b])
                a = a[ok]
                m = len(a)
                np.multiply(a, n, out=buf[fill:fill + m])
                buf[fill:fill + m] += b[ok]
                fill += m
                d += 1
            code = buf[:fill]
            if not fill:
                continue
            code.sort()
            starts = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
            counts = np.diff(starts, append=fill)
            out.append(code[starts[counts >= min_bands]])
            del buf, code, starts, counts
        return np.concatenate(out) if out else empty

    # ------------------------------------------------------------------ verification
    def _load_texts(self, run: _Run, keys: list[int], exclude: set[str]) -> None:
        """Read earlier texts back from the archive (through `text_source`) and fingerprint
        them in one batch; a text that can't be read, or no longer hashes to its key, is
        recorded as None (its candidates stay unverified, never collapsed)."""
        found: list[tuple[int, Any]] = []
        seen = self._seen
        for key in keys:
            if key in run.texts:
                continue
            cached = seen.get(key)
            if cached is not None:
                run.texts[key] = cached
                continue
            run.texts[key] = None
            if self.index is None or self.text_source is None:
                continue
            for occ in self._prior_occ(key, exclude):
                raw = self.text_source(occ.doc.doc_id, occ.block)
                if raw is None:
                    continue
                n = normalize(raw)
                if n.key == key and n.words:
                    found.append((key, n))
                    break
        if found:
            fps = self.fp.shingles_only([n.hashes for _, n in found])
            for i, (key, n) in enumerate(found):
                run.texts[key] = _Text(key, n.words, n.numbers, fps, i)

    def _current_text(self, run: _Run, key: int) -> _Text | None:
        """The _Text of a text of this run (made on first use), or None if not one."""
        row = run.fps_row.get(key)
        if row is None:
            return None
        n = run.norms[key]
        t = (_Text(key, n.words, n.numbers, run.fps, row) if row >= 0
             else _Text(key, n.words, n.numbers, None, 0, n.hashes, self.fp))
        run.texts[key] = t
        return t

    def _text(self, run: _Run, key: int, exclude: set[str]) -> _Text | None:
        if key not in run.texts and self._current_text(run, key) is None:
            self._load_texts(run, [key], exclude)
        return run.texts[key]

    def _find(self, run: _Run, k: int) -> int:
        """The component of `k` in this run: a union-find over the index's components
        (texts linked in earlier crawls are one node, never copied into the run)."""
        if self.index is not None and k in self.index.links:
            k = self.index.root(k)
        parent = run.parent
        if k not in parent:
            return k  # most texts are their own component
        root = k
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(k, k) != root:
            parent[k], k = root, parent[k]
        return root

    def _union(self, run: _Run, a: int, b: int) -> None:
        ra, rb = self._find(run, a), self._find(run, b)
        if ra != rb:
            run.parent[max(ra, rb)] = min(ra, rb)

    def _connect(self, run: _Run, pairs: _Pairs, current_ids: set[str],
                 summary: DedupSummary) -> None:
        """Verify candidate pairs in sorted order (a pair already connected is skipped: it
        would change no component), then join every text to the earlier texts the index
        links it to, so a cluster is complete whichever crawl found its members."""
        find = self._find
        seen = self._seen
        lazy = []
        pairs = self._cross_site(run, pairs, current_ids)
        pair_keys = pairs.members()
        for k in pair_keys:
            t = run.texts.get(k) or self._current_text(run, k)
            if t is None and k in seen:
                run.texts[k] = seen[k]
            elif t is not None and not t.has_fingerprints:
                lazy.append(t)
        if lazy:  # texts of this run already indexed: their shingles in one batch
            fps = self.fp.shingles_only([t.hashes for t in lazy])
            for i, t in enumerate(lazy):
                t.set_fingerprints(fps, i)
        # (earlier texts already linked in the index are one node from the start, see
        # _find: a new copy is verified against one member of an earlier cluster, not all)
        # Two passes in a fixed order: pairs whose texts are at hand first, then the rest
        # with the earlier texts they still need read back from the archive in one batch.
        # Skipping a pair already connected changes no component, so the order is free.
        later: list[tuple[int, int]] = []
        for a, b in pairs:
            if find(run, a) == find(run, b):
                continue
            ta, tb = run.texts.get(a, False), run.texts.get(b, False)
            if ta is False or tb is False:
                later.append((a, b))
                continue
            self._verify_pair(run, a, b, ta, tb, summary)
        todo = [(a, b) for a, b in later if find(run, a) != find(run, b)]
        self._load_texts(run, sorted({k for pair in todo for k in pair}), current_ids)
        for a, b in todo:
            if find(run, a) != find(run, b):
                self._verify_pair(run, a, b, run.texts[a], run.texts[b], summary)
        if self.index is None:
            return
        for k in sorted({k for e in run.edges for k in e} - run.occ.keys()):
            run.occ[k].extend(self._prior_occ(k, current_ids))  # an earlier text joins the run
        for members in self.index.components_of(sorted(run.occ)):
            for other in members:
                if other not in run.occ:
                    run.occ[other].extend(self._prior_occ(other, current_ids))

    def _cross_site(self, run: _Run, pairs: _Pairs, exclude: set[str]) -> _Pairs:
        """The candidate pairs minus those whose two texts occur, every time, on one and
        the same site. Those are not verified: near copies within one outlet are no tier of
        their own (templated pages make masses of them), and an edge between them would
        only chain different paragraphs of one outlet into another outlet's cluster. A copy
        at a second site is a candidate of its own and is verified directly."""
        if not len(pairs):
            return pairs
        ids: dict[str, int] = {}
        occ = run.occ
        u = len(pairs.keys)
        site = np.full(u, -1, dtype=np.int64)
        ranks = pairs.member_ranks()
        for i, key in zip(ranks.tolist(), pairs.keys[ranks].tolist(), strict=True):
            occs = occ[key] if key in occ else self._prior_occ(key, exclude)
            if not occs:
                continue  # only in documents recrawled now: no site of its own
            first = occs[0].doc.site
            if len(occs) == 1 or all(o.doc.site == first for o in occs):
                site[i] = ids.setdefault(first, len(ids))
        sa, sb = site[pairs.codes // u], site[pairs.codes % u]
        return _Pairs(pairs.keys, pairs.codes[(sa < 0) | (sa != sb)])

    def _verify_pair(self, run: _Run, a: int, b: int, ta: Any, tb: Any,
                     summary: DedupSummary) -> None:
        summary.candidates += 1
        if ta is None or tb is None:
            summary.unverifiable += 1
            return
        m = verify(ta.key, ta.shingles, ta.numbers, ta.words,
                   tb.key, tb.shingles, tb.numbers, tb.words, self.config.thresholds)
        if m.same:
            summary.verified += 1
            self._union(run, a, b)
            run.edges.append((a, b))

    # ------------------------------------------------------------------ tiers 2-4
    def _occurrences(self, run: _Run, key: int) -> list[_Occ]:
        occ = run.occ
        return occ[key] if key in occ else self._prior_occ(key, run.recrawled)

    def _site_articles(self, run: _Run) -> dict[str, str]:
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
            elif self.index is not None and doc_id in self.index.docs:
                keys_of[doc_id] = set(self.index.docs[doc_id].keys.tolist())
        if self.index is not None:
            missing = sorted({k for ks in keys_of.values() for k in ks} - words.keys())
            known = [k for k in missing if k in self.index.texts]
            words.update(zip(known, self.index.text_words(known), strict=True))
        total = {d: sum(words.get(k, 0) for k in ks) for d, ks in keys_of.items()}
        pairs: set[tuple[str, str]] = set()
        for doc_id, ks in keys_of.items():
            site, need, seen = docs[doc_id].site, (1 - SAME_ARTICLE) * total[doc_id], 0
            rarest = sorted(ks, key=lambda k: (len(self._occurrences(run, k)), k))
            for k in rarest:
                if seen > need:
                    break
                seen += words.get(k, 0)
                occs = self._occurrences(run, k)
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

    def _boilerplate(self, run: _Run, articles: dict[str, str]
                     ) -> tuple[set[tuple[int, str]], set[int]]:
        """(text key, site) pairs where the text is in >= N different articles of that site
        (distinct URLs, copies of one article counting once: an article's own text is never
        boilerplate, however many URLs it is filed under), and the texts that are
        boilerplate on every site they are on (no block of theirs can be in a cluster, so
        the cluster pass leaves them out)."""
        n = self.config.boilerplate_min_urls
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

    def _clusters(self, run: _Run, boiler: set[tuple[int, str]], boiler_only: set[int],
                  summary: DedupSummary, current_ids: set[str], articles: dict[str, str]) -> None:
        th = self.config.thresholds
        blocks_of = {d.meta.doc_id: d.blocks for d in run.docs}
        current_blocks = _BlockFinder(blocks_of)
        occ = run.occ
        # only texts seen more than once or linked to another can be in a cluster
        parent = run.parent
        linked = parent.keys() | set(parent.values())
        in_component = self.index.in_component if self.index is not None else linked.__contains__
        components: dict[int, list[int]] = defaultdict(list)
        find = self._find
        links = self.index.links if self.index is not None else {}
        for key in sorted(k for k, v in occ.items()
                          if (len(v) > 1 or k in linked or in_component(k))
                          and k not in boiler_only):  # (nothing of theirs is clustered)
            # (most texts are their own component: _find only for linked ones)
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
            current: list[tuple[int, _Occ]] = []
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
                self._site_copies(run, keys, per_doc, current, articles, current_blocks, current_ids)
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
                    b.similarity = self._similarity(run, k, canon_key, keys, th, current_ids)
            members = [ClusterMember(d.doc_id, d.canonical_url, d.site, blocks, not d.current)
                       for _, blocks, d, _, _ in ranked]
            run.canon[cluster] = (canon.doc_id, canon.canonical_url)
            summary.clusters.append(ClusterSummary(cluster, members[0], members))
        summary.clusters.sort(key=lambda c: c.cluster)
        rel: dict[str, int] = defaultdict(int)
        for d in run.docs:
            for b in d.blocks:
                rel[b.relation] += 1
        summary.relations = dict(sorted(rel.items()))

    def _site_copies(self, run: _Run, keys: list[int], per_doc: dict[str, list[Any]],
                     current: list[tuple[int, _Occ]], articles: dict[str, str],
                     current_blocks: _BlockFinder, current_ids: set[str]) -> None:
        """The texts of one site in copies of one article (`_site_articles`): each copy's
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
                b.similarity = 1.0 if k == canon_key else self._similarity(
                    run, k, canon_key, keys, self.config.thresholds, current_ids)

    def _similarity(self, run: _Run, key: int, canon_key: int, component: list[int],
                    th: Any, current_ids: set[str]) -> float:
        """Jaccard of this text with the canonical one (or, for the canonical text itself,
        with its closest other text in the cluster)."""
        t = self._text(run, key, current_ids)
        others = [canon_key] if key != canon_key else [k for k in component if k != key]
        best = 0.0
        for k in others:
            o = self._text(run, k, current_ids)
            if t is None or o is None:
                continue
            best = max(best, jaccard(t.shingles, o.shingles))
        return round(best, 4)

    def _syndication(self, run: _Run, norms: dict[int, Any]) -> None:
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

    # ------------------------------------------------------------------ persistence
    def _doc_records(self, run: _Run) -> list[DocRecord]:
        """Index records of this run's documents, each with its indexed blocks."""
        out = []
        for d, (indexes, keys) in zip(run.docs, run.doc_blocks, strict=True):
            m = d.meta
            out.append(DocRecord(m.doc_id, m.canonical_url, m.site, m.published, m.wire,
                                 np.array(keys, dtype=np.uint64),
                                 np.array(indexes, dtype=np.int64)))
        return out


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


class _Pairs:
    """A run's candidate pairs of text keys (smaller, larger), unique, in sorted order.
    Held as int64 codes lo * u + hi over the ranks of `keys` (sorted uint64): a run may
    have millions of candidates, 8 bytes each here, ~120 as a list of tuples."""

    __slots__ = ("keys", "codes")

    def __init__(self, keys: np.ndarray, codes: np.ndarray) -> None:
        self.keys, self.codes = keys, codes

    @classmethod
    def build(cls, karr: np.ndarray, within: np.ndarray, rows: np.ndarray,
              pkeys: np.ndarray) -> _Pairs:
        """From this run's keys `karr` (sorted, unique), the codes i * len(karr) + j of
        its pairs (i < j, sorted, unique: `_pairs_within`) and the pairs (karr[rows[m]],
        pkeys[m]) with earlier texts (keys not in `karr`, in any order, repeats allowed)."""
        n = len(karr)
        if len(pkeys) == 0:
            return cls(karr, within)
        keys = np.union1d(karr, pkeys)
        u = len(keys)
        kpos = np.searchsorted(keys, karr)
        r1, r2 = kpos[rows], np.searchsorted(keys, pkeys)
        codes = np.concatenate([kpos[within // n] * u + kpos[within % n],
                                np.minimum(r1, r2) * u + np.maximum(r1, r2)])
        return cls(keys, np.unique(codes))

    def __len__(self) -> int:
        return len(self.codes)

    def member_ranks(self) -> np.ndarray:
        """Positions in `keys` of every key in some pair, ascending."""
        used = np.zeros(len(self.keys), dtype=bool)
        u = len(self.keys)
        used[self.codes // u] = True
        used[self.codes % u] = True
        return np.flatnonzero(used)

    def members(self) -> list[int]:
        """Every key in some pair, sorted."""
        return self.keys[self.member_ranks()].tolist()

    def __iter__(self) -> Iterator[tuple[int, int]]:
        """The pairs as Python ints, in order, a chunk at a time."""
        u = len(self.keys)
        step = 1 << 14
        for i in range(0, len(self.codes), step):
            c = self.codes[i:i + step]
            yield from zip(self.keys[c // u].tolist(), self.keys[c % u].tolist(), strict=True)
