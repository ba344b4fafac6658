"""The demo story file, rendered for a given port map (stories/demo-dock-strike.toml is this text for
the default ports 8401...; a test keeps them identical)."""

from __future__ import annotations

from collections.abc import Callable

from demoweb.outlets import OutletSpec

# Whole words, accent- and case-insensitive; "*" ends a prefix. The strike group never
# appears in the off-topic pages (checked by tests/demoweb/test_story.py).
REQUIRED = (
    "venezuela | venezuelan | venezuelans | venezolano | venezolana | venezolanos | venezolanas",
    "strike | strikes | struck | attack | attacks | attacked | ataque | ataques | atacó",
)
OPTIONAL = ("CIA", "dock | muelle", "Maduro", "Tren de Aragua", "drone | dron", "Caribbean | Caribe")
EXCLUDED = ("baseball | béisbol",)
QUERY = "Venezuela dock strike"


def _toml_list(values: list[str], indent: str = "    ") -> str:
    if not values:
        return "[]"
    inner = "".join(f'{indent}"{v}",\n' for v in values)
    return "[\n" + inner + "]"


def render_story(specs: tuple[OutletSpec, ...], url: Callable[[str, str], str]) -> str:
    """The demo story TOML for the outlets `specs` (news outlets give seeds, feeds and
    sitemaps; the search outlet gives the search feed; a generated outlet adds its sitemap)."""
    news = [s for s in specs if s.kind == "news"]
    generated = [s for s in specs if s.kind == "generated"]
    search = [s for s in specs if s.kind == "search"]
    seeds = [url(s.slug, "/") for s in news]
    feed_urls = [url(s.slug, s.feed_path) for s in news]
    sitemaps = [url(s.slug, s.sitemap_path) for s in (*news, *generated)]
    search_feeds = [url(s.slug, "/rss/search?q={query}&hl=en-US") for s in search]
    lines = [
        "# The demo story: coverage of the US strike on a Venezuelan dock (December 2025),",
        "# served on loopback by the demo news web (python -m demoweb, or `make demo`).",
        "# Rendered by demoweb.story for the default ports; tests/demoweb/test_story.py keeps this",
        "# file identical to DemoWeb(base_port=8401).story_toml().",
        'slug = "demo-dock-strike"',
        'title = "US strike on a Venezuelan dock"',
        "",
        "[terms]",
        f"required = {_toml_list(list(REQUIRED))}",
        f"optional = {_toml_list(list(OPTIONAL))}",
        f"excluded = {_toml_list(list(EXCLUDED))}",
        f'query = "{QUERY}"',
        "",
        "[sources]",
        f"seeds = {_toml_list(seeds)}",
        f"feeds = {_toml_list(feed_urls)}",
        f"sitemaps = {_toml_list(sitemaps)}",
        f"search_feeds = {_toml_list(search_feeds)}",
        "",
        "[scope]",
        "allowed_domains = []",
        "blocked_domains = []",
        "",
        "[window]",
        'start = "2025-12-01"',
        'end = "2026-01-31"',
        "",
        "[schedule]",
        'recrawl = "6h"',
        "",
        "# Meridian Wire is the agency whose copy the other outlets republish: its copy is",
        "# canonical in every syndication cluster.",
        "[dedup]",
        f"wire_sites = {_toml_list([url('meridian', '/').split('//', 1)[1].rstrip('/')])}",
        "",
    ]
    return "\n".join(lines)
