"""The dedup stage: collapse repeated blocks within a page, across a site and across
outlets, with provenance (issue 4, docs/dedup.md).

    text_dedup(blocks)                 the article's text without repeats and boilerplate
    mark_in_page_repeats(blocks)       tier 1 (in-page exact repeats)
    BlockDeduplicator(config, index)   tiers 2-4 over a whole crawl, deterministic
    StoryDedup                         one story's deduplicator + index + archive access
"""

from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.engine import BlockDeduplicator, DocInput
from storyarchive.dedup.summary import DedupSummary
from storyarchive.dedup.text import mark_in_page_repeats, text_dedup

__all__ = [
    "BlockDeduplicator",
    "DedupConfig",
    "DedupSummary",
    "DocInput",
    "mark_in_page_repeats",
    "text_dedup",
]
