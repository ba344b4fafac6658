"""`storyarchive show SLUG`: what the archive holds for a story."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from storyarchive.cli import UserError, add_store_argument, store_from_args


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("show", help="list what the archive holds for a story")
    p.add_argument("slug")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_store_argument(p)
    p.set_defaults(func=run)


def outlet_of(doc: dict[str, Any]) -> str:
    return (doc.get("metadata") or {}).get("site_name") or urlsplit(doc["canonical_url"]).netloc


def collect(store: Any, slug: str) -> dict[str, Any]:
    """Everything `show` prints, as a dict: articles, WARC totals, dedup totals."""
    from storyarchive import layout
    from storyarchive.document import iter_latest_documents

    articles = []
    relations: Counter[str] = Counter()
    clusters: dict[str, dict[str, Any]] = {}
    for key, doc in iter_latest_documents(store, slug):
        meta = doc.get("metadata") or {}
        rel = doc.get("relevance") or {}
        articles.append(
            {
                "outlet": outlet_of(doc),
                "title": meta.get("title") or "",
                "published": (meta.get("published") or "")[:10],
                "words": doc.get("word_count", 0),
                "relevance": rel.get("score"),
                "status": doc.get("status"),
                "canonical_url": doc["canonical_url"],
                "key": key,
            }
        )
        for b in doc.get("blocks", []):
            relations[b.get("relation", "unique")] += 1
        for c in (doc.get("syndication") or {}).get("clusters", []) or []:
            cid = c.get("cluster") if isinstance(c, dict) else None
            if cid:
                entry = clusters.setdefault(cid, {"id": cid, "canonical": None, "members": set()})
                canonical = c.get("canonical") or {}
                entry["canonical"] = canonical.get("canonical_url") or entry["canonical"]
                entry["members"].add(outlet_of(doc))
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
    crawls = sum(1 for _ in store.list_keys(f"{layout.story_prefix(slug)}crawls/"))
    return {
        "slug": slug,
        "crawls": crawls,
        "articles": articles,
        "warc": warc,
        "blocks": dict(relations),
        "clusters": [
            dict(c, members=sorted(c["members"])) for c in sorted(clusters.values(), key=lambda c: c["id"])
        ],
    }


def run(args: argparse.Namespace) -> int:
    from storyarchive.layout import check_slug
    try:
        check_slug(args.slug)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    _, store = store_from_args(args)
    info = collect(store, args.slug)
    if not info["articles"] and not info["crawls"]:
        raise UserError(f"the archive at {store.uri} holds nothing for story '{args.slug}'")
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return 0
    print(format_table(info["articles"]))
    w = info["warc"]
    print(
        f"\n{len(info['articles'])} articles from {info['crawls']} crawls; "
        f"WARC: {w['files']} files, {w['records']} records indexed, {w['bytes']:,} bytes, "
        f"{w['revisits']} revisits (payloads deduplicated)"
    )
    if info["blocks"]:
        total = sum(info["blocks"].values())
        parts = " · ".join(f"{k} {v}" for k, v in sorted(info["blocks"].items()))
        print(f"blocks: {total} seen ({parts})")
    by_canonical: dict[str, tuple[set[str], int]] = {}
    for c in info["clusters"]:
        members, n = by_canonical.get(c["canonical"], (set(), 0))
        by_canonical[c["canonical"]] = (members | set(c["members"]), n + 1)
    for canonical, (members, n) in sorted(by_canonical.items(), key=lambda kv: str(kv[0])):
        outlets = ", ".join(sorted(members))
        print(f"syndicated copies: {outlets} share {n} paragraph clusters; canonical {canonical}")
    return 0


def format_table(rows: list[dict[str, Any]]) -> str:
    cols = [("outlet", 22), ("title", 48), ("published", 10), ("words", 5), ("relevance", 9), ("status", 6)]

    def cell(v: Any, width: int) -> str:
        s = "" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))
        return (s[: width - 1] + "…") if len(s) > width else s.ljust(width)

    out = ["  ".join(name.ljust(w) for name, w in cols)]
    for r in sorted(rows, key=lambda r: (r["published"], r["outlet"], r["title"])):
        out.append("  ".join(cell(r[name], w) for name, w in cols))
    return "\n".join(out)
