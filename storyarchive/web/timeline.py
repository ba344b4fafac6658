"""The coverage timeline: articles per hour (or day, or week) by outlet, as server-rendered
SVG (no script, no library: a stacked bar chart is a few rectangles), with the first
publisher of each syndicated story marked."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from html import escape
from typing import Any

from storyarchive.web.summary import parse_time

# Distinct colours for the outlets with most articles; the rest share OTHER_COLOR.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
OTHER_COLOR = "#999999"
OTHER = "other outlets"
MAX_BINS = 240  # beyond this many bins of one size, the next size up
MARK_TITLES = 5  # syndicated stories named in the tooltip of one first-publisher mark


@dataclass
class Timeline:
    unit: str  # "hour" | "day" | "week"
    bins: list[dict[str, Any]]  # {"start": iso, "counts": {outlet: n}, "total": n}
    outlets: list[tuple[str, str]]  # (outlet, colour), legend order
    firsts: list[dict[str, Any]]  # {"bin": index, "title", "outlet", "published", "doc_id"}
    undated: int

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "bins": self.bins, "outlets": [o for o, _ in self.outlets],
                "first_publishers": self.firsts, "undated": self.undated}


def _floor(t: dt.datetime, unit: str) -> dt.datetime:
    t = t.replace(minute=0, second=0, microsecond=0)
    if unit == "hour":
        return t
    t = t.replace(hour=0)
    return t if unit == "day" else t - dt.timedelta(days=t.weekday())


_STEP = {"hour": dt.timedelta(hours=1), "day": dt.timedelta(days=1), "week": dt.timedelta(days=7)}


def build_timeline(articles: list[dict[str, Any]], clusters: list[dict[str, Any]]) -> Timeline:
    """Bins of the articles' publication times (`published_at`, UTC) by outlet; the unit is
    the finest of hour/day/week that needs at most MAX_BINS bins. A date without a time
    counts at its midnight (UTC)."""
    dated = [a for a in articles if a.get("published_at") is not None]
    undated = len(articles) - len(dated)
    top = [o for o, _ in Counter(a["outlet"] for a in dated).most_common()]
    colours = {o: PALETTE[i] for i, o in enumerate(top[: len(PALETTE)])}
    legend = [(o, colours[o]) for o in top[: len(PALETTE)]]
    if len(top) > len(PALETTE):
        legend.append((OTHER, OTHER_COLOR))
    if not dated:
        return Timeline("day", [], legend, [], undated)
    lo = min(a["published_at"] for a in dated)
    hi = max(a["published_at"] for a in dated)
    unit = "week"
    for candidate in ("hour", "day"):
        if (_floor(hi, candidate) - _floor(lo, candidate)) / _STEP[candidate] < MAX_BINS:
            unit = candidate
            break
    start = _floor(lo, unit)
    n = int((_floor(hi, unit) - start) / _STEP[unit]) + 1
    counts: list[Counter[str]] = [Counter() for _ in range(n)]
    for a in dated:
        i = int((_floor(a["published_at"], unit) - start) / _STEP[unit])
        counts[i][a["outlet"] if a["outlet"] in colours else OTHER] += 1
    bins = [{"start": (start + i * _STEP[unit]).isoformat().replace("+00:00", "Z"),
             "counts": dict(c), "total": sum(c.values())} for i, c in enumerate(counts)]
    firsts = []
    for c in clusters:
        first = c.get("first_publisher")
        row = next((m for m in c["members"] if m["doc_id"] == first), None) if first else None
        if row is None and first == c["canonical"]:
            row = {"doc_id": first, "title": c["title"], "outlet": c["outlet"],
                   "published_at": parse_time(c["published"])}
        if row is None or row.get("published_at") is None:
            continue
        i = int((_floor(row["published_at"], unit) - start) / _STEP[unit])
        firsts.append({"bin": i, "doc_id": row["doc_id"], "title": row["title"], "outlet": row["outlet"],
                       "published": row["published_at"].isoformat().replace("+00:00", "Z"),
                       "copies": len(c["members"])})
    return Timeline(unit, bins, legend, firsts, undated)


def _label(iso: str, unit: str) -> str:
    return iso[5:10] + " " + iso[11:16] if unit == "hour" else iso[:10]


def render_svg(t: Timeline, width: int = 960, height: int = 260) -> str:
    """The chart as an <svg> element (safe to insert: every text is escaped). Each bar has
    a <title> (the browser's tooltip) with its time and counts by outlet; a triangle above
    a bar marks the first publisher of a syndicated story."""
    left, right, top, bottom = 40, 10, 24, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'aria-label="articles per {t.unit} by outlet">']
    if not t.bins:
        out.append(f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle">no dated articles</text>'
                   "</svg>")
        return "".join(out)
    peak = max(b["total"] for b in t.bins) or 1
    bar_w = plot_w / len(t.bins)
    colours = dict(t.outlets)
    # y axis: 0 and the peak
    out.append(f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
               f'y2="{top + plot_h}" stroke="#444"/>')
    out.append(f'<text class="tick" x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>')
    out.append(f'<text class="tick" x="{left - 4}" y="{top + 8}" text-anchor="end">{peak}</text>')
    for i, b in enumerate(t.bins):
        x = left + i * bar_w
        y = top + plot_h
        detail = ", ".join(f"{o}: {n}" for o, n in sorted(b["counts"].items()))
        out.append(f'<g class="bin" data-start="{escape(b["start"])}" data-total="{b["total"]}">'
                   f'<title>{escape(_label(b["start"], t.unit))} UTC: {b["total"]} article'
                   f'{"s" if b["total"] != 1 else ""}{" (" + escape(detail) + ")" if detail else ""}</title>')
        for outlet, _colour in t.outlets:
            n = b["counts"].get(outlet, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            out.append(f'<rect class="bar" x="{x + 0.5:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 0.5):.1f}" '
                       f'height="{h:.1f}" fill="{colours[outlet]}" data-outlet="{escape(outlet)}" '
                       f'data-count="{n}"/>')
        out.append("</g>")
    by_bin: dict[int, list[dict[str, Any]]] = {}
    for f in t.firsts:
        by_bin.setdefault(f["bin"], []).append(f)
    for i, firsts in sorted(by_bin.items()):  # one mark per bar, however many stories began there
        b = t.bins[i]
        x = left + (i + 0.5) * bar_w
        y = top + plot_h - plot_h * b["total"] / peak - 4
        lines = [f'{escape(f["outlet"])} at {escape(f["published"])}: {escape(f["title"])} '
                 f'({f["copies"]} cop{"y" if f["copies"] == 1 else "ies"} at other outlets)'
                 for f in firsts[:MARK_TITLES]]
        if len(firsts) > MARK_TITLES:
            lines.append(f"and {len(firsts) - MARK_TITLES} more")
        out.append(f'<path class="first-publisher" d="M{x - 5:.1f},{y - 8:.1f} L{x + 5:.1f},{y - 8:.1f} '
                   f'L{x:.1f},{y:.1f} Z" fill="#000" '
                   f'data-docs="{" ".join(escape(f["doc_id"]) for f in firsts)}">'
                   f'<title>first published here ({len(firsts)} syndicated '
                   f'stor{"y" if len(firsts) == 1 else "ies"}):\n' + "\n".join(lines) + "</title></path>")
    # x labels: at most 8
    step = max(1, len(t.bins) // 8)
    for i in range(0, len(t.bins), step):
        x = left + (i + 0.5) * bar_w
        out.append(f'<text class="tick" x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">'
                   f'{escape(_label(t.bins[i]["start"], t.unit))}</text>')
    out.append(f'<text class="unit" x="{left + plot_w}" y="{height - 4}" text-anchor="end">'
               f'articles per {t.unit} (UTC)</text>')
    out.append("</svg>")
    return "".join(out)
