"""Block text normalization: what two blocks must share to count as the same text.

Unicode NFKC, case folding, punctuation and whitespace folded away. Numbers are content:
"2.1" and "21" and "2,1" stay different tokens, so "rose 2.1%" never equals "rose 0.4%".

A normalized block is kept as 64-bit word hashes (xxHash's XXH3 of each token's UTF-8
bytes: a kept library, the same value on every machine), its exact key (XXH3 of those
hashes) and its numbers. Changing a hash changes every index: bump LSH_VERSION in
fingerprint.py.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from xxhash import xxh3_64_intdigest

# Apostrophes inside a word are dropped ("Trump’s" == "Trump's" == "Trumps"); every other
# punctuation mark or symbol separates tokens.
_APOSTROPHE = re.compile(r"(?<=\w)['’‘ʼ`´](?=\w)")
# A number keeps its inner separators (2.1, 1,000, 10:30); a word is a run of letters/digits.
_TOKEN = re.compile(r"\d+(?:[.,:/]\d+)*|[^\W_]+")
# "4,500" and "4500" are one number (a thousands comma); "2,1" (a decimal comma) is kept.
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _has_ascii_digit(t: str) -> bool:
    # ten substring scans beat one regex search by 10x on paragraph-sized text
    return ("0" in t or "1" in t or "2" in t or "3" in t or "4" in t or "5" in t or "6" in t
            or "7" in t or "8" in t or "9" in t)


# ASCII text (most paragraphs) is tokenized as bytes, the tokens being the bytes the word
# hash reads; the same rules as above, on ASCII: apostrophes inside words dropped, then
# without digits a translate and a split (every byte but a letter or a digit is a
# separator), with digits the same regular expressions over bytes.
_ASCII_FOLD = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32
                    for c in bytes(range(256)).lower())
_APOSTROPHE_ASCII = re.compile(rb"(?<=\w)['`](?=\w)")
_TOKEN_ASCII = re.compile(rb"\d+(?:[.,:/]\d+)*|[a-z0-9]+")
_THOUSANDS_ASCII = re.compile(rb"(?<=\d),(?=\d{3}(?!\d))")
_NINE = ord("9") + 1  # an ASCII token starting with a byte below this starts with a digit

# Function words: a shingle made only of these ("of the", "and a") says nothing about which
# paragraph it comes from, so it takes no part in MinHash (it still counts in verification).
# Changing this list changes every band key: bump LSH_VERSION in fingerprint.py.
STOPWORDS = frozenset("""
a an the and or but nor so yet of in on at to for from by with without about against
between into through during before after above below up down out off over under again
further then once here there when where why how all any both each few more most other some
such no not only own same than too very can will just should now is are was were be been
being have has had having do does did doing i me my we our you your he him his she her it
its they them their what which who whom this that these those am as if while until would
could also said says say one two new de la el en los las del y que un una por con para al
""".split())


def hash_word(word: str) -> int:
    """64-bit hash of one normalized token (XXH3 of its UTF-8 bytes)."""
    return xxh3_64_intdigest(word.encode("utf-8"))


def _stopword_table() -> tuple[np.ndarray, np.uint64]:
    """A direct-mapped table of the function words' hashes, (table, mask): a word hash h is
    a function word's iff table[h & mask] == h. The smallest mask under which no two of
    them share a slot; the other slots hold a value no hash of that slot can equal."""
    hashes = np.array(sorted(map(hash_word, STOPWORDS)), dtype=np.uint64)
    for bits in range(10, 25):
        mask = np.uint64((1 << bits) - 1)
        if len(np.unique(hashes & mask)) == len(hashes):
            table = np.arange(1 << bits, dtype=np.uint64) ^ np.uint64(1)
            table[hashes & mask] = hashes
            return table, mask
    raise AssertionError("function-word hashes collide under every mask")


STOPWORD_TABLE, STOPWORD_MASK = _stopword_table()


class NormalizedText(NamedTuple):
    """A normalized block: its exact key, word count, word hashes and numbers."""

    key: int  # 64-bit exact hash of the token sequence (0 if there are no tokens)
    words: int
    hashes: bytes  # one 64-bit native-order hash per token, in order (see hash_word)
    numbers: tuple[str, ...]  # the tokens that are numbers, in order
    text: str

    @property
    def tokens(self) -> tuple[str, ...]:
        """The normalized tokens themselves (computed again: only tests and tools ask)."""
        return tuple(tokens(self.text))


def tokens(text: str) -> list[str]:
    """The normalized tokens of `text` (NFKC, casefold, punctuation and whitespace folded)."""
    if text.isascii():
        return [t.decode("ascii") for t in _ascii_tokens(text)]
    text = _APOSTROPHE.sub("", unicodedata.normalize("NFKC", text).casefold())
    toks = _TOKEN.findall(text)
    if "," in text:
        toks = [_THOUSANDS.sub("", t) if t[0].isdigit() else t for t in toks]
    return toks


def _ascii_tokens(text: str) -> list[bytes]:
    """`tokens` of ASCII text, as bytes."""
    raw = text.encode("ascii")
    if b"'" in raw or b"`" in raw:
        raw = _APOSTROPHE_ASCII.sub(b"", raw)
    if not _has_ascii_digit(text):
        return raw.translate(_ASCII_FOLD).split()
    raw = raw.lower()
    toks = _TOKEN_ASCII.findall(raw)
    if b"," in raw:
        toks = [_THOUSANDS_ASCII.sub(b"", t) if t[0] < _NINE else t for t in toks]
    return toks


_tuple_new = tuple.__new__

# A block copied verbatim (boilerplate, wire copy, the same text read back to verify it) is
# normalized once: a pure function of the text, memoized in a bounded C-level LRU.
@lru_cache(maxsize=8192)
def normalize(text: str) -> NormalizedText:
    """Normalize one block's text. Never fails; empty or punctuation-only text has no tokens.
    Memoized (the last 8,192 distinct texts)."""
    if text.isascii():
        toks = _ascii_tokens(text)
        numbers = tuple([t.decode() for t in toks if t[0] < _NINE]) if _has_ascii_digit(text) else ()
    else:
        strs = tokens(text)
        numbers = tuple(t for t in strs if t[0].isdigit())
        toks = [t.encode("utf-8") for t in strs]
    if not toks:
        return _tuple_new(NormalizedText, (0, 0, b"", (), text))  # type: ignore[no-any-return]
    hashes = np.fromiter(map(xxh3_64_intdigest, toks), dtype=np.uint64, count=len(toks)).tobytes()
    key = xxh3_64_intdigest(hashes) or 1  # 0 is "no tokens"
    # tuple.__new__: the NamedTuple's own __new__ is a Python function, ~3x the cost
    return _tuple_new(NormalizedText, (key, len(toks), hashes, numbers, text))  # type: ignore[no-any-return]
