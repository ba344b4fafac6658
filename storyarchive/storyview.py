"""What the archive holds for one story, read from the store: each article's row, the WARC
totals, the pages the crawls did not keep. One place for `storyarchive show` (a terminal
table) and the web view (storyarchive.web), so the two never tell a story differently."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from storyarchive import layout
from storyarchive.store.base import ArchiveStore


def outlet_of(doc: dict[str, Any]) -> str:
    """The outlet a document belongs to: the page's own publisher name, else its host."""
    return (doc.get("metadata") or {}).get("site_name") or urlsplit(doc["canonical_url"]).netloc


def rebased_replay_url(doc: dict[str, Any], slug: str, base: str) -> str:
    """The document's replay URL on the replay server at `base`: its stored replay_url's
    capture time (else its fetched_at) and URL."""
    from storyarchive.replay.urls import replay_url

    stored = str(doc.get("replay_url") or "")
    m = re.search(rf"/{re.escape(slug)}/(\d{{14}})/(.+)$", stored)
    if m:
        return replay_url(slug, m.group(1), m.group(2), base)
    return replay_url(slug, doc.get("fetched_at") or "", doc.get("final_url") or doc["canonical_url"], base)


def article_row(key: str, doc: dict[str, Any], slug: str, replay_base: str | None = None) -> dict[str, Any]:
    """One article as `show` lists it (the latest version `doc`, stored at `key`).
    `replay_base`: the replay link on that server instead of the document's own."""
    meta = doc.get("metadata") or {}
    rel = doc.get("relevance") or {}
    replay = rebased_replay_url(doc, slug, replay_base) if replay_base else doc.get("replay_url")
    return {
        "outlet": outlet_of(doc),
        "title": meta.get("title") or "",
        "published": meta.get("published") or "",
        "language": meta.get("language") or "",
        "authors": list(meta.get("authors") or []),
        "words": doc.get("word_count", 0),
        "relevance": rel.get("score"),
        "status": doc.get("status"),
        "url": doc.get("final_url") or doc["canonical_url"],
        "canonical_url": doc["canonical_url"],
        "captured": doc.get("fetched_at") or "",
        "replay_url": replay,
        "key": key,
    }


def warc_totals(store: ArchiveStore, slug: str) -> dict[str, int]:
    """Files, indexed records, their bytes and revisits of the story's WARCs (from its CDXJ
    indexes, not the WARCs themselves)."""
    warc = {"files": 0, "records": 0, "bytes": 0, "revisits": 0}
    for key in store.list_keys(f"{layout.story_prefix(slug)}indexes/"):
        warc["files"] += 1
        for line in store.get_bytes(key).decode("utf-8").splitlines():
            parts = line.split(" ", 2)
            if len(parts) < 3:
                continue
            entry = json.loads(parts[2])
            warc["records"] += 1
            warc["bytes"] += int(entry.get("length", 0))
            if entry.get("mime") == "warc/revisit":
                warc["revisits"] += 1
    return warc


def manifest_keys(store: ArchiveStore, slug: str) -> list[str]:
    """The keys of the story's crawl manifests, in crawl (time) order."""
    return sorted(k for k in store.list_keys(f"{layout.story_prefix(slug)}crawls/") if k.endswith(".json"))


def rejected_pages(store: ArchiveStore, manifest_keys: list[str], kept: set[str]) -> list[dict[str, Any]]:
    """Every page the crawls did not keep as an article (turned away at discovery, or
    fetched and skipped), with its reason: the latest crawl's word for each URL, leaving out
    URLs a later crawl kept."""
    by_url: dict[str, dict[str, Any]] = {}
    for key in manifest_keys:  # in crawl order: a later crawl's reason wins
        manifest = json.loads(store.get_bytes(key))
        for entry in [*manifest.get("rejected_at_discovery", []), *manifest.get("skipped", [])]:
            url = entry.get("url")
            if url:
                by_url[url] = {"url": url, "reason": str(entry.get("reason") or ""),
                               "status": entry.get("status"), "crawl_id": manifest.get("crawl_id")}
    return [by_url[u] for u in sorted(by_url) if u not in kept]


def reason_kind(reason: str) -> str:
    """The kind of a rejection reason: 'http-404', 'not-html', 'off-topic' (any relevance
    reason), 'error', ..."""
    head = reason.split(":", 1)[0].strip()
    if head.startswith(("missing required", "excluded term", "score")):
        return "off-topic"
    return head or "unknown"
