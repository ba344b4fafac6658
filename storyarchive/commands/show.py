"""`storyarchive show SLUG`: what the archive holds for a story, as a table that fits the
terminal: one row per article (published, outlet, language, words, relevance, the full title
wrapped to the width), then its authors, capture time, URL and replay link on their own
lines (URLs are never cut, so they can be copied). `--rejected` lists the pages not kept
with their reasons; `--json` gives all of it to machines."""

from __future__ import annotations

import argparse
import json
import shutil
import textwrap
from collections import Counter
from typing import Any

from storyarchive.cli import (
    UserError,
    add_settings_arguments,
    command_parser,
    settings_from_args,
    store_from_args,
)
from storyarchive.storyview import (
    article_row,
    manifest_keys,
    outlet_of,
    reason_kind,
    rejected_pages,
    warc_totals,
)
from storyarchive.summary import plural

# Below this many columns for the title, it goes on its own line under the row.
MIN_TITLE_WIDTH = 24
# Narrower terminals get this width (the row's other columns need most of it).
MIN_WIDTH = 60


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "show", help="list what the archive holds for a story",
        description="List a story's articles as stored (the latest version of each): published "
                    "time, outlet, language, words, relevance and title, then authors, capture "
                    "time, URL and replay link; then the WARC and dedup totals and the "
                    "syndicated copies. The table fits the terminal's width (or $COLUMNS).",
        example="storyarchive show demo-dock-strike\n"
                "storyarchive show demo-dock-strike --rejected\n"
                "storyarchive show demo-dock-strike --json "
                "--set STORYARCHIVE_REPLAY_BASE_URL=http://replay.newsroom.example")
    p.add_argument("slug")
    p.add_argument("--rejected", action="store_true",
                   help="also list every page not kept (off-topic, out of window, errors...) "
                        "with its reason")
    p.add_argument("--json", action="store_true",
                   help="machine-readable output (articles, rejected pages, totals)")
    add_settings_arguments(p)
    p.set_defaults(func=run)


def collect(store: Any, slug: str, replay_base: str | None = None) -> dict[str, Any]:
    """Everything `show` prints, as a dict: articles, rejected pages, WARC and dedup totals.
    `replay_base`: show the replay links on that server instead of the documents' own."""
    from storyarchive.document import iter_latest_documents

    articles = []
    relations: Counter[str] = Counter()
    clusters: dict[str, dict[str, Any]] = {}
    for key, doc in iter_latest_documents(store, slug):
        articles.append(article_row(key, doc, slug, replay_base))
        for b in doc.get("blocks", []):
            relations[b.get("relation", "unique")] += 1
        for c in (doc.get("syndication") or {}).get("clusters", []) or []:
            cid = c.get("cluster") if isinstance(c, dict) else None
            if cid:
                entry = clusters.setdefault(cid, {"id": cid, "canonical": None, "members": set()})
                canonical = c.get("canonical") or {}
                entry["canonical"] = canonical.get("canonical_url") or entry["canonical"]
                entry["members"].add(outlet_of(doc))
    manifests = manifest_keys(store, slug)
    return {
        "slug": slug,
        "crawls": len(manifests),
        "articles": articles,
        "rejected": rejected_pages(store, manifests, {a["canonical_url"] for a in articles}),
        "warc": warc_totals(store, slug),
        "blocks": dict(relations),
        "clusters": [
            dict(c, members=sorted(c["members"])) for c in sorted(clusters.values(), key=lambda c: c["id"])
        ],
    }


def run(args: argparse.Namespace) -> int:
    from scrapy.settings import get_settings_priority

    from storyarchive.layout import check_slug

    try:
        check_slug(args.slug)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    settings = settings_from_args(args)
    _, store = store_from_args(args, settings)
    # Replay links as the documents hold them, unless the command line names another server.
    base = None
    if (settings.getpriority("STORYARCHIVE_REPLAY_BASE_URL") or 0) >= get_settings_priority("cmdline"):
        base = settings.get("STORYARCHIVE_REPLAY_BASE_URL")
    info = collect(store, args.slug, base)
    if not info["articles"] and not info["crawls"]:
        raise UserError(f"the archive at {store.uri} holds nothing for story '{args.slug}'")
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return 0
    print(format_report(info, shutil.get_terminal_size((100, 24)).columns, rejected=args.rejected))
    return 0


def format_report(info: dict[str, Any], width: int, rejected: bool = False) -> str:
    """The text `show` prints for `info` (collect's dict) on a terminal `width` columns wide."""
    width = max(width, MIN_WIDTH)
    w = info["warc"]
    lines = []
    lines.append(
        f"{plural(len(info['articles']), 'article')} from {plural(info['crawls'], 'crawl')}; "
        f"WARC: {plural(w['files'], 'file')}, {plural(w['records'], 'record')} indexed, "
        f"{w['bytes']:,} bytes, {plural(w['revisits'], 'revisit')} (payloads deduplicated)")
    if info["blocks"]:
        total = sum(info["blocks"].values())
        parts = " · ".join(f"{k} {v}" for k, v in sorted(info["blocks"].items()))
        lines.append(f"blocks: {total} seen ({parts})")
    by_canonical: dict[str, tuple[set[str], int]] = {}
    for c in info["clusters"]:
        members, n = by_canonical.get(c["canonical"], (set(), 0))
        by_canonical[c["canonical"]] = (members | set(c["members"]), n + 1)
    for canonical, (members, n) in sorted(by_canonical.items(), key=lambda kv: str(kv[0])):
        outlets = ", ".join(sorted(members))
        lines.append(f"syndicated copies: {outlets} share {plural(n, 'paragraph cluster')}; "
                     f"canonical {canonical}")
    pages = info["rejected"]
    if pages and rejected:
        lines += ["", f"{plural(len(pages), 'page')} not kept:"]
        for page in pages:
            lines.append(f"  {page['url']}")
            kind, reason = reason_kind(page["reason"]), page["reason"]
            text = reason if reason.startswith(kind) else f"{kind}: {reason}"
            lines += textwrap.wrap(text, width, initial_indent="      ", subsequent_indent="      ",
                                   break_long_words=False)
    elif pages:
        reasons = Counter(reason_kind(p["reason"]) for p in pages)
        detail = " · ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
        lines.append(f"{plural(len(pages), 'page')} not kept ({detail}): "
                     f"`storyarchive show {info['slug']} --rejected` lists them")
    wrapped = [textwrap.fill(line, width, subsequent_indent="  ", break_long_words=False,
                             break_on_hyphens=False) if not line.startswith(" ") else line
               for line in lines]
    return "\n".join([format_table(info["articles"], width), "", *wrapped])


def _published(value: str) -> str:
    """'2025-12-31T14:15:00Z' -> '2025-12-31 14:15Z'; a date stays a date."""
    if len(value) <= 10:
        return value
    return value[:16].replace("T", " ") + ("Z" if value.endswith("Z") else "")


def _captured(value: str) -> str:
    """fetched_at ('2026-11-24T09:27:25Z') -> '2026-11-24 09:27:25 UTC'."""
    return value[:19].replace("T", " ") + " UTC" if value else "?"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(rows: list[dict[str, Any]], width: int) -> str:
    """One row per article with the full title wrapped to what `width` leaves it, then the
    article's authors and capture time, its URL and its replay link, indented."""
    rows = sorted(rows, key=lambda r: (r["published"], r["outlet"], r["title"]))
    published_w = max([len("published"), *(len(_published(r["published"])) for r in rows)])
    others = published_w + 4 + 5 + 5 + 2 * 4  # the row without the outlet
    outlet_w = min(max([len("outlet"), *(len(r["outlet"]) for r in rows)]), 24, max(width - others, 8))
    cols = [("published", published_w, "<"), ("outlet", outlet_w, "<"), ("lang", 4, "<"),
            ("words", 5, ">"), ("score", 5, ">")]
    fixed = sum(w for _, w, _ in cols) + 2 * len(cols)
    title_w = width - fixed
    inline_title = title_w >= MIN_TITLE_WIDTH
    header = "  ".join(f"{name:{align}{w}}" for name, w, align in cols)
    out = [header + ("  title" if inline_title else "")]
    indent = " " * 4
    for r in rows:
        score = "" if r["relevance"] is None else f"{r['relevance']:.1f}"
        cells = [_published(r["published"]) or "-", _cut(r["outlet"], outlet_w), r["language"] or "-",
                 str(r["words"]), score]
        row = "  ".join(f"{c:{align}{w}}" for c, (_, w, align) in zip(cells, cols, strict=True))
        title = r["title"] or "(no title)"
        if inline_title:
            wrapped = textwrap.wrap(title, title_w) or [""]
            out.append(f"{row}  {wrapped[0]}")
            out += [" " * (fixed) + line for line in wrapped[1:]]
        else:
            out.append(row.rstrip())
            out += textwrap.wrap(title, width - len(indent), initial_indent=indent, subsequent_indent=indent)
        by = f"by {', '.join(r['authors'])} · " if r["authors"] else ""
        out += textwrap.wrap(f"{by}captured {_captured(r['captured'])}", width - len(indent),
                             initial_indent=indent, subsequent_indent=indent)
        out.append(f"{indent}{r['url']}")
        if r["replay_url"]:
            out.append(f"{indent}replay {r['replay_url']}")
    return "\n".join(out)
