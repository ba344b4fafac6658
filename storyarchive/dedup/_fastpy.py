"""The functions of the compiled `_fast` module in plain Python: the reference the test
suite checks the C code against, and the fallback where the extension was not built
(about ten times slower). Keep the two in step; see _fast.c for what each function does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_MASK = (1 << 64) - 1
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_KEY_SEED = 0x9E3779B97F4A7C15
_stop: frozenset[int] = frozenset()


def _mix64(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _base_hash(data: bytes) -> int:
    h = _FNV_OFFSET
    for b in data:
        h = ((h ^ b) * _FNV_PRIME) & _MASK
    return _mix64(h ^ len(data)) & ~1


def set_stopwords(words: Iterable[str]) -> None:
    global _stop
    _stop = frozenset(_base_hash(w.encode("utf-8")) for w in words)


def hash_word(word: str) -> int:
    h = _base_hash(word.encode("utf-8"))
    return h | (h in _stop)


def hash_tokens(tokens: Sequence[str]) -> tuple[int, bytes]:
    acc = _KEY_SEED
    out = bytearray()
    for t in tokens:
        h = hash_word(t)
        acc = _mix64(acc ^ (h & ~1))
        out += h.to_bytes(8, "little")
    if not tokens:
        return 0, b""
    key = _mix64((acc + len(tokens)) & _MASK)
    return key or 1, bytes(out)


def normalize_ascii(text: str) -> None:
    """The C module tokenizes plain ASCII text itself; here every text takes the general
    path (normalize.tokens), which gives the same tokens."""
    return None


def intersect_count(a: Sequence[int], b: Sequence[int]) -> int:
    """Shared values of two sorted arrays of distinct uint64 (numpy arrays or sequences)."""
    return len(set(_ints(a)) & set(_ints(b)))


def _ints(buf: object) -> list[int]:
    if isinstance(buf, bytes | bytearray | memoryview):
        return [int.from_bytes(bytes(buf[i:i + 8]), "little") for i in range(0, len(buf), 8)]
    tolist = getattr(buf, "tolist", None)
    return [int(x) for x in (tolist() if tolist else buf)]  # type: ignore[union-attr]


class BandTable:
    """LSH band key -> [(text key, numbers bloom)], as the C type (a dict of lists)."""

    def __init__(self) -> None:
        self._entries: dict[int, list[tuple[int, int]]] = {}
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def add(self, keys: object, texts: object, blooms: object) -> None:
        k, x, b = _ints(keys), _ints(texts), _ints(blooms)
        if not len(k) == len(x) == len(b):
            raise ValueError("BandTable.add: keys, texts and blooms differ in length")
        for key, text, bloom in zip(k, x, b, strict=True):
            self._entries.setdefault(key, []).append((text, bloom))
        self._n += len(k)

    def query(self, keys: object, rows: object, blooms: object,
              min_count: int = 0, max_per_key: int = 0) -> tuple[bytes, bytes]:
        k, r, qb = _ints(keys), _ints(rows), _ints(blooms)
        if len(k) != len(r):
            raise ValueError("BandTable.query: keys and rows differ in length")
        if min_count > 0 and any(b < a for a, b in zip(r, r[1:], strict=False)):
            raise ValueError("BandTable.query: rows must not decrease with min_count")
        found: list[tuple[int, int]] = []
        for key, row in zip(k, r, strict=True):
            chain = self._entries.get(key, [])[::-1]  # newest first, as the C type walks it
            for text, pb in chain[:max_per_key] if max_per_key > 0 else chain:
                q = qb[row]
                if (q & ~pb) and (pb & ~q):
                    continue  # numbers incompatible
                found.append((row, text))
        if min_count > 0:
            counts: dict[tuple[int, int], int] = {}
            for pair in found:
                counts[pair] = counts.get(pair, 0) + 1
            found = sorted(p for p, c in counts.items() if c >= min_count)
            if max_per_key > 0:  # at most max_per_key texts a row, the smallest
                per_row: dict[int, int] = {}
                kept = []
                for row, text in found:
                    if per_row.get(row, 0) < max_per_key:
                        per_row[row] = per_row.get(row, 0) + 1
                        kept.append((row, text))
                found = kept
        return (b"".join(row.to_bytes(8, "little", signed=True) for row, _ in found),
                b"".join(text.to_bytes(8, "little") for _, text in found))
