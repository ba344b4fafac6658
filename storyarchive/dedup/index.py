"""`PriorIndex`: the in-memory search structures over a story's index log.

It answers, for blocks of the crawl being finalized: which earlier documents hold this exact
text (and where), which earlier texts share an LSH band with it, and each earlier
document's metadata for the canonical rule. It is loaded incrementally from an
`IndexBackend` (only records appended since the last sync are read).
"""

from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np

from storyarchive.dedup.backend import IndexBackend
from storyarchive.dedup.bandtable import BandTable
from storyarchive.dedup.canonical import DocMeta
from storyarchive.dedup.records import (
    DocRecord,
    IndexFormatError,
    decode,
    decode_texts,
    encode_doc,
    encode_edge,
    encode_meta,
    texts_to_records,
)

logger = logging.getLogger(__name__)


class Occurrence(NamedTuple):
    """One block holding a text: its document and block index."""

    doc: DocMeta
    block: int


# Occurrence(doc, block) is made as tuple.__new__(Occurrence, (doc, block)) where one is
# made for every block of every crawl: the NamedTuple's own __new__ is a Python function,
# ~3x the cost.
_tuple_new = tuple.__new__


_NONE: list[Occurrence] = []  # shared empty answer of prior_occurrences (never modified)


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
        # text key -> row of its numbers bloom, band keys and words in _t_blooms/_t_bands/_t_words
        self.texts: dict[int, int] = {}
        self._t_chunks: list[np.ndarray] = []  # decoded T records, not yet concatenated
        self._t_blooms = np.zeros(0, np.uint64)
        self._t_words = np.zeros(0, np.int64)
        self._t_bands = np.zeros((0, int(self.meta.get("bands", 16))), np.uint32)  # type: ignore[call-overload]
        # text key -> the blocks of indexed documents holding it
        self.occurrences: dict[int, list[Occurrence]] = {}
        self.metas: dict[str, DocMeta] = {}
        self._bands = BandTable()  # LSH band key -> (text key, numbers bloom)
        self._pending: list[np.ndarray] = []  # T records not yet in the band table
        self._parent: dict[int, int] = {}  # union-find over texts linked by edge records
        self.links = self._parent  # (read-only view for callers: which texts are linked)
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
        self._flush_bands()
        return len(records)

    def _add_texts(self, raws: list[bytes]) -> None:
        """Apply T records in one batch (a text already known is ignored: texts are
        content-addressed)."""
        self._add_text_array(decode_texts(raws, self._t_bands.shape[1]))

    def _add_text_array(self, arr: np.ndarray) -> None:
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
        rows = self._text_rows(keys)
        return self._t_bands[rows], self._t_blooms[rows]

    def text_words(self, keys: list[int]) -> list[int]:
        """The word count of each of `keys` (indexed texts); KeyError if one is not."""
        return self._t_words[self._text_rows(keys)].tolist()  # type: ignore[no-any-return]

    def _text_rows(self, keys: list[int]) -> np.ndarray:
        if self._t_chunks:
            self._t_blooms = np.concatenate([self._t_blooms, *(c["bloom"] for c in self._t_chunks)])
            self._t_bands = np.concatenate([self._t_bands, *(c["bands"] for c in self._t_chunks)])
            self._t_words = np.concatenate([self._t_words, *(c["words"].astype(np.int64)
                                                              for c in self._t_chunks)])
            self._t_chunks = []
        return np.fromiter(map(self.texts.__getitem__, keys), dtype=np.int64, count=len(keys))

    def prior_occurrences(self, key: int) -> list[Occurrence]:
        """The indexed occurrences of a text, in the order the index recorded them (every
        use is independent of that order); shared, do not modify."""
        return self.occurrences.get(key, _NONE)

    def _apply(self, raw: bytes) -> None:
        self._apply_record(decode(raw))

    def _apply_record(self, rec: object) -> None:
        if isinstance(rec, DocRecord):
            occ = self.occurrences
            doc_id = rec.doc_id
            old = self.docs.get(doc_id)
            if old is not None:  # a recrawled document: its new blocks replace the old
                for k in set(old.keys.tolist()):
                    occ[k] = [o for o in occ[k] if o.doc.doc_id != doc_id]
            self.docs[doc_id] = rec
            meta = self.metas[doc_id] = DocMeta(doc_id, rec.canonical_url, rec.site,
                                                rec.published, rec.wire, current=False)
            new = _tuple_new
            for k, i in zip(rec.keys.tolist(), rec.indexes.tolist(), strict=True):
                if k in occ:
                    occ[k].append(new(Occurrence, (meta, i)))
                else:
                    occ[k] = [new(Occurrence, (meta, i))]
        elif isinstance(rec, tuple):
            self._link(*rec)
        elif isinstance(rec, dict):
            if rec != self.meta:
                raise IndexFormatError(
                    f"dedup index was built with {rec}, settings now ask for {self.meta}; "
                    "rebuild it with `storyarchive dedup <slug> --rebuild`")
        else:  # T records are applied in bulk (_add_texts / _add_text_array)
            raise TypeError(f"not a D, E or M index record: {type(rec).__name__}")

    def _root(self, k: int) -> int:
        parent = self._parent
        while parent.get(k, k) != k:
            parent[k] = parent.get(parent[k], parent[k])
            k = parent[k]
        return k

    def root(self, k: int) -> int:
        """The representative of the component of earlier texts that `k` belongs to (the
        texts linked by edge records); `k` itself if it is in none."""
        return self._root(k) if k in self._parent else k

    def in_component(self, k: int) -> bool:
        """Whether `k` is linked to some other earlier text."""
        return k in self._parent or k in self._members

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

    def _flush_bands(self) -> None:
        if not self._pending:
            return
        recs = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending = []
        self._bands.add(flat_band_keys(recs["bands"].astype(np.uint32)), recs["key"], recs["bloom"])

    def candidates(self, flat_keys: np.ndarray, blooms: np.ndarray,
                   min_bands: int = 1, max_per_key: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """For query keys (n, bands) uint64 (see flat_band_keys) and the query texts' number
        blooms: pairs (query row, text key) of earlier texts sharing at least `min_bands`
        band keys whose numbers may be compatible (one bloom inside the other), unique,
        in row order. With `max_per_key`, each band key's newest `max_per_key` texts only,
        and each row's `max_per_key` smallest text keys."""
        return self._bands.query(flat_keys, blooms, max(1, min_bands), max_per_key)

    def append(self, records: list[bytes]) -> None:
        """Persist records (the meta record first if the log is empty), then sync."""
        if self._cursor == 0 and not self.docs and not self.texts:
            records = [encode_meta(self.meta), *records]
        self.backend.append(records)
        self.sync()

    def append_run(self, texts: np.ndarray, edges: list[tuple[int, int]],
                   docs: list[DocRecord]) -> None:
        """Persist one dedup run: its new texts (T records as a `text_dtype` array), its
        verified links and its documents. They are applied from memory, not read back and
        decoded, unless another writer appended since the last sync (then: `sync`)."""
        records = texts_to_records(texts)
        records.extend(encode_edge(a, b) for a, b in edges)
        records.extend(encode_doc(d) for d in docs)
        fresh = self._cursor == 0 and not self.docs and not self.texts
        if fresh:
            records.insert(0, encode_meta(self.meta))
        if not records:
            return
        span = self.backend.append(records)
        if span is None or span[0] != self._cursor:
            self.sync()
            return
        self._cursor = span[1]
        if len(texts):
            self._add_text_array(texts)
        for a, b in edges:
            self._link(a, b)
        for d in docs:
            self._apply_record(d)
        self._flush_bands()
