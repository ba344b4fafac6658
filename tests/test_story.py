"""The story file: what a valid one gives, and a clear error for each kind of mistake."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storyarchive.story import StoryFileError, load_story, parse_cadence, parse_story

NAME = "stories/x.toml"
MIN = 'slug = "x"\ntitle = "T"\n[terms]\nrequired = ["venezuela | venezolano", "strike | ataque"]\n'

FULL = """
slug = "venezuela-dock-strike"
title = "US strike on a Venezuelan dock"

[terms]
required = ["venezuela | venezuelan | venezolano", "strike|attack | ataque"]
optional = ["CIA", "dock", "Maduro", "Tren de Aragua"]
excluded = ["baseball"]
min_score = 2

[sources]
seeds = ["https://news.example.com/world/"]
feeds = ["https://news.example.com/rss.xml"]
sitemaps = ["https://news.example.com/news-sitemap.xml"]
search_feeds = ["https://search.example.org/rss?q={query}&hl=en", "https://api.example.net/doc?query={query}"]

[scope]
allowed_domains = ["Example.COM", "127.0.0.1:8401", "bücher.de"]
blocked_domains = ["ads.example.com"]

[window]
start = "2025-12-01"
end = 2026-01-31

[schedule]
recrawl = "1h30m"
"""


def test_full_story_file_is_read_into_a_story_definition() -> None:
    story = parse_story(FULL, NAME)
    assert story.slug == "venezuela-dock-strike"
    assert story.title == "US strike on a Venezuelan dock"
    assert [t.alternatives for t in story.terms.required] == [
        ("venezuela", "venezuelan", "venezolano"),
        ("strike", "attack", "ataque"),
    ]
    assert [t.label for t in story.terms.required] == [
        "venezuela | venezuelan | venezolano",
        "strike | attack | ataque",
    ]
    assert [t.label for t in story.terms.optional] == ["CIA", "dock", "Maduro", "Tren de Aragua"]
    assert [t.label for t in story.terms.excluded] == ["baseball"]
    assert story.terms.min_score == 2.0
    assert story.sources.seeds == ("https://news.example.com/world/",)
    assert story.sources.feeds == ("https://news.example.com/rss.xml",)
    assert story.sources.sitemaps == ("https://news.example.com/news-sitemap.xml",)
    assert story.scope.allowed_domains == ("example.com", "127.0.0.1:8401", "xn--bcher-kva.de")
    assert story.scope.blocked_domains == ("ads.example.com",)
    assert story.window.start == dt.date(2025, 12, 1)
    assert story.window.end == dt.date(2026, 1, 31)  # a native TOML date works too
    assert story.schedule.recrawl == dt.timedelta(hours=1, minutes=30)
    assert story.source_name == NAME


def test_optional_sections_default_to_empty() -> None:
    story = parse_story(MIN, NAME)
    assert story.sources.feeds == () and story.sources.search_feeds == ()
    assert story.scope.allowed_domains == () and story.scope.blocked_domains == ()
    assert story.window.start is None and story.window.end is None
    assert story.schedule.recrawl is None
    assert story.terms.min_score == 0.0 and story.terms.optional == () and story.terms.excluded == ()


def test_query_defaults_to_first_alternative_of_each_required_term() -> None:
    story = parse_story(FULL, NAME)
    assert story.query == "venezuela strike"
    assert story.search_urls() == [
        "https://search.example.org/rss?q=venezuela%20strike&hl=en",
        "https://api.example.net/doc?query=venezuela%20strike",
    ]


def test_explicit_query_is_url_encoded_into_search_feeds() -> None:
    text = FULL.replace("min_score = 2", 'min_score = 2\nquery = "Ataque en Perú & \\"CIA\\""')
    story = parse_story(text, NAME)
    assert story.query == 'Ataque en Perú & "CIA"'
    assert story.search_urls()[0] == (
        "https://search.example.org/rss?q=Ataque%20en%20Per%C3%BA%20%26%20%22CIA%22&hl=en"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30m", dt.timedelta(minutes=30)),
        ("6h", dt.timedelta(hours=6)),
        ("1d", dt.timedelta(days=1)),
        ("2w", dt.timedelta(weeks=2)),
        ("90s", dt.timedelta(seconds=90)),
        ("1d12h", dt.timedelta(days=1, hours=12)),
        (" 1h 30m ", dt.timedelta(hours=1, minutes=30)),
    ],
)
def test_recrawl_cadence_is_parsed(value: str, expected: dt.timedelta) -> None:
    assert parse_cadence(value) == expected


def test_in_window_is_inclusive_and_unknown_for_missing_dates() -> None:
    story = parse_story(FULL, NAME)
    assert story.in_window(None) is None
    assert story.in_window(dt.date(2025, 12, 1)) is True
    assert story.in_window(dt.date(2026, 1, 31)) is True
    assert story.in_window(dt.date(2025, 11, 30)) is False
    assert story.in_window(dt.date(2026, 2, 1)) is False
    # Aware date-times are compared by their UTC date.
    caracas = dt.timezone(dt.timedelta(hours=-4))
    assert story.in_window(dt.datetime(2026, 1, 31, 22, 0, tzinfo=caracas)) is False  # 02:00 UTC Feb 1
    assert story.in_window(dt.datetime(2026, 1, 31, 19, 0, tzinfo=caracas)) is True  # 23:00 UTC


def test_no_window_accepts_every_known_date() -> None:
    story = parse_story(MIN, NAME)
    assert story.in_window(dt.date(1999, 1, 1)) is True
    assert story.in_window(None) is None


def test_domain_scope_blocked_wins_and_subdomains_match() -> None:
    story = parse_story(FULL, NAME)
    assert story.domain_allowed("https://example.com/a")
    assert story.domain_allowed("https://WWW.Example.com/a")
    assert story.domain_allowed("https://xn--bcher-kva.de/a")
    assert story.domain_allowed("https://bücher.de/a")
    assert not story.domain_allowed("https://ads.example.com/a")
    assert not story.domain_allowed("https://x.ads.example.com/a")
    assert not story.domain_allowed("https://notexample.com/a")
    assert not story.domain_allowed("https://example.com.evil.net/a")
    assert story.domain_allowed("http://127.0.0.1:8401/a")
    assert not story.domain_allowed("http://127.0.0.1:8402/a")  # an entry with a port: that port only
    assert not story.domain_allowed("not a url")


def test_empty_allowed_list_allows_every_host_but_the_blocked() -> None:
    story = parse_story(MIN + '[scope]\nblocked_domains = ["spam.net"]\n', NAME)
    assert story.domain_allowed("https://anything.org/x")
    assert not story.domain_allowed("https://www.spam.net/x")


# (case id, story text, key the message must name, what the message must say)
BAD_FILES = [
    ("toml-syntax", 'slug = "x"\ntitle = \n', "line 2", "not valid TOML"),
    ("slug-missing", 'title = "T"\n[terms]\nrequired = ["a"]\n', "'slug'", "is required"),
    ("slug-format", MIN.replace('"x"', '"Venezuela Dock"'), "'slug'", "a-z, 0-9 and '-'"),
    ("slug-type", MIN.replace('"x"', "12"), "'slug'", "must be a string, got an integer"),
    ("title-missing", 'slug = "x"\n[terms]\nrequired = ["a"]\n', "'title'", "is required"),
    ("title-empty", MIN.replace('"T"', '"  "'), "'title'", "non-empty string"),
    ("terms-missing", 'slug = "x"\ntitle = "T"\n', "'terms'", "is required"),
    ("terms-not-table", 'slug = "x"\ntitle = "T"\nterms = ["a"]\n', "'terms'", "must be a table"),
    (
        "required-missing",
        'slug = "x"\ntitle = "T"\n[terms]\noptional = ["a"]\n',
        "'terms.required'",
        "is required",
    ),
    (
        "required-empty",
        'slug = "x"\ntitle = "T"\n[terms]\nrequired = []\n',
        "'terms.required'",
        "must not be empty",
    ),
    (
        "required-string",
        'slug = "x"\ntitle = "T"\n[terms]\nrequired = "a | b"\n',
        "'terms.required'",
        "must be a list of strings",
    ),
    (
        "required-entry-type",
        'slug = "x"\ntitle = "T"\n[terms]\nrequired = ["a", 3]\n',
        "'terms.required[1]'",
        "must be a string, got an integer",
    ),
    (
        "empty-alternative",
        'slug = "x"\ntitle = "T"\n[terms]\nrequired = ["strike | | attack"]\n',
        "'terms.required[0]'",
        "empty or unusable alternative",
    ),
    ("star-in-middle", MIN + 'optional = ["ven*zuela"]\n', "'terms.optional[0]'", "'*' only at the end"),
    ("excluded-type", MIN + "excluded = 5\n", "'terms.excluded'", "must be a list"),
    ("min-score-type", MIN + 'min_score = "high"\n', "'terms.min_score'", "must be a number"),
    ("min-score-negative", MIN + "min_score = -1\n", "'terms.min_score'", "0 or more"),
    ("query-empty", MIN + 'query = ""\n', "'terms.query'", "non-empty string"),
    (
        "feeds-string",
        MIN + '[sources]\nfeeds = "https://a.example/rss"\n',
        "'sources.feeds'",
        "must be a list of URLs, got a string",
    ),
    (
        "feed-ftp",
        MIN + '[sources]\nfeeds = ["ftp://a.example/rss"]\n',
        "'sources.feeds[0]'",
        "http:// or https://",
    ),
    ("seed-relative", MIN + '[sources]\nseeds = ["/world/"]\n', "'sources.seeds[0]'", "http:// or https://"),
    (
        "sitemap-no-host",
        MIN + '[sources]\nsitemaps = ["https:///sitemap.xml"]\n',
        "'sources.sitemaps[0]'",
        "with a host",
    ),
    (
        "url-with-space",
        MIN + '[sources]\nfeeds = ["https://a.example/my feed"]\n',
        "'sources.feeds[0]'",
        "without spaces",
    ),
    (
        "url-bad-port",
        MIN + '[sources]\nfeeds = ["https://a.example:99999/rss"]\n',
        "'sources.feeds[0]'",
        "not a valid URL",
    ),
    ("url-not-string", MIN + "[sources]\nseeds = [1]\n", "'sources.seeds[0]'", "must be a URL string"),
    (
        "search-feed-no-query",
        MIN + '[sources]\nsearch_feeds = ["https://s.example/rss?q=x"]\n',
        "'sources.search_feeds[0]'",
        "must contain {query}",
    ),
    (
        "feed-with-query",
        MIN + '[sources]\nfeeds = ["https://s.example/rss?q={query}"]\n',
        "'sources.feeds[0]'",
        "goes in 'sources.search_feeds'",
    ),
    (
        "sources-not-table",
        MIN.replace("[terms]", 'sources = "https://a.example/"\n[terms]'),
        "'sources'",
        "must be a table",
    ),
    (
        "domain-url",
        MIN + '[scope]\nallowed_domains = ["https://example.com/"]\n',
        "'scope.allowed_domains[0]'",
        "bare hostname",
    ),
    (
        "domain-wildcard",
        MIN + '[scope]\nblocked_domains = ["*.example.com"]\n',
        "'scope.blocked_domains[0]'",
        "subdomains match automatically",
    ),
    (
        "domains-string",
        MIN + '[scope]\nblocked_domains = "example.com"\n',
        "'scope.blocked_domains'",
        "must be a list of hostnames",
    ),
    ("date-format", MIN + '[window]\nstart = "01/12/2025"\n', "'window.start'", "YYYY-MM-DD"),
    ("date-unreal", MIN + '[window]\nend = "2025-02-30"\n', "'window.end'", "not a real date"),
    ("date-time", MIN + "[window]\nend = 2026-01-31T10:00:00\n", "'window.end'", "got a date-time"),
    (
        "window-reversed",
        MIN + '[window]\nstart = "2026-02-01"\nend = "2026-01-01"\n',
        "'window'",
        "start 2026-02-01 is after end 2026-01-01",
    ),
    ("cadence-words", MIN + '[schedule]\nrecrawl = "6 hours"\n', "'schedule.recrawl'", 'like "30m"'),
    ("cadence-number", MIN + "[schedule]\nrecrawl = 6\n", "'schedule.recrawl'", "got an integer"),
    ("cadence-zero", MIN + '[schedule]\nrecrawl = "0h"\n', "'schedule.recrawl'", "longer than zero"),
    (
        "typo-in-section",
        MIN + '[sources]\nfeed = ["https://a.example/rss"]\n',
        "'sources.feed'",
        "did you mean 'feeds'?",
    ),
    ("typo-in-terms", MIN + 'exclude = ["x"]\n', "'terms.exclude'", "did you mean 'excluded'?"),
    (
        "typo-section-name",
        MIN + '[source]\nfeeds = ["https://a.example/rss"]\n',
        "'source'",
        "did you mean 'sources'?",
    ),
    (
        "key-outside-its-table",
        'feeds = ["https://a.example/rss"]\n' + MIN,
        "'feeds'",
        "it belongs in the [sources] table",
    ),
    (
        "top-key-inside-table",
        'title = "T"\n[terms]\nrequired = ["a"]\nslug = "x"\n',
        "'terms.slug'",
        "belongs at the top of the file",
    ),
    ("unknown-key", MIN.replace("[terms]", 'colour = "blue"\n[terms]'), "'colour'", "unknown key"),
]


@pytest.mark.parametrize(
    ("text", "key", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_each_kind_of_mistake_gives_an_error_naming_file_and_key(text: str, key: str, expected: str) -> None:
    with pytest.raises(StoryFileError) as info:
        parse_story(text, NAME)
    message = str(info.value)
    line = next((ln for ln in message.splitlines() if key in ln), None)
    assert line is not None, f"no line names {key}: {message}"
    assert line.startswith(f"story file {NAME}: ")
    assert expected in line, message


def test_every_problem_is_reported_at_once() -> None:
    text = (
        'slug = "Bad Slug"\ntitle = "T"\n[terms]\nrequired = []\n[sources]\nfeeds = "x"\n'
        '[schedule]\nrecrawl = "soon"\n'
    )
    with pytest.raises(StoryFileError) as info:
        parse_story(text, NAME)
    keys = ["'slug'", "'terms.required'", "'sources.feeds'", "'schedule.recrawl'"]
    assert [k for k in keys if k in str(info.value)] == keys
    assert len(info.value.problems) == 4


def test_a_section_of_the_wrong_type_is_one_problem_not_many() -> None:
    with pytest.raises(StoryFileError) as info:
        parse_story('slug = "x"\ntitle = "T"\nterms = ["a"]\n', NAME)
    assert info.value.problems == ["'terms' must be a table ([terms]), got a list"]


def test_exact_message_for_a_feed_list_given_as_a_string() -> None:
    with pytest.raises(StoryFileError) as info:
        parse_story(MIN + '[sources]\nfeeds = "https://a.example/rss"\n', NAME)
    assert str(info.value) == (
        "story file stories/x.toml: 'sources.feeds' must be a list of URLs, "
        "got a string ('https://a.example/rss')"
    )


def test_exact_message_for_a_typo() -> None:
    with pytest.raises(StoryFileError) as info:
        parse_story(MIN + '[sources]\nfeed = ["https://a.example/rss"]\n', NAME)
    assert str(info.value) == "story file stories/x.toml: unknown key 'sources.feed' — did you mean 'feeds'?"


def test_load_story_names_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(StoryFileError) as info:
        load_story(path)
    assert str(info.value) == f"story file {path}: no such file"


def test_load_story_rejects_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(MIN.replace('"T"', '"Perú"').encode("latin-1"))
    with pytest.raises(StoryFileError) as info:
        load_story(path)
    assert str(info.value).startswith(f"story file {path}: not UTF-8 text")


def test_load_story_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text(FULL, encoding="utf-8")
    story = load_story(path)
    assert story.slug == "venezuela-dock-strike" and story.source_name == str(path)


STORIES = sorted((Path(__file__).resolve().parent.parent / "stories").glob("*.toml"))


def test_the_real_world_example_story_ships() -> None:
    assert "venezuela-dock-strike.toml" in [p.name for p in STORIES]


@pytest.mark.parametrize("path", STORIES, ids=[p.name for p in STORIES])
def test_every_shipped_story_file_is_valid(path: Path) -> None:
    story = load_story(path)
    assert story.slug == path.stem
    assert story.terms.required
    for url in story.search_urls():
        assert "{query}" not in url and url.startswith(("http://", "https://"))


def test_example_story_search_feeds_cover_google_news_bing_and_gdelt() -> None:
    story = load_story(next(p for p in STORIES if p.name == "venezuela-dock-strike.toml"))
    urls = story.search_urls()
    google = "https://news.google.com/rss/search?q=Venezuela%20CIA%20dock%20strike"
    assert any(u.startswith(google) for u in urls)
    assert any(u.startswith("https://www.bing.com/news/search?q=") and "format=rss" in u for u in urls)
    assert any(
        u.startswith("https://api.gdeltproject.org/api/v2/doc/doc?query=")
        and "mode=ArtList" in u
        and "format=rss" in u
        for u in urls
    )
    assert story.window.start == dt.date(2025, 12, 1)
    assert story.schedule.recrawl == dt.timedelta(hours=6)


def test_dedup_wire_sites_are_hostnames_with_optional_ports() -> None:
    story = parse_story(
        'slug = "s"\ntitle = "T"\n[terms]\nrequired = ["x"]\n'
        '[dedup]\nwire_sites = ["Wire.Example", "127.0.0.1:8401"]\n'
    )
    assert story.wire_sites == ("wire.example", "127.0.0.1:8401")
    with pytest.raises(StoryFileError, match=r"'dedup.wire_sites\[0\]' must be a bare hostname"):
        parse_story(
            'slug = "s"\ntitle = "T"\n[terms]\nrequired = ["x"]\n[dedup]\nwire_sites = ["http://x/"]\n',
            "s.toml",
        )
