"""The capture spider: archives exactly the URLs it is given (on-demand capture), with no
relevance filter. Each page still goes through extraction, dedup and the store.

    scrapy crawl capture -a urls="https://a.example/x https://b.example/y" -a story=my-slug
    scrapy crawl capture -a url_file=urls.txt -a story=my-slug
    storyarchive capture URL... --story my-slug
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response

from spiders.base import ArchiveSpider
from storyarchive.story import StoryDefinition, load_story
from storyarchive.warc.answer import META_HANDLED

DEFAULT_COLLECTION = "captures"


class UrlListError(ValueError):
    """URLs that cannot be captured, each named with where it was given (a file's line
    number, or its place on the command line)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def url_problem(url: str) -> str | None:
    """Why `url` cannot be captured (None if it can): an http(s) URL with a host, no spaces."""
    from urllib.parse import urlsplit

    if any(c.isspace() for c in url):
        return f"not one URL (it has spaces): {url!r}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return f"not a valid URL ({exc}): {url!r}"
    if parts.scheme not in ("http", "https"):
        return f"not an http(s) URL: {url!r}"
    if not parts.hostname:
        return f"no host in URL: {url!r}"
    return None


def read_url_file(path: str | Path) -> list[str]:
    """URLs of a text file, one per line; blank lines and # comments are ignored.
    UrlListError naming every bad line ("urls.txt:3: not an http(s) URL: 'foo'");
    OSError if the file cannot be read."""
    urls, problems = [], []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            problem = url_problem(line)
            if problem:
                problems.append(f"{path}:{number}: {problem}")
            urls.append(line)
    if problems:
        raise UrlListError(problems)
    return urls


class CaptureSpider(ArchiveSpider):
    name = "capture"

    def __init__(
        self,
        urls: str | list[str] = "",
        url_file: str | None = None,
        story: str | StoryDefinition | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        given = urls.split() if isinstance(urls, str) else list(urls)
        if url_file:
            given += read_url_file(url_file)
        if not given:
            raise ValueError("the capture spider needs -a urls='URL ...' or -a url_file=PATH")
        problems = [p for p in map(url_problem, given) if p]
        if problems:
            raise UrlListError(problems)
        self.urls = given
        # The story is a slug (the collection to archive into) or a story file, whose terms
        # are then used to score relevance (kept in the JSON, never used to drop a page).
        self.story: StoryDefinition | None = None
        if isinstance(story, StoryDefinition):  # a distributed crawl's story (its text)
            self.story = story
            self.set_slug(story.slug)
        elif story and (story.endswith(".toml") or Path(story).is_file()):
            self.story = load_story(story)
            self.set_slug(self.story.slug)
        else:
            self.set_slug(story or DEFAULT_COLLECTION)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            yield scrapy.Request(
                url, self.parse_page, errback=self.on_error, meta={"via": "capture"}, dont_filter=True
            )

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        handled = response.meta.get(META_HANDLED)  # a resumed crawl handled it already
        reading = await self.read(response, extract=not handled)  # in a worker: one parse
        if not handled:
            yield self.article_item(response, self.canonical_of(response, reading), reading)
        for request in self.requisite_requests(reading):  # replay: page requisites
            yield request
