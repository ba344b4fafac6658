"""The deduplicated text of an article and the in-page (tier 1) repeat marking."""

from __future__ import annotations

from collections.abc import Sequence

from storyarchive.dedup.normalize import NormalizedText, normalize
from storyarchive.items import Block

DROPPED_RELATIONS = frozenset({"repeat-in-page", "site-boilerplate"})
CROSS_DOC_RELATIONS = ("site-boilerplate", "site-copy", "wire-exact", "wire-near")


def text_dedup(blocks: Sequence[Block]) -> str:
    """The article's text without in-page repeats and site boilerplate; wire copy is kept
    so the article stays whole. Paragraphs are separated by blank lines."""
    return "\n\n".join(b.text for b in blocks if b.relation not in DROPPED_RELATIONS)


def mark_in_page_repeats(blocks: Sequence[Block]) -> list[NormalizedText]:
    """Tier 1: mark every block whose normalized text already appeared earlier in the same
    page as `repeat-in-page` of that first occurrence; reset every other block to `unique`.
    Returns each block's normalized text. Blocks without any word are never repeats."""
    first: dict[int, int] = {}
    norms = []
    for b in blocks:
        n = normalize(b.text)
        norms.append(n)
        b.cluster = None
        b.similarity = None
        if n.key and n.key in first:
            b.relation, b.of_block = "repeat-in-page", first[n.key]
        else:
            b.relation, b.of_block = "unique", None
            if n.key:
                first[n.key] = b.index
    return norms
