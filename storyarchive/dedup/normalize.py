"""Block text normalization: what two blocks must share to count as the same text.

Unicode NFKC, case folding, punctuation and whitespace folded away. Numbers are content:
"2.1" and "21" and "2,1" stay different tokens, so "rose 2.1%" never equals "rose 0.4%".
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache
from hashlib import blake2b
from sys import intern
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


class NormalizedText(NamedTuple):
    """A block's normalized tokens, their exact hash and the number tokens among them."""

    tokens: tuple[str, ...]
    key: int  # 64-bit exact hash of the normalized text (0 if there are no tokens)
    numbers: tuple[str, ...] = ()

    @property
    def words(self) -> int:
        return len(self.tokens)


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


def exact_key(toks: list[str] | tuple[str, ...]) -> int:
    """64-bit hash of the normalized text; 0 is reserved for 'no tokens'."""
    if not toks:
        return 0
    h = int.from_bytes(blake2b(" ".join(toks).encode("utf-8"), digest_size=8).digest(), "little")
    return h or 1


# A block copied verbatim (boilerplate, wire copy, the same text read back to verify it) is
# normalized once: a pure function of the text, memoized in a bounded C-level LRU.
@lru_cache(maxsize=8192)
def normalize(text: str) -> NormalizedText:
    """Normalize one block's text. Never fails; empty or punctuation-only text has no tokens.
    Memoized (the last 8,192 distinct texts; tokens are interned strings)."""
    toks = tokens(text)
    numbers = (tuple(t for t in toks if t[0].isdigit())
               if not text.isascii() or _has_ascii_digit(text) else ())
    # interned: a run keeps every distinct text's tokens, mostly the same few thousand words
    return NormalizedText(tuple(map(intern, toks)), exact_key(toks), numbers)
