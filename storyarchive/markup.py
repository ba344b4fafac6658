"""How much markup a body holds, counted before anything parses it.

A parsed page costs memory by its elements, not its bytes: 20 MB of `<i>a</i>` is 2.6
million elements, about 750 MB as an lxml tree (and as much again in an extraction
worker), and it gzips to 20 KB. So a page is read (parsed by a spider, extracted) only if
its element count is within STORYARCHIVE_MAX_PAGE_ELEMENTS; counting is a byte scan.
"""

from __future__ import annotations


def element_count(body: bytes) -> int:
    """Start tags, comments and declarations in `body`: every `<` not followed by `/`
    (an upper bound of the elements a parser makes; a `<` in a script counts too)."""
    return body.count(b"<") - body.count(b"</")


def too_many_elements(body: bytes, limit: int) -> bool:
    """Whether `body` holds more than `limit` elements (limit 0: never)."""
    # (a body with fewer bytes than the limit cannot hold more elements than that)
    return bool(limit) and len(body) > limit and element_count(body) > limit
