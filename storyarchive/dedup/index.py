"""`PriorIndex`: the in-memory search structures over a story's index log.

It answers, for blocks of the crawl being finalized: which earlier documents hold this exact
text (and where), which earlier texts share an LSH band with it, and each earlier
document's metadata for the canonical rule. It is loaded incrementally from an
`IndexBackend` (only records appended since the last sync are read).
"""

from __future__ import annotations

import logging
from bisect import insort
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from storyarchive.dedup.backend import IndexBackend
from storyarchive.dedup.canonical import DocMeta
from storyarchive.dedup.records import (
    DocRecord,
    IndexFormatError,
    decode,
    decode_texts,
    encode_meta,
)

logger = logging.getLogger(__name__)

_MERGE_AT = 8  # merge band segments when there are more than this many


class Occurrence(NamedTuple):
    """One block holding a text: its document and block index."""

    doc: DocMeta
    block: int


@dataclass
class BandSegment:
    keys: np.ndarray  # sorted uint64: band number << 32 | band key
    text_keys: np.ndarray  # uint64, the text each key belongs to
    blooms: np.ndarray  # uint64, that text's numbers bloom


def flat_band_keys(band_keys: np.ndarray) -> np.ndarray:
    """(n, bands) uint32 band keys -> (n, bands) uint64 keys unique across bands."""
    bands = np.arange(band_keys.shape[1], dtype=np.uint64)
    return (bands[None, :] << np.uint64(32)) | band_keys.astype(np.uint64)


class PriorIndex:
    """Texts and documents already in the index for one story."""

    def __init__(self, backend: IndexBackend, meta: dict[str, object]) -> None:
        self.backend = backend
        self.meta = meta
        self._cursor = 0
        self.reset()

    def reset(self) -> None:
        self._cursor = 0
        self.docs: dict[str, DocRecord] = {}
        # text key -> row of its numbers bloom and band keys in _t_blooms/_t_bands
        self.texts: dict[int, int] = {}
        self._t_chunks: list[np.ndarray] = []  # decoded T records, not yet concatenated
        self._t_blooms = np.zeros(0, np.uint64)
        self._t_bands = np.zeros((0, int(self.meta.get("bands", 16))), np.uint32)  # type: ignore[call-overload]
        self._occ_sorted: dict[int, list[Occurrence]] = {}  # cache of prior_occurrences
        # text key -> [(doc id, block index)] of the indexed documents holding it
        self.occurrences: dict[int, list[tuple[str, int]]] = {}
        self.metas: dict[str, DocMeta] = {}
        self._segments: list[BandSegment] = []
        self._pending: list[np.ndarray] = []  # T records not yet in a band segment
        self._parent: dict[int, int] = {}  # union-find over texts linked by edge records
        self._members: dict[int, list[int]] = {}  # root -> texts of its component

    def sync(self) -> int:
        """Read records appended since the last sync; returns how many. If the backend lost
        its data (shorter than what we read before), start over from what it holds."""
        records, cursor = self.backend.read_since(self._cursor)
        if cursor < self._cursor:
            logger.warning("dedup index %s was lost or cleared; reloading (%d records)",
                           self.backend, len(records))
            self.reset()
        self._cursor = cursor
        texts: list[bytes] = []
        for raw in records:
            if raw[:1] == b"T":
                texts.append(raw)
            else:
                self._apply(raw)
        if texts:
            self._add_texts(texts)
        self._flush_segment()
        return len(records)

    def _add_texts(self, raws: list[bytes]) -> None:
        """Apply T records in one batch (a text already known is ignored: texts are
        content-addressed)."""
        arr = decode_texts(raws, self._t_bands.shape[1])
        texts = self.texts
        base = len(texts)
        keep: list[int] = []
        for i, k in enumerate(arr["key"].tolist()):
            if k not in texts:
                texts[k] = base + len(keep)
                keep.append(i)
        if keep:
            new = arr[np.array(keep, dtype=np.int64)] if len(keep) < len(arr) else arr
            self._t_chunks.append(new)
            self._pending.append(new)

    def text_fingerprints(self, keys: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(band keys (n, bands) uint32, number blooms (n,) uint64) of indexed texts.
        KeyError if one is not in the index."""
        if self._t_chunks:
            self._t_blooms = np.concatenate([self._t_blooms, *(c["bloom"] for c in self._t_chunks)])
            self._t_bands = np.concatenate([self._t_bands, *(c["bands"] for c in self._t_chunks)])
            self._t_chunks = []
        rows = np.fromiter(map(self.texts.__getitem__, keys), dtype=np.int64, count=len(keys))
        return self._t_bands[rows], self._t_blooms[rows]

    def prior_occurrences(self, key: int) -> list[Occurrence]:
        """The indexed occurrences of a text, sorted by (doc id, block index); shared, do
        not modify."""
        got = self._occ_sorted.get(key)
        if got is None:
            found = self.occurrences.get(key)
            if not found:
                return []
            metas = self.metas
            got = [Occurrence(metas[d], i) for d, i in sorted(found)]
            self._occ_sorted[key] = got
        return got

    def _apply(self, raw: bytes) -> None:
        rec = decode(raw)
        if isinstance(rec, DocRecord):
            cache = self._occ_sorted
            old = self.docs.get(rec.doc_id)
            if old is not None:
                for k in set(old.keys.tolist()):
                    self.occurrences[k] = [o for o in self.occurrences[k] if o[0] != rec.doc_id]
                    cache.pop(k, None)
            self.docs[rec.doc_id] = rec
            self.metas[rec.doc_id] = DocMeta(rec.doc_id, rec.canonical_url, rec.site,
                                             rec.published, rec.wire, current=False)
            occ = self.occurrences
            doc_id = rec.doc_id
            meta = self.metas[doc_id]
            for k, i in zip(rec.keys.tolist(), rec.indexes.tolist(), strict=True):
                if k in occ:
                    occ[k].append((doc_id, i))
                    got = cache.get(k)
                    if got is not None:  # kept sorted: a text on every page is not re-sorted
                        insort(got, Occurrence(meta, i), key=_occurrence_order)
                else:
                    occ[k] = [(doc_id, i)]
        elif isinstance(rec, tuple):
            self._link(*rec)
        elif isinstance(rec, dict):
            if rec != self.meta:
                raise IndexFormatError(
                    f"dedup index was built with {rec}, settings now ask for {self.meta}; "
                    "rebuild it with `storyarchive dedup <slug> --rebuild`")
        else:
            self._add_texts([raw])

    def _root(self, k: int) -> int:
        parent = self._parent
        while parent.get(k, k) != k:
            parent[k] = parent.get(parent[k], parent[k])
            k = parent[k]
        return k

    def _link(self, a: int, b: int) -> None:
        ra, rb = self._root(a), self._root(b)
        if ra == rb:
            return
        ma = self._members.pop(ra, [ra])
        mb = self._members.pop(rb, [rb])
        if len(ma) < len(mb):
            ra, rb, ma, mb = rb, ra, mb, ma
        self._parent[rb] = ra
        ma.extend(mb)
        self._members[ra] = ma

    def components_of(self, keys: list[int]) -> list[list[int]]:
        """The components (of two or more texts, each sorted, each once, in the order of
        their first key in `keys`) that hold some of `keys`."""
        if not self._parent and not self._members:
            return []
        parent, members = self._parent, self._members
        roots = dict.fromkeys(self._root(k) for k in keys if k in parent or k in members)
        return [sorted(members[r]) for r in roots]

    def _flush_segment(self) -> None:
        if not self._pending:
            return
        recs = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending = []
        bands = recs["bands"].astype(np.uint32)
        tkeys = recs["key"].astype(np.uint64)
        tblooms = recs["bloom"].astype(np.uint64)
        keys = flat_band_keys(bands).ravel()
        self._add_segment(keys, np.repeat(tkeys, bands.shape[1]),
                          np.repeat(tblooms, bands.shape[1]))
        # size-tiered merging: a segment absorbs the newer ones once they reach half its
        # size, so there are O(log n) segments to search and each key is re-sorted O(log n)
        # times
        segs = self._segments
        while len(segs) > 1 and (len(segs[-1].keys) * 2 >= len(segs[-2].keys)
                                 or len(segs) > _MERGE_AT):
            newer, older = segs.pop(), segs.pop()
            segs.append(_merge(older, newer))

    def _add_segment(self, keys: np.ndarray, owners: np.ndarray, blooms: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self._segments.append(BandSegment(keys[order], owners[order], blooms[order]))

    def candidates(self, flat_keys: np.ndarray, blooms: np.ndarray,
                   min_bands: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """For query keys (n, bands) uint64 (see flat_band_keys) and the query texts' number
        blooms: pairs (query row, text key) of earlier texts sharing at least `min_bands`
        band keys whose numbers may be compatible (one bloom inside the other), unique,
        sorted."""
        n, b = flat_keys.shape
        # sorted queries walk each segment in order (cache friendly); pairs are sorted at
        # the end, so the query order does not matter
        q_order = np.argsort(flat_keys.ravel())
        q = flat_keys.ravel()[q_order]
        rows_out, keys_out = [], []
        for seg in self._segments:
            if not len(seg.keys):
                continue
            lo = np.searchsorted(seg.keys, q, side="left")
            # most queries find nothing (a new text): the right ends only for those that do
            hit = np.flatnonzero(seg.keys[np.minimum(lo, len(seg.keys) - 1)] == q)
            if len(hit) == 0:
                continue
            c = np.searchsorted(seg.keys, q[hit], side="right") - lo[hit]
            starts = np.repeat(lo[hit] - np.cumsum(c) + c, c) + np.arange(int(c.sum()))
            rows = np.repeat(q_order[hit] // b, c)
            qb, pb = blooms[rows], seg.blooms[starts]
            ok = ((qb & ~pb) == 0) | ((pb & ~qb) == 0)
            rows_out.append(rows[ok])
            keys_out.append(seg.text_keys[starts[ok]])
        if not rows_out:
            return np.zeros(0, np.int64), np.zeros(0, np.uint64)
        return unique_pairs(np.concatenate(rows_out), np.concatenate(keys_out), min_bands)

    def append(self, records: list[bytes]) -> None:
        """Persist records (the meta record first if the log is empty), then sync."""
        if self._cursor == 0 and not self.docs and not self.texts:
            records = [encode_meta(self.meta), *records]
        self.backend.append(records)
        self.sync()


def _occurrence_order(o: Occurrence) -> tuple[str, int]:
    return o.doc.doc_id, o.block


def _merge(older: BandSegment, newer: BandSegment) -> BandSegment:
    """Two sorted segments as one, in linear time (newer after older on equal keys, as a
    stable sort of the two would place them); the positions are computed once for the
    three arrays."""
    n = len(older.keys) + len(newer.keys)
    at = np.searchsorted(older.keys, newer.keys, side="right")
    at += np.arange(len(newer.keys))  # where each newer entry lands in the merged arrays
    from_older = np.ones(n, dtype=bool)
    from_older[at] = False

    def merged(old: np.ndarray, new: np.ndarray) -> np.ndarray:
        out = np.empty(n, dtype=old.dtype)
        out[at] = new
        out[from_older] = old
        return out

    return BandSegment(merged(older.keys, newer.keys), merged(older.text_keys, newer.text_keys),
                       merged(older.blooms, newer.blooms))


def unique_pairs(a: np.ndarray, b: np.ndarray, min_count: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (a, b) pairs that occur at least `min_count` times, sorted by a then b."""
    if len(a) == 0:
        return a, b
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(a)))
    keep = starts[counts >= min_count]
    return a[keep], b[keep]
