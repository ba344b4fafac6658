"""Block text normalization: what two blocks must share to count as the same text.

Unicode NFKC, case folding, punctuation and whitespace folded away. Numbers are content:
"2.1" and "21" and "2,1" stay different tokens, so "rose 2.1%" never equals "rose 0.4%".

A normalized block is kept as 64-bit word hashes (the low bit says "function word"), its
exact key (a hash of the token sequence) and its numbers. Plain ASCII text is tokenized and
hashed in one pass by the compiled `_fast` module; other text is tokenized here (`tokens`)
and hashed there. Changing a hash changes every index: bump LSH_VERSION in fingerprint.py.
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache
from typing import NamedTuple

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


# Fast path for plain ASCII text without digits (most paragraphs): same tokens as the
# regular expressions above, with str.translate and split.
_ASCII_FOLD = str.maketrans(
    {**{c: " " for c in string.punctuation + string.whitespace}, "'": None, "`": None})
# ASCII text with digits and no apostrophe: every separator except the ones a number may
# hold inside (".,:/") becomes a space; the chunks left are tokenized by _TOKEN only if
# they need it (a regular expression never matches across a separator, so tokenizing the
# chunks gives the tokens of the whole text).
_ASCII_SPLIT = str.maketrans({c: " " for c in string.punctuation + string.whitespace
                              if c not in ".,:/"})


try:
    from storyarchive.dedup import _fast
except ImportError:  # not built (no C compiler at install): same results, slower
    from storyarchive.dedup import _fastpy as _fast  # type: ignore[no-redef]

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
_fast.set_stopwords(sorted(STOPWORDS))
hash_word = _fast.hash_word  # 64-bit hash of one token; low bit set for a function word


class NormalizedText(NamedTuple):
    """A normalized block: its exact key, word count, word hashes and numbers."""

    key: int  # 64-bit exact hash of the token sequence (0 if there are no tokens)
    words: int
    hashes: bytes  # one 64-bit little-endian hash per token, in order (see hash_word)
    numbers: tuple[str, ...]  # the tokens that are numbers, in order
    text: str

    @property
    def tokens(self) -> tuple[str, ...]:
        """The normalized tokens themselves (computed again: only tests and tools ask)."""
        return tuple(tokens(self.text))


def tokens(text: str) -> list[str]:
    """The normalized tokens of `text` (NFKC, casefold, punctuation and whitespace folded)."""
    if text.isascii():
        if not _has_ascii_digit(text):
            return text.lower().translate(_ASCII_FOLD).split()
        if "'" not in text and "`" not in text:
            return _ascii_digit_tokens(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHE.sub("", text.casefold())
    toks = _TOKEN.findall(text)
    if "," in text:
        toks = [_THOUSANDS.sub("", t) if t[0].isdigit() else t for t in toks]
    return toks


def _ascii_digit_tokens(text: str) -> list[str]:
    """`tokens` of ASCII text with digits and no apostrophe, without a regex pass over all
    of it: a chunk of letters, of digits, or of letters then digits is one token."""
    out: list[str] = []
    comma = False
    for c in text.lower().translate(_ASCII_SPLIT).split():
        if c.isalpha() or c.isdigit() or (c.isalnum() and not c[0].isdigit()):
            out.append(c)
        else:
            out.extend(_TOKEN.findall(c))
            comma = comma or "," in c
    if comma:
        out = [_THOUSANDS.sub("", t) if t[0].isdigit() else t for t in out]
    return out


def word_hashes(toks: list[str] | tuple[str, ...]) -> bytes:
    """The packed word hashes of a token list (as `NormalizedText.hashes`)."""
    return _fast.hash_tokens(toks)[1]


def exact_key(toks: list[str] | tuple[str, ...]) -> int:
    """64-bit hash of the token sequence; 0 is reserved for 'no tokens'."""
    return _fast.hash_tokens(toks)[0]


_tuple_new = tuple.__new__

# A block copied verbatim (boilerplate, wire copy, the same text read back to verify it) is
# normalized once: a pure function of the text, memoized in a bounded C-level LRU.
@lru_cache(maxsize=8192)
def normalize(text: str) -> NormalizedText:
    """Normalize one block's text. Never fails; empty or punctuation-only text has no tokens.
    Memoized (the last 8,192 distinct texts)."""
    done = _fast.normalize_ascii(text)
    if done is not None:
        key, hashes, numbers, words = done
        # tuple.__new__: the NamedTuple's own __new__ is a Python function, ~3x the cost
        return _tuple_new(NormalizedText, (key, words, hashes, numbers, text))  # type: ignore[no-any-return]
    toks = tokens(text)
    key, hashes = _fast.hash_tokens(toks)
    return NormalizedText(key, len(toks), hashes, tuple(t for t in toks if t[0].isdigit()), text)
