"""`BandTable`: the LSH index of earlier texts, in numpy.

Every indexed text is entered under each of its band keys (`index.flat_band_keys`). A
query gives, for each query text, the earlier texts that share at least `min_bands` of its
band keys and whose numbers may be compatible (one numbers bloom inside the other), looking
at the newest `max_per_key` texts of each band key only (a band key of templated text can
hold thousands).

Entries live in a few sorted segments (band key, then text number: insertion order): a new
batch of texts is one segment, and two segments are merged when the newer one is at least
half the size of the older, so adding n texts costs O(n log n) over the table's life and a
query searches O(log n) segments. Why numpy and not an LSH library: see fingerprint.py.
"""

from __future__ import annotations

import numpy as np

_HITS_PER_CHUNK = 1 << 22  # (query key, entry) hits expanded at once (~100 MB at most)


class BandTable:
    """Band key -> earlier texts (key and numbers bloom), append-only."""

    def __init__(self) -> None:
        self._text_keys = np.zeros(0, np.uint64)  # per text, in insertion order
        self._blooms = np.zeros(0, np.uint64)
        # sorted (band keys, text numbers) segments, oldest first
        self._segments: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        """Entries (a text counts once per band key)."""
        return sum(len(k) for k, _ in self._segments)

    def add(self, flat_keys: np.ndarray, text_keys: np.ndarray, blooms: np.ndarray) -> None:
        """Enter texts: band keys (n, bands) uint64, their keys (n,) and numbers blooms (n,).
        ValueError if the three disagree in length."""
        n = len(text_keys)
        if not len(flat_keys) == n == len(blooms):
            raise ValueError("BandTable.add: band keys, text keys and blooms differ in length")
        if n == 0:
            return
        base = len(self._text_keys)
        self._text_keys = np.concatenate([self._text_keys, text_keys.astype(np.uint64)])
        self._blooms = np.concatenate([self._blooms, blooms.astype(np.uint64)])
        keys = np.ascontiguousarray(flat_keys, dtype=np.uint64).ravel()
        texts = np.repeat(np.arange(base, base + n, dtype=np.int64), flat_keys.shape[1])
        self._segments.append(_sort_by_key(keys, texts))
        segs = self._segments
        while len(segs) > 1 and 2 * len(segs[-1][0]) >= len(segs[-2][0]):
            newer = segs.pop()
            segs[-1] = _merge(segs[-1], newer)

    def query(self, flat_keys: np.ndarray, blooms: np.ndarray, min_bands: int = 1,
              max_per_key: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """For query texts' band keys (n, bands) uint64 and numbers blooms (n,): the pairs
        (query row int64, text key uint64), unique, sorted by row; at most `max_per_key`
        texts a row (the smallest keys) when it is set."""
        n, nb = flat_keys.shape
        empty = np.zeros(0, np.int64), np.zeros(0, np.uint64)
        if n == 0 or not self._segments:
            return empty
        q = np.ascontiguousarray(flat_keys, dtype=np.uint64).ravel()
        # (searched in sorted order: each search starts from the last one's place, several
        # times faster over a large segment than keys in random order)
        q_sorted, order = _sort_by_key(q, np.arange(len(q), dtype=np.int64))
        ranges = []
        per_row = np.zeros(n, np.int64)
        # what each key may still take: its newest max_per_key entries in all. Segments
        # hold consecutive ranges of text numbers, oldest first, and a key's entries in one
        # are by text number: so the newest segment's last ones, then the next older one's
        # (a bound on the hits, not a cut of them afterwards: templated text fills buckets)
        budget = np.full(len(q), max_per_key if max_per_key > 0 else np.iinfo(np.int64).max, np.int64)
        for keys, _ in reversed(self._segments):
            lo, hi = np.empty(len(q), np.int64), np.empty(len(q), np.int64)
            lo[order] = np.searchsorted(keys, q_sorted, "left")
            hi[order] = np.searchsorted(keys, q_sorted, "right")
            lo = np.maximum(lo, hi - budget)
            budget -= hi - lo
            ranges.append((lo, hi))
            per_row += (hi - lo).reshape(n, nb).sum(axis=1)
        ranges.reverse()
        # query rows in chunks of about _HITS_PER_CHUNK hits: bounded memory on buckets of
        # templated text, whatever the batch
        cum = np.cumsum(per_row)
        cuts = np.searchsorted(cum, np.arange(_HITS_PER_CHUNK, int(cum[-1]), _HITS_PER_CHUNK))
        bounds = [0, *sorted(set(cuts.tolist()) - {0, n}), n]
        rows_out, keys_out = [], []
        for r0, r1 in zip(bounds[:-1], bounds[1:], strict=True):
            rows, texts = self._query_rows(r0 * nb, r1 * nb, nb, ranges, blooms, min_bands, max_per_key)
            rows_out.append(rows)
            keys_out.append(texts)
        return np.concatenate(rows_out), np.concatenate(keys_out)

    def _query_rows(self, j0: int, j1: int, nb: int, ranges: list[tuple[np.ndarray, np.ndarray]],
                    blooms: np.ndarray, min_bands: int,
                    max_per_row: int) -> tuple[np.ndarray, np.ndarray]:
        """`query` for the query keys j0..j1 (whole rows), each key's entries in `ranges`."""
        qs, ts = [], []
        for (_, texts), (lo, hi) in zip(self._segments, ranges, strict=True):
            lo, hi = lo[j0:j1], hi[j0:j1]
            count = hi - lo
            hit = np.flatnonzero(count)
            count = count[hit]
            total = int(count.sum())
            if not total:
                continue
            starts = np.cumsum(count) - count
            pos = np.repeat(lo[hit] - starts, count) + np.arange(total)
            qs.append(np.repeat(hit + j0, count))
            ts.append(texts[pos])
        if not qs:
            return np.zeros(0, np.int64), np.zeros(0, np.uint64)
        qj, ti = np.concatenate(qs), np.concatenate(ts)
        rows = qj // nb
        qb, pb = blooms[rows].astype(np.uint64), self._blooms[ti]
        ok = ((qb & ~pb) == 0) | ((pb & ~qb) == 0)  # numbers may be compatible
        rows, ti = rows[ok], ti[ok]
        # (row, text) pairs found under at least min_bands band keys
        code = rows * len(self._text_keys) + ti
        # (runs of it are sorted already, each key's texts: timsort takes a fifth of the
        # default quicksort's time here)
        code.sort(kind="stable")
        first = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1])))
        counts = np.diff(first, append=len(code))
        code = code[first[counts >= max(1, min_bands)]]
        rows, texts = code // len(self._text_keys), self._text_keys[code % len(self._text_keys)]
        if max_per_row > 0 and len(rows) and int(np.bincount(rows).max()) > max_per_row:
            order = np.lexsort((texts, rows))  # each row's smallest texts
            rows, texts = _first_of_each(rows[order], texts[order], max_per_row)
        return rows, texts


def _sort_by_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`keys` sorted and `values` (>= 0, distinct) in that order, equal keys by value."""
    if not len(keys):
        return keys, values
    vbits = max(1, int(values.max()).bit_length())
    if int(keys.max()).bit_length() + vbits <= 64:
        # (key, value) packed in one uint64 and sorted in place: twice as fast as argsort
        packed = (keys << np.uint64(vbits)) | values.astype(np.uint64)
        packed.sort()
        return packed >> np.uint64(vbits), (packed & np.uint64((1 << vbits) - 1)).astype(values.dtype)
    order = np.lexsort((values, keys))
    return keys[order], values[order]


def _merge(older: tuple[np.ndarray, np.ndarray],
           newer: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted segments as one; the newer one's entries after the older one's of the
    same key (its text numbers are all larger)."""
    (k1, t1), (k2, t2) = older, newer
    at = np.searchsorted(k1, k2, "right") + np.arange(len(k2))
    from_older = np.ones(len(k1) + len(k2), dtype=bool)
    from_older[at] = False
    keys, texts = np.empty(len(from_older), k1.dtype), np.empty(len(from_older), t1.dtype)
    keys[at], texts[at] = k2, t2
    keys[from_older], texts[from_older] = k1, t1
    return keys, texts


def _first_of_each(groups: np.ndarray, values: np.ndarray,
                   limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The first `limit` values of each run of equal `groups` (sorted by group)."""
    if len(groups) == 0:
        return groups, values
    start = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
    run = np.repeat(start, np.diff(np.append(start, len(groups))))
    keep = np.arange(len(groups)) - run < limit
    return groups[keep], values[keep]
