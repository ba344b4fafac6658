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
