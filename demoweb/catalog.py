"""Ground truth of the demo news web, written by hand from the content (never computed by
running a crawler).

Every URL the demo story can reach is an entry: the articles, and the other URLs that lead
to one of them (AMP copy, redirect, tracking-parameter variants), plus the 404 and the PDF.
Labels:

- `relevant`: a correct story crawl stores this URL's canonical article.
- `reject_reason`: why it is not stored as an article of its own: "off-topic",
  "out-of-window", "not-found", "not-html", "duplicate-of:<id>" (the URL resolves to the
  article <id>: AMP copy, redirect, tracking variant).
- `kind`: article | amp | redirect | variant | pdf | 404.
- `canonical`: the id of the article this URL resolves to (itself for articles, None for the
  404 and the PDF).
- `listed_in`: where the URL is linked from on its outlet: "home", "feed", "sitemap", and
  "search" (the news-search feed lists it when the query matches).
- wire copies: `wire_cluster` and `edits` (what was changed relative to the wire original;
  paragraph numbers are 0-based indexes into the original's body).
"""

# ruff: noqa: E501

from __future__ import annotations

from dataclasses import dataclass

from demoweb.content_wire import WIRE_CLUSTER


@dataclass(frozen=True)
class CatalogEntry:
    """One URL of the demo news web and its hand-written labels (see the module docstring)."""

    id: str
    outlet: str
    path: str
    kind: str
    language: str
    published: str | None  # ISO 8601 as printed in the page, feed and sitemap
    relevant: bool
    reject_reason: str | None
    canonical: str | None
    listed_in: tuple[str, ...] = ()
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    wire_cluster: str | None = None
    edits: tuple[str, ...] = ()
    link_text: str | None = None  # how a variant is labelled where it is linked

    @property
    def canonical_path(self) -> str | None:
        """The path of the article this URL resolves to (no query, no fragment), or None."""
        return canonical_path(self)

    @property
    def date(self) -> str | None:
        """The publication date (YYYY-MM-DD) or None."""
        return self.published[:10] if self.published else None


_ALL = ("home", "feed", "sitemap", "search")

CATALOG: tuple[CatalogEntry, ...] = (
    # --- Meridian Wire: the wire original (earliest), the PDF, an out-of-window piece.
    CatalogEntry("m-wire", "meridian", "/americas/2025/12/30/us-drone-strike-hit-venezuelan-dock-official-says", "article", "en",
                 "2025-12-30T13:40:00+00:00", True, None, "m-wire", _ALL,
                 wire_cluster=WIRE_CLUSTER, edits=("original",)),
    CatalogEntry("m-reaction", "meridian", "/americas/2025/12/31/venezuela-calls-dock-strike-act-of-aggression", "article", "en",
                 "2025-12-31T18:25:00+00:00", True, None, "m-reaction", _ALL),
    CatalogEntry("m-oil", "meridian", "/business/2025/12/31/oil-edges-higher-after-us-strike-on-venezuelan-dock", "article", "en",
                 "2025-12-31T11:05:00+00:00", True, None, "m-oil", ("home", "feed", "sitemap")),
    CatalogEntry("m-statement", "meridian", "/documents/2025/12/statement.pdf", "pdf", "en",
                 "2025-12-30T15:00:00+00:00", False, "not-html", None, ("feed", "search"),
                 content_type="application/pdf",
                 link_text="Statement on the reported strike on a dock in Venezuela (full text, PDF)"),
    CatalogEntry("m-port2024", "meridian", "/business/2024/03/14/dockworkers-strike-slows-exports-puerto-cabello", "article", "en",
                 "2024-03-14T11:00:00+00:00", False, "out-of-window", "m-port2024", ("feed", "sitemap", "search")),
    # --- The Harbor Ledger: wire copy, its AMP version, football.
    CatalogEntry("h-wire", "harbor", "/world/2025/12/30/cia-drone-hit-venezuelan-dock.html", "article", "en",
                 "2025-12-30T16:05:00-05:00", True, None, "h-wire", ("home", "feed", "sitemap"),
                 wire_cluster=WIRE_CLUSTER,
                 edits=("headline changed", "paragraph 0: words changed", "paragraph 4: sentence added",
                        "credit line added: With reporting by Sarah Pell")),
    CatalogEntry("h-editorial", "harbor", "/opinion/2025/12/31/editorial-strike-venezuela-decision-for-congress.html", "article", "en",
                 "2025-12-31T18:00:00-05:00", True, None, "h-editorial", ("home", "feed", "sitemap")),
    CatalogEntry("h-timeline", "harbor", "/world/2026/01/01/timeline-us-campaign-from-boats-to-venezuelan-dock.html", "article", "en",
                 "2026-01-01T09:30:00-05:00", True, None, "h-timeline", ("home", "feed", "sitemap")),
    CatalogEntry("h-amp", "harbor", "/amp/world/2025/12/30/cia-drone-hit-venezuelan-dock.html", "amp", "en",
                 "2025-12-30T16:05:00-05:00", False, "duplicate-of:h-wire", "h-wire", ("search",)),
    CatalogEntry("h-football", "harbor", "/sports/2025/12/28/harbor-city-fc-clinch-playoff-berth.html", "article", "en",
                 "2025-12-28T22:30:00-05:00", False, "off-topic", "h-football", ("home", "feed", "sitemap")),
    # --- The Capital Courier: wire copy (linked with tracking parameters), explainer, budget.
    CatalogEntry("c-wire", "capital", "/article/trump-confirms-strike-venezuelan-dock-20251230", "article", "en",
                 "2025-12-30T18:30:00-05:00", True, None, "c-wire", ("sitemap",),
                 wire_cluster=WIRE_CLUSTER,
                 edits=("headline changed", "byline swapped: Joanna Reyes", "paragraph 2: words changed",
                        "paragraph 5: second sentence cut", "credit line added: Meridian Wire contributed")),
    CatalogEntry("c-wire-utm", "capital", "/article/trump-confirms-strike-venezuelan-dock-20251230?utm_source=rss&utm_medium=feed&utm_campaign=politics", "variant", "en",
                 "2025-12-30T18:30:00-05:00", False, "duplicate-of:c-wire", "c-wire", ("feed",)),
    CatalogEntry("c-wire-fbclid", "capital", "/article/trump-confirms-strike-venezuelan-dock-20251230?fbclid=IwAR2dQk7Zt3xVenezuelaDock", "variant", "en",
                 "2025-12-30T18:30:00-05:00", False, "duplicate-of:c-wire", "c-wire", ("home",)),
    CatalogEntry("c-wire-fragment", "capital", "/article/trump-confirms-strike-venezuelan-dock-20251230#comments", "variant", "en",
                 "2025-12-30T18:30:00-05:00", False, "duplicate-of:c-wire", "c-wire", ("home",),
                 link_text="Join the conversation (14 comments)"),
    CatalogEntry("c-wire-search", "capital", "/article/trump-confirms-strike-venezuelan-dock-20251230?utm_source=newsscope&utm_medium=referral", "variant", "en",
                 "2025-12-30T18:30:00-05:00", False, "duplicate-of:c-wire", "c-wire", ("search",)),
    CatalogEntry("c-explainer", "capital", "/article/what-we-know-us-strike-venezuelan-dock-20251231", "article", "en",
                 "2025-12-31T07:00:00-05:00", True, None, "c-explainer", _ALL),
    CatalogEntry("c-war-powers", "capital", "/article/venezuela-dock-strike-revives-war-powers-fight-20260105", "article", "en",
                 "2026-01-05T06:45:00-05:00", True, None, "c-war-powers", ("home", "feed", "sitemap")),
    CatalogEntry("c-budget", "capital", "/article/city-council-approves-budget-20251229", "article", "en",
                 "2025-12-29T01:10:00-05:00", False, "off-topic", "c-budget", ("home", "feed", "sitemap")),
    # --- Atlantic Broadcast News: wire copy (its old URL redirects), Senate story, a 404 in
    # the feed, the Venezuelan-baseball hard negative.
    CatalogEntry("a-wire", "atlantic", "/news/world/us-strike-venezuela-dock-cia-operation-2025-12-30", "article", "en",
                 "2025-12-30T19:10:00-05:00", True, None, "a-wire", ("sitemap", "search"),
                 wire_cluster=WIRE_CLUSTER,
                 edits=("headline changed", "byline swapped: ABN News Desk", "paragraph 1: sentence added",
                        "paragraph 6: words changed", "paragraph 8: cut")),
    CatalogEntry("a-old", "atlantic", "/news/2025/12/30/strike-venezuela-dock", "redirect", "en",
                 "2025-12-30T19:10:00-05:00", False, "duplicate-of:a-wire", "a-wire", ("home", "feed"),
                 status=301),
    CatalogEntry("a-gone", "atlantic", "/news/world/dock-strike-live-updates-2025-12-31", "404", "en",
                 "2025-12-31T12:00:00-05:00", False, "not-found", None, ("feed",), status=404,
                 link_text="Live updates: reaction to the dock strike in Venezuela"),
    CatalogEntry("a-congress", "atlantic", "/news/politics/senators-demand-cia-briefing-venezuela-dock-strike-2025-12-31", "article", "en",
                 "2025-12-31T15:20:00-05:00", True, None, "a-congress", _ALL),
    CatalogEntry("a-satellite", "atlantic", "/news/world/satellite-images-damaged-pier-venezuela-strike-2026-01-03", "article", "en",
                 "2026-01-03T12:40:00-05:00", True, None, "a-satellite", ("home", "feed", "sitemap")),
    CatalogEntry("a-baseball", "atlantic", "/sport/leones-del-caracas-win-venezuelan-winter-league-2025-12-29", "article", "en",
                 "2025-12-29T00:15:00-04:00", False, "off-topic", "a-baseball", ("home", "feed", "sitemap")),
    # --- La Prensa del Caribe (Spanish): the strike, and floods in Barranquilla.
    CatalogEntry("p-ataque", "prensa", "/internacional/2025/12/30/ataque-cia-muelle-venezuela", "article", "es",
                 "2025-12-30T20:45:00-05:00", True, None, "p-ataque", ("home", "feed", "sitemap")),
    CatalogEntry("p-pescadores", "prensa", "/region/2025/12/31/pescadores-temen-nuevos-ataques-muelle", "article", "es",
                 "2025-12-31T11:30:00-05:00", True, None, "p-pescadores", ("home", "feed", "sitemap")),
    CatalogEntry("p-region", "prensa", "/internacional/2026/01/02/caribe-pide-explicaciones-ataque-venezuela", "article", "es",
                 "2026-01-02T17:10:00-05:00", True, None, "p-region", ("home", "feed", "sitemap")),
    CatalogEntry("p-lluvias", "prensa", "/region/2025/12/28/lluvias-inundaciones-barranquilla", "article", "es",
                 "2025-12-28T19:00:00-05:00", False, "off-topic", "p-lluvias", ("home", "feed", "sitemap")),
    # --- The Northgate Globe: the doubled fixture page, and the Blue Line.
    CatalogEntry("g-fixture", "globe", "/2025/12/31/cia-drone-strike-venezuelan-territory/", "article", "en",
                 "2025-12-31T09:15:00-05:00", True, None, "g-fixture", _ALL),
    CatalogEntry("g-qa", "globe", "/2026/01/02/why-the-cia-struck-a-dock-in-venezuela/", "article", "en",
                 "2026-01-02T08:00:00-05:00", True, None, "g-qa", _ALL),
    CatalogEntry("g-trinidad", "globe", "/2026/01/04/trinidad-fishermen-feel-venezuela-dock-strike/", "article", "en",
                 "2026-01-04T07:00:00-05:00", True, None, "g-trinidad", ("home", "feed", "sitemap")),
    CatalogEntry("g-transit", "globe", "/2025/12/27/blue-line-extension-opens/", "article", "en",
                 "2025-12-27T10:00:00-05:00", False, "off-topic", "g-transit", ("home", "feed", "sitemap")),
)

_BY_ID = {e.id: e for e in CATALOG}


def entry(entry_id: str) -> CatalogEntry:
    """The catalog entry `entry_id`; KeyError naming it if there is none."""
    try:
        return _BY_ID[entry_id]
    except KeyError:
        raise KeyError(f"no demo catalog entry {entry_id!r}") from None


def entries_of(outlet: str) -> list[CatalogEntry]:
    """The entries of one outlet, in catalog order."""
    return [e for e in CATALOG if e.outlet == outlet]


def relevant_articles() -> list[CatalogEntry]:
    """The articles a correct crawl of the demo story stores (one per canonical URL)."""
    return [e for e in CATALOG if e.relevant and e.kind == "article"]


def canonical_path(e: CatalogEntry) -> str | None:
    """The path of the article `e` resolves to (no query, no fragment), or None."""
    return _BY_ID[e.canonical].path if e.canonical else None
