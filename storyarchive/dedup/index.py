"""`PriorIndex`: the in-memory search structures over a story's index log.

It answers, for blocks of the crawl being finalized: which earlier documents hold this exact
text (and where), which earlier texts share an LSH band with it, and each earlier
document's metadata for the canonical rule. It is loaded incrementally from an
`IndexBackend` (only records appended since the last sync are read).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from storyarchive.dedup.backend import IndexBackend
from storyarchive.dedup.canonical import DocMeta
from storyarchive.dedup.records import (
    DocRecord,
    IndexFormatError,
    TextRecord,
    decode,
    encode_meta,
)

logger = logging.getLogger(__name__)

_MERGE_AT = 8  # merge band segments when there are more than this many


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
        self.texts: dict[int, TextRecord] = {}
        # text key -> [(doc id, block index)] of the indexed documents holding it
        self.occurrences: dict[int, list[tuple[str, int]]] = {}
        self.metas: dict[str, DocMeta] = {}
        self._segments: list[BandSegment] = []
        self._pending: list[TextRecord] = []
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
        for raw in records:
            self._apply(raw)
        self._flush_segment()
        return len(records)

    def _apply(self, raw: bytes) -> None:
        rec = decode(raw)
        if isinstance(rec, TextRecord):
            if rec.key not in self.texts:
                self.texts[rec.key] = rec
                self._pending.append(rec)
        elif isinstance(rec, DocRecord):
            old = self.docs.get(rec.doc_id)
            if old is not None:
                for k in set(old.keys.tolist()):
                    self.occurrences[k] = [o for o in self.occurrences[k] if o[0] != rec.doc_id]
            self.docs[rec.doc_id] = rec
            self.metas[rec.doc_id] = DocMeta(rec.doc_id, rec.canonical_url, rec.site,
                                             rec.published, rec.wire, current=False)
            occ = self.occurrences
            for k, i in zip(rec.keys.tolist(), rec.indexes.tolist(), strict=True):
                if k in occ:
                    occ[k].append((rec.doc_id, i))
                else:
                    occ[k] = [(rec.doc_id, i)]
        elif isinstance(rec, tuple):
            self._link(*rec)
        elif isinstance(rec, dict):
            if rec != self.meta:
                raise IndexFormatError(
                    f"dedup index was built with {rec}, settings now ask for {self.meta}; "
                    "rebuild it with `storyarchive dedup <slug> --rebuild`")

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

    def component(self, key: int) -> list[int]:
        """Every earlier text linked to `key` by verified near-copy edges (incl. itself)."""
        return self._members.get(self._root(key), [key])

    def _flush_segment(self) -> None:
        if not self._pending:
            return
        bands = np.stack([t.band_keys for t in self._pending])
        tkeys = np.array([t.key for t in self._pending], dtype=np.uint64)
        tblooms = np.array([t.bloom for t in self._pending], dtype=np.uint64)
        self._pending = []
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
            self._add_segment(np.concatenate([older.keys, newer.keys]),
                              np.concatenate([older.text_keys, newer.text_keys]),
                              np.concatenate([older.blooms, newer.blooms]))

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
        q = flat_keys.ravel()
        rows_out, keys_out = [], []
        for seg in self._segments:
            lo = np.searchsorted(seg.keys, q, side="left")
            hi = np.searchsorted(seg.keys, q, side="right")
            cnt = hi - lo
            hit = np.nonzero(cnt)[0]
            if len(hit) == 0:
                continue
            c = cnt[hit]
            starts = np.repeat(lo[hit] - np.cumsum(c) + c, c) + np.arange(int(c.sum()))
            rows = np.repeat(hit // b, c)
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
