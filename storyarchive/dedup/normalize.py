"""Block text normalization: what two blocks must share to count as the same text.

Unicode NFKC, case folding, punctuation and whitespace folded away. Numbers are content:
"2.1" and "21" and "2,1" stay different tokens, so "rose 2.1%" never equals "rose 0.4%".
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from hashlib import blake2b

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


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A block's normalized tokens, their exact hash and the number tokens among them."""

    tokens: tuple[str, ...]
    key: int  # 64-bit exact hash of the normalized text (0 if there are no tokens)
    numbers: tuple[str, ...] = ()

    @property
    def words(self) -> int:
        return len(self.tokens)


def tokens(text: str) -> list[str]:
    """The normalized tokens of `text` (NFKC, casefold, punctuation and whitespace folded)."""
    if text.isascii() and not _has_ascii_digit(text):
        return text.lower().translate(_ASCII_FOLD).split()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHE.sub("", text.casefold())
    toks = _TOKEN.findall(text)
    if "," in text:
        toks = [_THOUSANDS.sub("", t) if t[0].isdigit() else t for t in toks]
    return toks


def exact_key(toks: list[str] | tuple[str, ...]) -> int:
    """64-bit hash of the normalized text; 0 is reserved for 'no tokens'."""
    if not toks:
        return 0
    h = int.from_bytes(blake2b(" ".join(toks).encode("utf-8"), digest_size=8).digest(), "little")
    return h or 1


def normalize(text: str) -> NormalizedText:
    """Normalize one block's text. Never fails; empty or punctuation-only text has no tokens."""
    toks = tokens(text)
    numbers = (tuple(t for t in toks if t[0].isdigit())
               if not text.isascii() or _has_ascii_digit(text) else ())
    return NormalizedText(tuple(toks), exact_key(toks), numbers)
