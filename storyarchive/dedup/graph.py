"""The near-copy graph of a dedup run: candidate pairs verified on real shingle sets
(earlier texts read back from the archive through a `TextSource`), joined in a union-find
that sits on the index's components of earlier crawls (never copied into the run)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from storyarchive.dedup.candidates import Pairs
from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.fingerprint import Fingerprinter
from storyarchive.dedup.index import PriorIndex
from storyarchive.dedup.normalize import normalize
from storyarchive.dedup.run import Run, TextSource
from storyarchive.dedup.summary import DedupSummary
from storyarchive.dedup.verify import verify

_SEEN_TEXTS = 20_000  # texts remembered between runs (a few KB each)


class Text:
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


class NearCopyGraph:
    """Verification and the union-find of one story's runs; remembers the texts it compared
    for the next runs."""

    def __init__(self, config: DedupConfig, index: PriorIndex | None,
                 text_source: TextSource | None, fp: Fingerprinter) -> None:
        self.config = config
        self.index = index
        self.text_source = text_source
        self.fp = fp
        # Texts compared in earlier runs of this deduplicator, by key (content-addressed, so
        # never stale): a wire paragraph matched again in the next crawl is not read back
        # from the archive again. Bounded LRU.
        self._seen: OrderedDict[int, Text] = OrderedDict()

    def remember(self, run: Run) -> None:
        """Keep the texts this run compared (their shingle sets are built) for later runs."""
        seen = self._seen
        for key, t in run.texts.items():
            if t is not None and t.compared:
                seen[key] = t
                seen.move_to_end(key)
        while len(seen) > _SEEN_TEXTS:
            seen.popitem(last=False)

    def load_texts(self, run: Run, keys: list[int], exclude: set[str]) -> None:
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
            for occ in run.prior_occ(key, exclude):
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
                run.texts[key] = Text(key, n.words, n.numbers, fps, i)

    def current_text(self, run: Run, key: int) -> Text | None:
        """The Text of a text of this run (made on first use), or None if not one."""
        row = run.fps_row.get(key)
        if row is None:
            return None
        n = run.norms[key]
        t = (Text(key, n.words, n.numbers, run.fps, row) if row >= 0
             else Text(key, n.words, n.numbers, None, 0, n.hashes, self.fp))
        run.texts[key] = t
        return t

    def text(self, run: Run, key: int, exclude: set[str]) -> Text | None:
        if key not in run.texts and self.current_text(run, key) is None:
            self.load_texts(run, [key], exclude)
        return run.texts[key]

    def find(self, run: Run, k: int) -> int:
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

    def union(self, run: Run, a: int, b: int) -> None:
        ra, rb = self.find(run, a), self.find(run, b)
        if ra != rb:
            run.parent[max(ra, rb)] = min(ra, rb)

    def connect(self, run: Run, pairs: Pairs, current_ids: set[str],
                summary: DedupSummary) -> None:
        """Verify candidate pairs in sorted order (a pair already connected is skipped: it
        would change no component), then join every text to the earlier texts the index
        links it to, so a cluster is complete whichever crawl found its members."""
        find = self.find
        seen = self._seen
        lazy = []
        pairs = self.cross_site(run, pairs, current_ids)
        pair_keys = pairs.members()
        for k in pair_keys:
            t = run.texts.get(k) or self.current_text(run, k)
            if t is None and k in seen:
                run.texts[k] = seen[k]
            elif t is not None and not t.has_fingerprints:
                lazy.append(t)
        if lazy:  # texts of this run already indexed: their shingles in one batch
            fps = self.fp.shingles_only([t.hashes for t in lazy])
            for i, t in enumerate(lazy):
                t.set_fingerprints(fps, i)
        # (earlier texts already linked in the index are one node from the start, see
        # find: a new copy is verified against one member of an earlier cluster, not all)
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
        self.load_texts(run, sorted({k for pair in todo for k in pair}), current_ids)
        for a, b in todo:
            if find(run, a) != find(run, b):
                self._verify_pair(run, a, b, run.texts[a], run.texts[b], summary)
        if self.index is None:
            return
        for k in sorted({k for e in run.edges for k in e} - run.occ.keys()):
            run.occ[k].extend(run.prior_occ(k, current_ids))  # an earlier text joins the run
        for members in self.index.components_of(sorted(run.occ)):
            for other in members:
                if other not in run.occ:
                    run.occ[other].extend(run.prior_occ(other, current_ids))

    def cross_site(self, run: Run, pairs: Pairs, exclude: set[str]) -> Pairs:
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
            occs = occ[key] if key in occ else run.prior_occ(key, exclude)
            if not occs:
                continue  # only in documents recrawled now: no site of its own
            first = occs[0].doc.site
            if len(occs) == 1 or all(o.doc.site == first for o in occs):
                site[i] = ids.setdefault(first, len(ids))
        sa, sb = site[pairs.codes // u], site[pairs.codes % u]
        return Pairs(pairs.keys, pairs.codes[(sa < 0) | (sa != sb)])

    def _verify_pair(self, run: Run, a: int, b: int, ta: Any, tb: Any,
                     summary: DedupSummary) -> None:
        summary.candidates += 1
        if ta is None or tb is None:
            summary.unverifiable += 1
            return
        m = verify(ta.key, ta.shingles, ta.numbers, ta.words,
                   tb.key, tb.shingles, tb.numbers, tb.words, self.config.thresholds)
        if m.same:
            summary.verified += 1
            self.union(run, a, b)
            run.edges.append((a, b))
