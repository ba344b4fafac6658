"""The story definition: one TOML file per story under stories/, validated on load.

    slug = "venezuela-dock-strike"
    title = "US strike on a Venezuelan dock"
    [terms]    required = [...], optional = [...], excluded = [...], min_score, query
    [sources]  seeds, feeds, sitemaps, search_feeds (URL templates with {query})
    [scope]    allowed_domains, blocked_domains
    [window]   start, end (inclusive ISO dates)
    [schedule] recrawl ("30m", "6h", "1d", "1h30m")
    [dedup]    wire_sites (hosts of wire agencies, optionally host:port: their copy is canonical)

`load_story(path)` / `parse_story(text, source_name)` return a frozen `StoryDefinition` or
raise `StoryFileError` listing every problem found, each naming the file, the key and what
was expected. The format is documented in docs/story-files.md.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from storyarchive.domains import ascii_host
from storyarchive.layout import check_slug

QUERY_PLACEHOLDER = "{query}"


class StoryFileError(ValueError):
    """A story file that cannot be used; `problems` lists each mistake (one per line in the
    message, each starting with "story file <name>:")."""

    def __init__(self, source_name: str, problems: list[str]) -> None:
        self.source_name = source_name
        self.problems = list(problems)
        super().__init__("\n".join(f"story file {source_name}: {p}" for p in self.problems))


@dataclass(frozen=True)
class Term:
    """One entry of a term list: "strike | attack | ataque" has three alternatives.
    An alternative may end in "*" to match any word starting with it ("attack*")."""

    label: str  # the entry as written, normalized to "a | b | c"
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class Terms:
    required: tuple[Term, ...]
    optional: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    min_score: float = 0.0
    query: str | None = None


@dataclass(frozen=True)
class Sources:
    seeds: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    search_feeds: tuple[str, ...] = ()  # templates containing {query}


@dataclass(frozen=True)
class Scope:
    allowed_domains: tuple[str, ...] = ()  # bare hostnames, optionally host:port; empty = all
    blocked_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Window:
    start: dt.date | None = None  # inclusive
    end: dt.date | None = None  # inclusive


@dataclass(frozen=True)
class Schedule:
    recrawl: dt.timedelta | None = None


@dataclass(frozen=True)
class StoryDefinition:
    slug: str
    title: str
    terms: Terms
    sources: Sources = field(default_factory=Sources)
    scope: Scope = field(default_factory=Scope)
    window: Window = field(default_factory=Window)
    schedule: Schedule = field(default_factory=Schedule)
    # Sites of wire agencies (host or host:port) whose copy of a syndicated story is canonical.
    wire_sites: tuple[str, ...] = ()
    source_name: str = "<memory>"

    @property
    def query(self) -> str:
        """The search query: `terms.query`, else the first alternative of each required term."""
        if self.terms.query:
            return self.terms.query
        return " ".join(t.alternatives[0].rstrip("*") for t in self.terms.required)

    def search_urls(self) -> list[str]:
        """Each search feed template with the URL-encoded query in place of {query}."""
        encoded = quote(self.query, safe="")
        return [t.replace(QUERY_PLACEHOLDER, encoded) for t in self.sources.search_feeds]

    def in_window(self, date: dt.date | dt.datetime | None) -> bool | None:
        """True if `date` is inside the (inclusive) window or there is no window, False if
        outside, None if the date is unknown. Aware datetimes are taken in UTC."""
        if date is None:
            return None
        if isinstance(date, dt.datetime):
            if date.tzinfo is not None:
                date = date.astimezone(dt.UTC)
            date = date.date()
        if self.window.start is not None and date < self.window.start:
            return False
        if self.window.end is not None and date > self.window.end:
            return False
        return True

    def domain_allowed(self, url: str) -> bool:
        """Whether `url`'s host is in scope: blocked domains win, an empty allowed list
        allows every host, and a domain covers its subdomains. An entry with a port
        ("127.0.0.1:8401") matches that port only."""
        try:
            parts = urlsplit(url.strip())
            host = ascii_host(parts.hostname or "")
            port = parts.port
        except ValueError:
            return False
        if not host:
            return False
        if any(_domain_matches(host, port, d) for d in self.scope.blocked_domains):
            return False
        if not self.scope.allowed_domains:
            return True
        return any(_domain_matches(host, port, d) for d in self.scope.allowed_domains)


def load_story(path: str | Path) -> StoryDefinition:
    """Read and validate a story file. Raises StoryFileError (also for an unreadable file)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoryFileError(name, ["no such file"]) from None
    except UnicodeDecodeError as exc:
        raise StoryFileError(name, [f"not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    except OSError as exc:
        raise StoryFileError(name, [f"cannot read it: {exc.strerror or exc}"]) from None
    return parse_story(text, name)


def parse_story(text: str, source_name: str = "<string>") -> StoryDefinition:
    """Validate story TOML `text`; `source_name` names it in errors. Raises StoryFileError
    listing every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StoryFileError(source_name, [f"not valid TOML: {exc}"]) from None
    v = _Validator()
    story = v.story(data)
    if v.problems or story is None:
        raise StoryFileError(source_name, v.problems)
    return StoryDefinition(**{**story, "source_name": source_name})


# ---------------------------------------------------------------- validation

_SECTIONS: dict[str, tuple[str, ...]] = {
    "terms": ("required", "optional", "excluded", "min_score", "query"),
    "sources": ("seeds", "feeds", "sitemaps", "search_feeds"),
    "scope": ("allowed_domains", "blocked_domains"),
    "window": ("start", "end"),
    "schedule": ("recrawl",),
    "dedup": ("wire_sites",),
}
_TOP_KEYS = ("slug", "title")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CADENCE_PART = re.compile(r"(\d+)\s*([smhdw])")
_CADENCE = re.compile(r"^(?:\d+\s*[smhdw]\s*)+$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _kind(value: Any) -> str:
    """How a TOML value is described in error messages: 'a string', 'a list', ..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})" if len(value) <= 60 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, dt.datetime):
        return "a date-time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    return type(value).__name__


class _Validator:
    """Collects every problem of one story file instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"'{key}' {message}")

    def story(self, data: dict[str, Any]) -> dict[str, Any] | None:
        self._unknown_keys(data)
        slug = self._slug(data.get("slug"))
        title = self._required_string(data, "title")
        sections = {}
        for name in _SECTIONS:
            raw = data.get(name, {})
            if not isinstance(raw, dict):
                self.fail(name, f"must be a table ([{name}]), got {_kind(raw)}")
                raw = {}
            sections[name] = raw
        terms = self._terms(sections["terms"]) if isinstance(data.get("terms"), dict) else None
        if "terms" not in data:
            self.fail("terms", "is required: a [terms] table with a non-empty 'required' list")
        sources = self._sources(sections["sources"])
        scope = Scope(
            allowed_domains=self._domains(sections["scope"], "allowed_domains"),
            blocked_domains=self._domains(sections["scope"], "blocked_domains"),
        )
        window = self._window(sections["window"])
        schedule = Schedule(recrawl=self._cadence(sections["schedule"].get("recrawl")))
        wire_sites = self._domains(sections["dedup"], "wire_sites", section="dedup")
        if self.problems or slug is None or title is None or terms is None:
            return None
        return {"slug": slug, "title": title, "terms": terms, "sources": sources,
                "scope": scope, "window": window, "schedule": schedule, "wire_sites": wire_sites}

    def _unknown_keys(self, data: dict[str, Any]) -> None:
        top = _TOP_KEYS + tuple(_SECTIONS)
        for key in data:
            if key in top:
                continue
            home = [s for s, keys in _SECTIONS.items() if key in keys]
            hint: str | None
            if home:
                hint = f"it belongs in the [{home[0]}] table"
            else:
                hint = _did_you_mean(key, top)
            self.problems.append(f"unknown key '{key}'" + (f" — {hint}" if hint else ""))
        for section, keys in _SECTIONS.items():
            table = data.get(section)
            if not isinstance(table, dict):
                continue
            for key in table:
                if key in keys:
                    continue
                if key in _TOP_KEYS:
                    hint = f"'{key}' belongs at the top of the file, before any [table]"
                else:
                    hint = _did_you_mean(key, keys)
                self.problems.append(f"unknown key '{section}.{key}'" + (f" — {hint}" if hint else ""))

    def _slug(self, value: Any) -> str | None:
        if value is None:
            self.fail("slug", "is required (the story's archive name, a-z, 0-9 and '-')")
            return None
        if not isinstance(value, str):
            self.fail("slug", f"must be a string, got {_kind(value)}")
            return None
        try:
            return check_slug(value)
        except ValueError as exc:
            self.fail("slug", f"is not valid: {exc}")
            return None

    def _required_string(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None:
            self.fail(key, "is required (a non-empty string)")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(key, f"must be a non-empty string, got {_kind(value)}")
            return None
        return value.strip()

    def _terms(self, table: dict[str, Any]) -> Terms:
        required = self._term_list(table, "required")
        if "required" not in table:
            self.fail("terms.required", "is required: a non-empty list of terms like \"strike | attack\"")
        elif isinstance(table["required"], list) and not table["required"]:
            self.fail("terms.required", "must not be empty (every page must match each entry)")
        optional = self._term_list(table, "optional")
        excluded = self._term_list(table, "excluded")
        min_score = table.get("min_score", 0.0)
        if isinstance(min_score, bool) or not isinstance(min_score, int | float):
            self.fail("terms.min_score", f"must be a number, got {_kind(min_score)}")
            min_score = 0.0
        elif min_score < 0:
            self.fail("terms.min_score", f"must be 0 or more, got {min_score}")
        query = table.get("query")
        if query is not None and (not isinstance(query, str) or not query.strip()):
            self.fail("terms.query", f"must be a non-empty string, got {_kind(query)}")
            query = None
        return Terms(required=required, optional=optional, excluded=excluded,
                     min_score=float(min_score), query=query.strip() if query else None)

    def _term_list(self, table: dict[str, Any], name: str) -> tuple[Term, ...]:
        key = f"terms.{name}"
        value = table.get(name, [])
        if not isinstance(value, list):
            self.fail(key, f"must be a list of strings like [\"strike | attack\"], got {_kind(value)}")
            return ()
        terms = []
        for i, entry in enumerate(value):
            if not isinstance(entry, str):
                self.fail(f"{key}[{i}]", f"must be a string, got {_kind(entry)}")
                continue
            alternatives = tuple(a.strip() for a in entry.split("|"))
            bad = [a for a in alternatives if not _usable_alternative(a)]
            if bad:
                self.fail(f"{key}[{i}]", f"has an empty or unusable alternative in {entry!r} "
                          "(each alternative needs a letter or digit; '*' only at the end)")
                continue
            terms.append(Term(label=" | ".join(alternatives), alternatives=alternatives))
        return tuple(terms)

    def _sources(self, table: dict[str, Any]) -> Sources:
        lists = {name: self._url_list(table, name) for name in _SECTIONS["sources"]}
        for i, template in enumerate(lists["search_feeds"]):
            if QUERY_PLACEHOLDER not in template:
                self.fail(f"sources.search_feeds[{i}]", f"must contain {QUERY_PLACEHOLDER} where the "
                          f"search query goes, got {template!r} (a plain feed goes in 'sources.feeds')")
        for name in ("seeds", "feeds", "sitemaps"):
            for i, url in enumerate(lists[name]):
                if QUERY_PLACEHOLDER in url:
                    self.fail(f"sources.{name}[{i}]", f"contains {QUERY_PLACEHOLDER}: a URL template "
                              "goes in 'sources.search_feeds'")
        return Sources(**lists)

    def _url_list(self, table: dict[str, Any], name: str) -> tuple[str, ...]:
        key = f"sources.{name}"
        value = table.get(name, [])
        if not isinstance(value, list):
            self.fail(key, f"must be a list of URLs, got {_kind(value)}")
            return ()
        urls = []
        for i, url in enumerate(value):
            problem = _url_problem(url)
            if problem:
                self.fail(f"{key}[{i}]", problem)
            else:
                urls.append(url.strip())
        return tuple(urls)

    def _domains(self, table: dict[str, Any], name: str, section: str = "scope") -> tuple[str, ...]:
        key = f"{section}.{name}"
        value = table.get(name, [])
        if not isinstance(value, list):
            self.fail(key, f"must be a list of hostnames like [\"example.com\"], got {_kind(value)}")
            return ()
        domains = []
        for i, entry in enumerate(value):
            domain = _normalize_domain(entry)
            if domain is None:
                self.fail(f"{key}[{i}]", "must be a bare hostname like 'example.com' (optionally "
                          f"'host:port'; subdomains match automatically), got {_kind(entry)}")
            else:
                domains.append(domain)
        return tuple(domains)

    def _window(self, table: dict[str, Any]) -> Window:
        start = self._date(table.get("start"), "window.start")
        end = self._date(table.get("end"), "window.end")
        if start and end and start > end:
            self.fail("window", f"start {start.isoformat()} is after end {end.isoformat()}")
        return Window(start=start, end=end)

    def _date(self, value: Any, key: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                self.fail(key, f"is not a real date: {value!r}")
                return None
        self.fail(key, f"must be a date like \"2025-12-01\" (YYYY-MM-DD), got {_kind(value)}")
        return None

    def _cadence(self, value: Any) -> dt.timedelta | None:
        key = "schedule.recrawl"
        if value is None:
            return None
        if not isinstance(value, str) or not _CADENCE.fullmatch(value.strip()):
            self.fail(key, f"must be a duration like \"30m\", \"6h\", \"1d\" or \"1h30m\" "
                      f"(units s, m, h, d, w), got {_kind(value)}")
            return None
        delta = parse_cadence(value)
        if delta <= dt.timedelta(0):
            self.fail(key, f"must be longer than zero, got {value!r}")
            return None
        return delta


def parse_cadence(value: str) -> dt.timedelta:
    """ "1h30m" -> timedelta(hours=1, minutes=30). Raises ValueError if not a duration."""
    text = value.strip()
    if not _CADENCE.fullmatch(text):
        raise ValueError(f"not a duration like '6h': {value!r}")
    kwargs: dict[str, int] = {}
    for number, unit in _CADENCE_PART.findall(text):
        kwargs[_UNITS[unit]] = kwargs.get(_UNITS[unit], 0) + int(number)
    return dt.timedelta(**kwargs)


def _did_you_mean(key: str, choices: tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _usable_alternative(alt: str) -> bool:
    body = alt[:-1] if alt.endswith("*") else alt
    return bool(re.search(r"\w", body)) and "*" not in body


def _url_problem(url: Any) -> str | None:
    """Why `url` is not an absolute http(s) URL (None if it is one)."""
    if not isinstance(url, str):
        return f"must be a URL string, got {_kind(url)}"
    text = url.strip()
    if not text or any(c.isspace() for c in text):
        return f"must be an http(s) URL without spaces, got {url!r}"
    try:
        parts = urlsplit(text.replace(QUERY_PLACEHOLDER, "q"))
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"is not a valid URL ({exc}): {url!r}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"must be an http:// or https:// URL, got {url!r}"
    if not parts.hostname:
        return f"must be an absolute URL with a host, got {url!r}"
    return None


def _normalize_domain(entry: Any) -> str | None:
    """ "Example.COM" -> "example.com"; "127.0.0.1:8401" kept with its port; IDN ->
    punycode. None if not a bare hostname."""
    if not isinstance(entry, str):
        return None
    text = entry.strip()
    host, sep, port = text.rpartition(":") if ":" in text else (text, "", "")
    if sep and not (port.isdigit() and 0 < int(port) < 65536):
        return None
    host = ascii_host(host) or ""
    labels = host.split(".")
    if not host or len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    return f"{host}:{int(port)}" if sep else host


def _domain_matches(host: str, port: int | None, domain: str) -> bool:
    name, sep, want_port = domain.partition(":")
    if sep and port != int(want_port):
        return False
    return host == name or host.endswith("." + name)

