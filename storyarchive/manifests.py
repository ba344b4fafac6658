"""Reading the crawl manifests of a story (stories/<slug>/crawls/<crawl_id>.json)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from storyarchive import layout
from storyarchive.store.base import ArchiveStore


def iter_manifests(store: ArchiveStore, slug: str) -> Iterator[dict[str, Any]]:
    """Every readable manifest of the story, in key (crawl id, so time) order; unreadable
    ones are passed over."""
    for key in store.list_keys(f"{layout.story_prefix(slug)}crawls/"):
        try:
            manifest = json.loads(store.get_bytes(key))
        except (KeyError, ValueError):
            continue
        if isinstance(manifest, dict):
            yield manifest


def recorded_wire_sites(store: ArchiveStore, slug: str) -> tuple[str, ...]:
    """The wire agencies' sites the story's crawls used for canonical choice (from the story
    file's [dedup] wire_sites, as recorded in each manifest), so that re-running dedup
    without the story file chooses the same canonical copies."""
    sites: set[str] = set()
    for manifest in iter_manifests(store, slug):
        sites.update(manifest.get("dedup_wire_sites") or [])
    return tuple(sorted(sites))


class CrawlIdUsedError(Exception):
    """A crawl whose id already has a manifest in the store: a crawl id is used once."""


def check_crawl_id_unused(store: ArchiveStore, slug: str, crawl_id: str) -> None:
    """CrawlIdUsedError if the store holds a manifest of crawl `crawl_id` of `slug` (that
    crawl is done: a second one under its id could only fail at its end, over its
    documents). StoreError if the store cannot say."""
    key = layout.crawl_manifest_key(slug, crawl_id)
    if store.exists(key):
        raise CrawlIdUsedError(
            f"crawl {crawl_id} of story {slug!r} is done already (its manifest {key} is in "
            f"{store.uri}): a crawl id is used once; start the crawl without crawl_id for a new one")
