"""LSH candidate pairs of a dedup run: MinHash band keys of the run's texts (those already
indexed take theirs from the index), the pairs of the run's texts sharing band keys, and
the pairs with earlier texts the index finds. Pairs of two texts each on one and the same
site are left out as they are made (`graph.NearCopyGraph.cross_site` says why), so
templated pages (masses of such pairs) cost no memory for pairs nobody looks at."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.fingerprint import Fingerprinter
from storyarchive.dedup.index import flat_band_keys
from storyarchive.dedup.run import Run

logger = logging.getLogger(__name__)

_PAIR_CHUNK = 1 << 21  # LSH pair codes counted at once in pairs_within (16 MB)


@dataclass
class RunFingerprints:
    """The run's distinct texts in key order: keys (uint64), which are new to the index,
    numbers blooms and band keys (n, bands) uint32."""

    keys: np.ndarray
    new: np.ndarray
    blooms: np.ndarray
    band_keys: np.ndarray


def fingerprint_run(run: Run, fp: Fingerprinter, config: DedupConfig) -> RunFingerprints:
    """Fingerprints of the run's distinct texts (`run.norms`); the MinHash band keys and
    numbers blooms of texts already in the index are taken from it. Sets `run.fps` and
    `run.fps_row`: a text's shingles for verification are made only if it is compared."""
    norms, prior = run.norms, run.index
    current_keys = sorted(norms)
    hash_lists = [norms[k].hashes for k in current_keys]
    need = np.ones(len(current_keys), dtype=bool)
    if prior is not None:
        ptexts = prior.texts
        need = np.fromiter((k not in ptexts for k in current_keys), dtype=bool,
                           count=len(current_keys))
    # (texts already indexed get their shingles later, only if they are compared)
    blooms = np.zeros(len(current_keys), dtype=np.uint64)
    if need.all():
        fps = fp.fingerprint(hash_lists)
        band_keys = fps.band_keys
        new_rows = np.arange(len(current_keys))
    else:
        assert prior is not None
        new_rows = np.flatnonzero(need)
        old_rows = np.flatnonzero(~need)
        fps = fp.fingerprint([hash_lists[i] for i in new_rows.tolist()])
        band_keys = np.empty((len(current_keys), config.lsh.bands), np.uint32)
        band_keys[new_rows] = fps.band_keys
        band_keys[old_rows], blooms[old_rows] = prior.text_fingerprints(
            [current_keys[i] for i in old_rows.tolist()])
    for i in new_rows.tolist():
        numbers = norms[current_keys[i]].numbers
        if numbers:
            blooms[i] = fp.number_bloom(numbers)
    # a text's row in `fps` (texts new to the index), or -1 (shingles from its word hashes)
    fps_row = np.full(len(current_keys), -1, dtype=np.int64)
    fps_row[new_rows] = np.arange(len(new_rows))
    run.fps = fps
    run.fps_row = dict(zip(current_keys, fps_row.tolist(), strict=True))
    return RunFingerprints(np.array(current_keys, dtype=np.uint64), need, blooms, band_keys)


def candidate_pairs(run: Run, config: DedupConfig, fps: RunFingerprints) -> Pairs:
    """The run's candidate pairs: its texts sharing `min_bands` band keys with compatible
    numbers, among themselves and with earlier texts, but for pairs on one site only."""
    flat = flat_band_keys(fps.band_keys)
    karr, blooms = fps.keys, fps.blooms
    site_ids: dict[str, int] = {}
    site = one_site(run, karr, run.recrawled, site_ids)
    within = pairs_within(flat, blooms, config.max_bucket, config.lsh.min_bands, site)
    rows, pkeys = np.zeros(0, np.int64), np.zeros(0, np.uint64)
    if run.index is not None:
        # (an earlier band key is looked at as far as a run's own buckets are: its newest
        # max_bucket texts; without that bound, a batch or crawl of templated pages
        # after a first one made millions of candidates and gigabytes of pairs)
        rows, pkeys = run.index.candidates(flat, blooms, config.lsh.min_bands, config.max_bucket)
        if len(pkeys):
            # earlier texts that are not this run's (karr is sorted: a binary search
            # costs less memory than np.isin's sort of both), on another site
            pos = np.searchsorted(karr, pkeys)
            pos[pos == len(karr)] = 0
            keep = karr[pos] != pkeys
            upk = np.unique(pkeys)
            psite = one_site(run, upk, run.recrawled, site_ids)
            keep &= (site[rows] < 0) | (site[rows] != psite[np.searchsorted(upk, pkeys)])
            rows, pkeys = rows[keep], pkeys[keep]
            del pos, keep, upk, psite
    return Pairs.build(karr, within, rows, pkeys)


def one_site(run: Run, keys: np.ndarray, exclude: set[str], ids: dict[str, int]) -> np.ndarray:
    """For each text key, the id (numbered in `ids`) of the one site every occurrence
    of it is on, or -1 (several sites, or no occurrence but in documents recrawled
    now): the same test as `graph.NearCopyGraph.cross_site`, for arrays of keys."""
    out = np.full(len(keys), -1, dtype=np.int64)
    occ = run.occ
    for i, key in enumerate(keys.tolist()):
        occs = occ[key] if key in occ else (run.prior_occ(key, exclude) if run.index else ())
        if not occs:
            continue
        first = occs[0].doc.site
        if len(occs) == 1 or all(o.doc.site == first for o in occs):
            out[i] = ids.setdefault(first, len(ids))
    return out


def pairs_within(flat: np.ndarray, blooms: np.ndarray, max_bucket: int, min_bands: int,
                 site: np.ndarray | None = None) -> np.ndarray:
    """Index pairs (i < j) of this run's texts sharing an LSH band key whose numbers may
    be compatible, as sorted unique codes i * n + j (int64). A bucket larger than
    `max_bucket` is cut to its first members (by text key), which bounds the work on
    masses of templated text. With `site` (see `one_site`, by row), pairs of two texts
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
    if int(gsize.max()) > max_bucket:
        logger.info("LSH bucket of %d texts cut to %d", int(gsize.max()), max_bucket)
    size = np.minimum(gsize, max_bucket)[gid]
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


class Pairs:
    """A run's candidate pairs of text keys (smaller, larger), unique, in sorted order.
    Held as int64 codes lo * u + hi over the ranks of `keys` (sorted uint64): a run may
    have millions of candidates, 8 bytes each here, ~120 as a list of tuples."""

    __slots__ = ("keys", "codes")

    def __init__(self, keys: np.ndarray, codes: np.ndarray) -> None:
        self.keys, self.codes = keys, codes

    @classmethod
    def build(cls, karr: np.ndarray, within: np.ndarray, rows: np.ndarray,
              pkeys: np.ndarray) -> Pairs:
        """From this run's keys `karr` (sorted, unique), the codes i * len(karr) + j of
        its pairs (i < j, sorted, unique: `pairs_within`) and the pairs (karr[rows[m]],
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
