"""Exact verification of a near-duplicate candidate: real Jaccard and containment of the
two blocks' word-shingle sets, plus the rule that numbers are content."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from storyarchive import defaults

# A block's distinct shingles: a set of ints, or a sorted uint64 array without repeats
# (what the engine keeps: 8 bytes a shingle).
Shingles = frozenset[int] | np.ndarray


@dataclass(frozen=True)
class MatchThresholds:
    """`jaccard`: minimum Jaccard of the shingle sets for two copies of similar length;
    `containment`: minimum share of the smaller block's shingles found in the larger one
    (a paragraph cut short or extended by a sentence); `min_words`: shorter blocks are
    never collapsed across documents."""

    jaccard: float = defaults.STORYARCHIVE_DEDUP_JACCARD
    containment: float = defaults.STORYARCHIVE_DEDUP_CONTAINMENT
    min_words: int = defaults.STORYARCHIVE_DEDUP_MIN_WORDS


class Match(NamedTuple):
    same: bool  # verified: the two blocks are copies of one text
    jaccard: float
    containment: float
    reason: str  # "exact" | "jaccard" | "containment" | why not


def numbers_compatible(small: tuple[str, ...], large: tuple[str, ...], equal: bool) -> bool:
    """Numbers are content: the smaller block's numbers must all appear in the larger one
    (as a multiset), or, if `equal`, the two must hold exactly the same numbers."""
    if small == large:
        return True
    if not small:
        return not equal or not large
    if equal:
        return Counter(small) == Counter(large)
    need = Counter(small)
    have = Counter(large)
    return all(have[n] >= c for n, c in need.items())


def shared_count(a: Shingles, b: Shingles) -> int:
    """How many shingles `a` and `b` have in common (both sets, or both arrays of
    distinct values; a mix is compared as sets)."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        if len(a) > len(b):
            a, b = b, a
        if not len(a):
            return 0
        # each of the smaller array's values looked up in the larger (sorted) one
        pos = np.searchsorted(b, a)
        pos[pos == len(b)] = 0
        return int(np.count_nonzero(b[pos] == a))
    sa = a if isinstance(a, frozenset | set) else frozenset(a.tolist())
    sb = b if isinstance(b, frozenset | set) else frozenset(b.tolist())
    return len(sa & sb)


def jaccard(a: Shingles, b: Shingles) -> float:
    """Jaccard of two shingle collections (0.0 if both are empty)."""
    inter = shared_count(a, b)
    union = len(a) + len(b) - inter
    return inter / union if union else 0.0


def verify(a_key: int, a_shingles: Shingles, a_numbers: tuple[str, ...], a_words: int,
           b_key: int, b_shingles: Shingles, b_numbers: tuple[str, ...], b_words: int,
           th: MatchThresholds) -> Match:
    """Decide whether two blocks are the same text (exact key) or a verified near copy."""
    if a_key == b_key:
        return Match(True, 1.0, 1.0, "exact")
    if min(a_words, b_words) < th.min_words:
        return Match(False, 0.0, 0.0, "short")
    inter = shared_count(a_shingles, b_shingles)
    union = len(a_shingles) + len(b_shingles) - inter
    jac = inter / union if union else 0.0
    small_n = min(len(a_shingles), len(b_shingles))
    cont = inter / small_n if small_n else 0.0
    if a_words <= b_words:
        small_num, large_num = a_numbers, b_numbers
    else:
        small_num, large_num = b_numbers, a_numbers
    if jac >= th.jaccard and numbers_compatible(small_num, large_num, equal=True):
        return Match(True, jac, cont, "jaccard")
    if cont >= th.containment and numbers_compatible(small_num, large_num, equal=False):
        return Match(True, jac, cont, "containment")
    return Match(False, jac, cont, "below-threshold" if jac < th.jaccard and cont < th.containment
                 else "numbers-differ")
