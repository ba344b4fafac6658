"""Typed items that flow from the spiders through the pipelines.

The spiders yield `ArticleItem`; each pipeline fills in its part:
extract -> `extraction`, relevance -> `relevance`, dedup -> per-block relations and
`syndication`, store -> writes the cleaned JSON (see `storyarchive.document`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storyarchive.timestamps import Timestamp

BLOCK_KINDS = ("paragraph", "heading", "list-item", "quote")


@dataclass
class Block:
    """One block of an article body, in reading order.

    `relation` and the fields after it are set by the dedup stage:
    unique | repeat-in-page (of_block) | site-boilerplate | site-copy (cluster: copies of one
    article at several URLs of one site) | wire-exact | wire-near (cluster, similarity).
    """

    index: int
    kind: str
    text: str
    relation: str = "unique"
    of_block: int | None = None
    cluster: str | None = None
    similarity: float | None = None


@dataclass
class Extraction:
    """What the extractor found in one HTML page."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # storyarchive.timestamps form: UTC "…Z", local, or a date
    published_offset: str | None = None  # the page's UTC offset ("-05:00"), if it gave one
    modified: str | None = None  # same form as published
    modified_offset: str | None = None
    site_name: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    image: str | None = None  # the lead image's absolute URL
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    extractor: dict[str, Any] = field(default_factory=dict)  # name, version, options

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)

    @property
    def word_count(self) -> int:
        return sum(len(b.text.split()) for b in self.blocks)


@dataclass
class Relevance:
    """How well a page matches its story's terms; `relevant` decides keep or reject."""

    score: float
    relevant: bool
    matched: dict[str, list[str]] = field(default_factory=dict)  # field -> terms matched
    reason: str | None = None  # why rejected, e.g. "missing required term: strike|attack"


@dataclass
class WarcRef:
    """Where in the archive the response this document came from is stored."""

    filename: str
    offset: int
    length: int
    record_id: str
    record_type: str = "response"  # or "revisit"
    date: str | None = None  # WARC-Date of the record (ISO 8601 UTC): the capture time in replay


@dataclass
class ArticleItem:
    """One fetched page on its way through the pipelines.

    `body` is the decoded HTTP payload (content-decoding done) and is dropped once the
    extraction is done, so items stay small.
    """

    story: str
    url: str  # as requested (before redirects)
    final_url: str  # after redirects
    canonical_url: str  # what counts as "the same article"
    fetched_at: str  # ISO 8601 UTC, when the request reached the downloader
    status: int
    content_type: str = ""
    encoding: str | None = None
    body: bytes | None = None
    spider: str = "story"
    # How it was found: feed | sitemap | search | link | capture | warc; when the crawl ends,
    # the story spider replaces it with the sorted list of every source that listed it.
    discovered_via: str | list[str] | None = None
    discovered_date: Timestamp | None = None  # publication time announced by a feed or sitemap
    discovered_date_via: str | None = None  # which announced it: feed | sitemap
    extraction: Extraction | None = None
    relevance: Relevance | None = None
    warc: WarcRef | None = None
    syndication: dict[str, Any] | None = None
    skipped_reason: str | None = None  # non-HTML, empty extraction, ...
