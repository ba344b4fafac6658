"""A story as the web view shows it, computed in one pass over the latest version of every
document and kept until the story's crawl manifests change.

Every crawl, capture, re-extraction and dedup rebuild ends by writing a manifest after its
documents (README "Storage layout"), so the list of a story's manifest keys is a cheap
token of the story's state: one small LIST instead of reading thousands of documents per
request. `SummaryCache` checks that token at most every `refresh` seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from storyarchive import layout
from storyarchive.document import read_in_batches, version_keys
from storyarchive.store.base import ArchiveStore
from storyarchive.storyview import (
    article_row,
    manifest_keys,
    outlet_of,
    reason_kind,
    rejected_pages,
    warc_totals,
)

WIRE = ("wire-exact", "wire-near")
# The orders of the story page's articles table, each computed once per summary.
SORTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "published": lambda a: (a["published"] or "~", a["outlet"], a["doc_id"]),
    "outlet": lambda a: (a["outlet"].casefold(), a["published"] or "~", a["doc_id"]),
    "title": lambda a: (a["title"].casefold(), a["doc_id"]),
    "words": lambda a: (int(a["words"] or 0), a["doc_id"]),
    "relevance": lambda a: (float(a["relevance"] or 0.0), a["doc_id"]),
}


def parse_time(value: str | None) -> dt.datetime | None:
    """A document date as an aware UTC datetime: '2025-12-31T14:15:00Z' and a time without
    a zone (taken as UTC) keep their time, a date alone is its midnight; None if unreadable."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


@dataclass
class StorySummary:
    """What the story page shows, computed once per store state (see module docstring)."""

    slug: str
    articles: list[dict[str, Any]]  # article_row + doc_id, versions, syndication fields
    by_doc: dict[str, dict[str, Any]]  # doc_id -> its row in `articles`
    outlets: list[dict[str, Any]]
    clusters: list[dict[str, Any]]  # syndicated stories: the canonical copy and who ran it
    blocks: dict[str, int]  # blocks per dedup relation
    rejected: list[dict[str, Any]]
    rejected_kinds: dict[str, int]
    crawls: list[dict[str, Any]]  # manifest summaries, oldest first
    warc: dict[str, int]
    orders: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)  # SORTS, ascending
    built_at: float = field(default_factory=time.time)
    # per-summary memo of derived views (sorted article orders, the timeline): the summary
    # never changes once built, so each is computed once per store state
    derived: dict[Any, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()` once per summary and `key` (two threads may both compute it; the
        results are equal)."""
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]

    @property
    def last_crawl(self) -> dict[str, Any] | None:
        return self.crawls[-1] if self.crawls else None

    def overview(self) -> dict[str, Any]:
        """The line of the story on the stories page."""
        last = self.last_crawl
        return {
            "slug": self.slug, "articles": len(self.articles), "outlets": len(self.outlets),
            "crawls": len(self.crawls), "last_crawl": last,
            "errors": sum(c["errors"] for c in self.crawls[-1:]),
        }


def crawl_entry(manifest: dict[str, Any]) -> dict[str, Any]:
    """One crawl of the history: when, how it ended, what it kept and what failed."""
    stats = manifest.get("stats") or {}
    errors = {k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("storyarchive/errors/")}
    skipped = manifest.get("skipped") or []
    rejected = manifest.get("rejected_at_discovery") or []
    failed_pages = sum(1 for e in [*skipped, *rejected] if str(e.get("reason") or "").startswith("error"))
    failures = [str(f.get("error") if isinstance(f, dict) else f)
                for f in manifest.get("finish_failures") or []]
    return {
        "crawl_id": manifest.get("crawl_id"), "spider": manifest.get("spider"),
        "status": manifest.get("status"), "started": manifest.get("started"),
        "finished": manifest.get("finished"), "seconds": manifest.get("elapsed_seconds"),
        "documents": len(manifest.get("documents") or []),
        "written": sum(1 for d in manifest.get("documents") or [] if d.get("written")),
        "skipped": len(skipped), "rejected": len(rejected),
        "fetched": stats.get("downloader/response_count"),
        "errors": sum(int(v) for v in errors.values()) + failed_pages + len(failures),
        "error_kinds": errors, "finish_failures": failures,
        "runs": [{"started": r.get("started"), "ended": r.get("ended"), "at": r.get("at")}
                 for r in manifest.get("runs") or []],
    }


def build_summary(store: ArchiveStore, slug: str, replay_base: str | None,
                  manifests: list[str] | None = None) -> StorySummary:
    """Read the story's latest documents and manifests once and compute everything the
    story page shows. KeyError if the store holds nothing for `slug`."""
    stored = {doc_id: keys for (_story, doc_id), keys
              in version_keys(store, f"{layout.story_prefix(slug)}articles/").items()}
    latest = {doc_id: keys[-1] for doc_id, keys in stored.items()}
    manifests = manifest_keys(store, slug) if manifests is None else manifests
    if not latest and not manifests:
        raise KeyError(slug)

    articles: list[dict[str, Any]] = []
    relations: Counter[str] = Counter()
    groups: dict[str, dict[str, Any]] = {}  # canonical doc id -> syndicated story
    def read(doc_id: str) -> tuple[str, str, bytes]:
        return doc_id, latest[doc_id], store.get_bytes(latest[doc_id])

    for doc_id, key, data in (r for batch in read_in_batches(sorted(latest), read) for r in batch):
        doc = orjson.loads(data)
        row = article_row(key, doc, slug, replay_base)
        synd = doc.get("syndication") or {}
        canonical = (synd.get("canonical") or {}).get("doc_id")
        wire = [b for b in doc.get("blocks") or [] if b.get("relation") in WIRE]
        for b in doc.get("blocks") or []:
            relations[b.get("relation") or "unique"] += 1
        sims = [float(b.get("similarity") or 1.0) for b in wire]
        row.update(doc_id=doc_id, versions=len(stored[doc_id]), language=row["language"],
                   published_at=parse_time(row["published"]), canonical_doc=canonical,
                   is_canonical=bool(synd.get("is_canonical")),
                   shared_share=synd.get("shared_share"),
                   wire_blocks=len(wire), wire_near=sum(1 for b in wire if b.get("relation") == "wire-near"),
                   similarity=round(sum(sims) / len(sims), 4) if sims else None)
        articles.append(row)
        if canonical and wire:
            groups.setdefault(canonical, {"canonical": canonical, "members": []})["members"].append(row)
    by_doc = {a["doc_id"]: a for a in articles}

    clusters: list[dict[str, Any]] = []
    for canonical, group in groups.items():
        members = [m for m in group["members"] if m["doc_id"] != canonical]
        if not members:
            continue
        head = by_doc.get(canonical)
        everyone = ([head] if head else []) + members
        dated = [m for m in everyone if m["published_at"] is not None]
        first = min(dated, key=lambda m: (m["published_at"], m["doc_id"])) if dated else None
        clusters.append({
            "canonical": canonical, "title": head["title"] if head else "",
            "outlet": head["outlet"] if head else "", "published": head["published"] if head else "",
            "first_publisher": first["doc_id"] if first else None,
            "first_outlet": first["outlet"] if first else None,
            "first_published": first["published"] if first else None,
            "members": sorted(members, key=lambda m: (m["published"] or "~", m["outlet"])),
        })
    clusters.sort(key=lambda c: (-len(c["members"]), c["published"] or "~", c["canonical"]))

    outlets: dict[str, dict[str, Any]] = {}
    for a in articles:
        o = outlets.setdefault(a["outlet"], {"outlet": a["outlet"], "articles": 0, "words": 0,
                                              "first": None, "last": None, "wire_copies": 0,
                                              "canonical_copies": 0, "languages": set()})
        o["articles"] += 1
        o["words"] += int(a["words"] or 0)
        if a["language"]:
            o["languages"].add(a["language"])
        if a["published"]:
            o["first"] = min(o["first"] or a["published"], a["published"])
            o["last"] = max(o["last"] or a["published"], a["published"])
        if a["canonical_doc"] and a["wire_blocks"]:
            o["canonical_copies" if a["canonical_doc"] == a["doc_id"] else "wire_copies"] += 1
    outlet_rows = sorted(({**o, "languages": sorted(o["languages"])} for o in outlets.values()),
                         key=lambda o: (-o["articles"], o["outlet"]))

    crawls = []
    for key in manifests:
        try:
            crawls.append(crawl_entry(json.loads(store.get_bytes(key))))
        except (KeyError, ValueError):
            continue
    rejected = rejected_pages(store, manifests, {a["canonical_url"] for a in articles})
    return StorySummary(
        slug=slug, articles=articles, by_doc=by_doc, outlets=outlet_rows, clusters=clusters,
        blocks=dict(relations), rejected=rejected,
        rejected_kinds=dict(Counter(reason_kind(r["reason"]) for r in rejected)),
        crawls=crawls, warc=warc_totals(store, slug),
        orders={name: sorted(articles, key=key) for name, key in SORTS.items()})


class SummaryCache:
    """One StorySummary per story, rebuilt when the story's manifest keys change; the
    keys are listed at most every `refresh` seconds per story. Thread-safe: concurrent
    requests for a story being built wait for the one build."""

    def __init__(self, store: ArchiveStore, replay_base: str | None, refresh: float = 2.0,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.replay_base = replay_base
        self.refresh = refresh
        self.on_change = on_change  # called with the slug after a story's summary is rebuilt
        self.clock = clock
        self._entries: dict[str, tuple[tuple[str, ...], float, StorySummary]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, slug: str) -> StorySummary:
        """The story's summary. KeyError if the store holds nothing for `slug`."""
        with self._guard:
            lock = self._locks.setdefault(slug, threading.Lock())
        with lock:
            now = self.clock()
            entry = self._entries.get(slug)
            if entry and now - entry[1] < self.refresh:
                return entry[2]
            manifests = manifest_keys(self.store, slug)
            if entry and tuple(manifests) == entry[0]:
                self._entries[slug] = (entry[0], now, entry[2])
                return entry[2]
            summary = build_summary(self.store, slug, self.replay_base, manifests)
            self._entries[slug] = (tuple(manifests), now, summary)
            if self.on_change is not None:
                self.on_change(slug)
            return summary


    def refresh_now(self, slug: str) -> None:
        """Check the story's manifests at the next get (a capture just ended)."""
        with self._guard:
            entry = self._entries.get(slug)
            if entry:
                self._entries[slug] = (entry[0], float("-inf"), entry[2])


def story_slugs(store: ArchiveStore) -> list[str]:
    """Every story the store holds something for (documents, manifests or WARCs)."""
    root = getattr(store, "root", None)
    if root is not None:  # a directory listing, not a walk over every document
        base = root / "stories"
        names = sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
    else:
        names = sorted({k.split("/")[1] for k in store.list_keys("stories/") if k.count("/") >= 2})
    out = []
    for name in names:
        try:
            out.append(layout.check_slug(name))
        except ValueError:
            continue
    return out


__all__ = ["StorySummary", "SummaryCache", "build_summary", "crawl_entry", "outlet_of", "parse_time",
           "story_slugs"]
