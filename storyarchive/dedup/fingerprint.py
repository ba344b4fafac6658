"""Word shingles and MinHash/LSH band keys, computed for many blocks at once with numpy.

Input: each block's word hashes (`NormalizedText.hashes`, 64 bits a token). A shingle of k
consecutive words is a 64-bit mix of its word hashes; a MinHash signature takes, for each of
`num_perm` universal hash functions, the minimum over the shingles; `bands` keys of `rows`
signature values each are hashed to 32 bits for the LSH index. Everything is deterministic:
same text, same shingles, same keys, on every machine.

This is the one implementation (issue 16 replaced a C module and its Python twin). Measured
on the distinct blocks of the bench stream (151,157 blocks, 1 core): MinHash of 32
permutations here 0.47 s; rensa's `digest_matrix_from_flat_token_hashes` 0.06 s but 0.41 s
once its digests are out of its matrix (only `to_rows()`, Python lists, reaches them), and
its band keys would follow a hash algorithm we do not pin; datasketch's `MinHash` 22 s. The
LSH table (index.BandTable) is numpy too: rensa's `RMinHashLSH` takes any one shared band
(7.2 million candidates where two shared bands, a bucket cap and the numbers bloom give
33,000) and needs MinHash objects to query, 2.6 s; datasketch's `MinHashLSH` 39 s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from storyarchive import defaults
from storyarchive.dedup.normalize import STOPWORD_MASK, STOPWORD_TABLE, hash_word

# Bump when anything that makes a key changes (word hashes, exact keys, shingles, bands):
# an index built with another version is refused and rebuilt from the archive.
# 4: xxHash word hashes and exact keys, numpy only (issue 16).
LSH_VERSION = 4
_SHINGLE_MUL = np.uint64(0x9E3779B97F4A7C15)
_CHUNK_SHINGLES = 1 << 12  # (shingles x num_perm) buffer of 1 MB: stays in cache


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer, element-wise on uint64 (wraps mod 2**64)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@dataclass(frozen=True)
class LshParams:
    """MinHash/LSH shape; persisted with the index, which must be rebuilt if it changes."""

    shingle_words: int = defaults.STORYARCHIVE_DEDUP_SHINGLE_WORDS
    bands: int = defaults.STORYARCHIVE_DEDUP_LSH_BANDS
    rows: int = defaults.STORYARCHIVE_DEDUP_LSH_ROWS
    min_bands: int = 2  # a candidate shares at least this many band keys

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows


@dataclass
class Fingerprints:
    """Fingerprints of n blocks: shingle hashes (flat, block i owns shingles[offsets[i]:
    offsets[i+1]]) and LSH band keys, shape (n, bands), uint32."""

    shingles: np.ndarray
    offsets: np.ndarray
    band_keys: np.ndarray

    def shingle_set(self, i: int) -> frozenset[int]:
        """Block i's distinct shingles as a set of Python ints."""
        return frozenset(self.shingles[self.offsets[i]:self.offsets[i + 1]].tolist())

    def shingle_array(self, i: int) -> np.ndarray:
        """Block i's distinct shingles, sorted uint64 (a copy: the batch is not kept
        alive). Same members as `shingle_set(i)` in 8 bytes each instead of ~70."""
        s = np.sort(self.shingles[self.offsets[i]:self.offsets[i + 1]])
        distinct = s[1:] != s[:-1]
        if not distinct.all():  # rare: a repeated phrase (np.unique is slower on small arrays)
            s = s[np.concatenate(([True], distinct))]
        return s


class Fingerprinter:
    """Turns blocks' word hashes into fingerprints; holds the fixed MinHash coefficients."""

    def __init__(self, params: LshParams) -> None:
        self.params = params
        rng = np.random.default_rng(0x5A17)  # fixed seed: keys must be stable forever
        self._a = rng.integers(1, 2**63, size=params.num_perm, dtype=np.uint64) | np.uint64(1)
        self._b = rng.integers(0, 2**63, size=params.num_perm, dtype=np.uint64)
        self._band_salt = np.arange(params.bands, dtype=np.uint64) * np.uint64(0xD6E8FEB86659FD93)

    @staticmethod
    def number_bloom(numbers: tuple[str, ...]) -> int:
        """64-bit set of a block's numbers: if block A's numbers are all in block B, then
        bloom(A) & ~bloom(B) == 0, so incompatible candidates are dropped in bulk."""
        bloom = 0
        for n in numbers:
            bloom |= 1 << (hash_word(n) & 63)
        return bloom

    def fingerprint(self, hash_lists: list[bytes],
                    bands_for: np.ndarray | None = None) -> Fingerprints:
        """Fingerprints of each block, given as its packed word hashes (each non-empty).
        Blocks shorter than the shingle size get one shingle of all their words.
        `bands_for` (bool, one per block) limits the MinHash work to those blocks; the
        others get all-zero band keys (for texts whose band keys are already known).
        ValueError on a block without words."""
        lengths = np.fromiter(map(len, hash_lists), dtype=np.int64, count=len(hash_lists)) >> 3
        if len(hash_lists) == 0:
            empty = np.zeros(0, dtype=np.uint64)
            return Fingerprints(empty, np.zeros(1, np.int64),
                                np.zeros((0, self.params.bands), np.uint32))
        if (lengths == 0).any():
            raise ValueError("cannot fingerprint a block without tokens")
        flat = np.frombuffer(b"".join(hash_lists), dtype=np.uint64)
        k = self.params.shingle_words
        hash_count = len(lengths)
        shingles, counts, informative = self._shingles(flat, lengths, k)
        offsets = np.zeros(hash_count + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        if bands_for is not None and not bands_for.any():
            return Fingerprints(shingles, offsets,
                                np.zeros((hash_count, self.params.bands), np.uint32))
        # a block made only of function-word shingles keeps them all for MinHash
        owner = np.repeat(np.arange(len(counts)), counts)
        has_inf = np.maximum.reduceat(informative, offsets[:-1]) if len(shingles) else informative
        use = informative | ~has_inf[owner]
        rows = np.arange(len(counts))
        if bands_for is not None:
            use &= bands_for[owner]
            rows = np.flatnonzero(bands_for)
        use_counts = np.bincount(owner[use], minlength=len(counts))[rows]
        lsh_offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(use_counts, out=lsh_offsets[1:])
        band_keys = np.zeros((hash_count, self.params.bands), np.uint32)
        band_keys[rows] = self._bands(shingles[use], lsh_offsets)
        return Fingerprints(shingles, offsets, band_keys)

    def shingles_only(self, hash_lists: list[bytes]) -> Fingerprints:
        """Shingle hashes of each block, without MinHash (all-zero band keys)."""
        return self.fingerprint(hash_lists, np.zeros(len(hash_lists), dtype=bool))

    @staticmethod
    def _shingles(flat: np.ndarray, lengths: np.ndarray,
                  k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shingle hashes (grouped by block), count per block, and whether each shingle has
        a word that is not a stop word."""
        n = len(flat)
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        ends = starts + lengths
        with np.errstate(over="ignore"):
            # windows of k words starting at every position; keep those inside one block
            m = n - k + 1
            stop = STOPWORD_TABLE[flat & STOPWORD_MASK] == flat  # function words
            if m > 0:
                acc = flat[:m].copy()
                all_stop = stop[:m].copy()
                for j in range(1, k):
                    acc = acc * _SHINGLE_MUL + flat[j:j + m]
                    all_stop &= stop[j:j + m]
                owner = np.repeat(np.arange(len(lengths)), lengths)
                valid = owner[:m] == owner[k - 1:]
                win = _mix(acc[valid])
                win_owner = owner[:m][valid]
                inf = ~all_stop[valid]
            else:
                win = np.zeros(0, np.uint64)
                win_owner = np.zeros(0, np.int64)
                inf = np.zeros(0, bool)
            short = np.nonzero(lengths < k)[0]
            if len(short):
                extra = []
                for i in short:
                    acc2 = np.uint64(0)
                    for w in flat[starts[i]:ends[i]]:
                        acc2 = acc2 * _SHINGLE_MUL + w
                    extra.append(acc2)
                win = np.concatenate([win, _mix(np.array(extra, dtype=np.uint64))])
                win_owner = np.concatenate([win_owner, short])
                inf = np.concatenate([inf, np.ones(len(short), bool)])
                order = np.argsort(win_owner, kind="stable")
                win, win_owner, inf = win[order], win_owner[order], inf[order]
        counts = np.bincount(win_owner, minlength=len(lengths))
        return win, counts, inf

    def _bands(self, shingles: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """LSH band keys from the shingles that take part in MinHash (block i owns
        shingles[offsets[i]:offsets[i + 1]], never empty)."""
        nblocks = len(offsets) - 1
        sig = np.empty((nblocks, self.params.num_perm), dtype=np.uint64)
        # process whole blocks in chunks of about _CHUNK_SHINGLES shingles
        b0 = 0
        longest = int(np.diff(offsets).max()) if nblocks else 0
        buf = np.empty((max(_CHUNK_SHINGLES, longest), self.params.num_perm), dtype=np.uint64)
        with np.errstate(over="ignore"):
            while b0 < nblocks:
                b1 = int(np.searchsorted(offsets, offsets[b0] + _CHUNK_SHINGLES, side="right")) - 1
                b1 = min(max(b1, b0 + 1), nblocks)
                s = shingles[offsets[b0]:offsets[b1]]
                hv = np.multiply(s[:, None], self._a[None, :], out=buf[:len(s)])
                hv += self._b[None, :]
                sig[b0:b1] = np.minimum.reduceat(hv, offsets[b0:b1] - offsets[b0], axis=0)
                b0 = b1
            r = self.params.rows
            acc = np.zeros((nblocks, self.params.bands), dtype=np.uint64)
            for j in range(r):
                acc = _mix(acc * _SHINGLE_MUL + (sig[:, j::r] >> np.uint64(32)))
            acc = _mix(acc ^ self._band_salt[None, :])
        return (acc >> np.uint64(32)).astype(np.uint32)
