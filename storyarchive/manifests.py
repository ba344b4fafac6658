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
