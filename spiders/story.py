"""The story spider: discovers a story's coverage from its feeds, news sitemaps, search
feeds and seed pages, and fetches each article once (by canonical URL).

    scrapy crawl story -a story=stories/demo.toml
    storyarchive crawl stories/demo.toml
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.utils.response import get_base_url

from spiders.base import TRUNCATION_FLAGS, ArchiveSpider
from storyarchive.discovery import DiscoveredLink, parse_feed, parse_sitemap
from storyarchive.story import StoryDefinition, load_story
from storyarchive.urls import canonicalize_url, join_url
from storyarchive.warc.answer import META_HANDLED

# Links from seed pages worth fetching as candidate articles: a slug of 3+ words, or a
# dated path, or an .html page. Section fronts, tags and authors are not articles.
_ARTICLE_PATH = re.compile(r"(/[^/]*\w+-\w+-\w+[^/]*/?$)|(/\d{4}/\d{2}/)|(\.html?$)")
_NOT_ARTICLE = re.compile(r"/(tag|tags|author|authors|category|section|search|login|static|feed)/")


class StorySpider(ArchiveSpider):
    name = "story"

    def __init__(self, story: str | StoryDefinition | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if story is None:
            raise ValueError("the story spider needs -a story=PATH/TO/STORY.toml")
        self.story: StoryDefinition = story if isinstance(story, StoryDefinition) else load_story(story)
        self.set_slug(self.story.slug)
        self.seen_canonical: set[str] = set()
        # Every source that listed each URL (feed, sitemap, search, link): which one was
        # fetched first depends on arrival order, the full set does not.
        self.discovered: dict[str, set[str]] = {}
        self.aliases: dict[str, set[str]] = {}  # canonical URL -> variants that named it
        # The URL budget (STORYARCHIVE_MAX_URLS): child sitemaps and candidate articles
        # requested so far; past the budget, discovered URLs are counted, not followed.
        self._sitemaps: set[str] = set()
        self._budget_used = 0
        self._budget_logged = False

    async def start(self) -> AsyncIterator[Any]:
        self.seen_canonical |= self.already_stored()
        sources = self.story.sources
        for url in sources.feeds:
            yield scrapy.Request(url, self.parse_feed, errback=self.on_error, meta={"via": "feed"})
        for url in self.story.search_urls():
            yield scrapy.Request(url, self.parse_feed, errback=self.on_error, meta={"via": "search"})
        for url in sources.sitemaps:
            self._sitemaps.add(canonicalize_url(url))
            yield scrapy.Request(url, self.parse_sitemap, errback=self.on_error, meta={"via": "sitemap"})
        for url in sources.seeds:
            yield scrapy.Request(
                url, self.parse_seed, errback=self.on_error, meta={"via": "seed", "seed_depth": 0}
            )

    # ---------------------------------------------------------------- discovery
    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        if self._cut(response):
            return
        links = parse_feed(response.body, response.url)
        self.crawler.stats.inc_value("storyarchive/discovery/feed_links", len(links))
        yield from self._candidates(links, response.meta["via"], response.url)

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        if self._cut(response):
            return
        content = parse_sitemap(response.body, response.url)
        over = 0
        for child in content.children:
            # A child sitemap last modified before the window opened holds nothing newer.
            if child.date and self.story.window.start and child.date < self.story.window.start:
                self.crawler.stats.inc_value("storyarchive/discovery/sitemaps_skipped_old")
                continue
            url = canonicalize_url(child.url)
            if url in self._sitemaps:  # (an index listing itself, or two listing each other)
                continue
            if not self._within_budget():
                over += 1
                continue
            self._sitemaps.add(url)
            yield scrapy.Request(
                child.url, self.parse_sitemap, errback=self.on_error, meta={"via": "sitemap"}
            )
        self.crawler.stats.inc_value("storyarchive/discovery/sitemap_links", len(content.urls))
        yield from self._candidates(content.urls, "sitemap", response.url, over_budget=over)

    def _cut(self, response: Response) -> bool:
        """A feed or sitemap that did not arrive whole (cut at STORYARCHIVE_MAX_BODY_BYTES,
        or its connection lost), would decode past STORYARCHIVE_MAX_DECODED_BYTES or holds
        more than STORYARCHIVE_MAX_PAGE_ELEMENTS elements is not parsed: a runaway source
        must not feed the crawl from what it sent up to the limit. It is archived as
        received; the cut is recorded (the manifest's rejected_at_discovery) with its reason."""
        why = next((why for flag, why in TRUNCATION_FLAGS.items() if flag in response.flags), None)
        if why is None and not self.readable(response):
            why = TRUNCATION_FLAGS["too_many_elements"]
        if why is None:
            return False
        self.crawler.stats.inc_value("storyarchive/discovery/sources_cut")
        self.logger.warning("%s (%s) not parsed: %s", response.url, response.meta.get("via"), why)
        self.reject(response.url, f"{why} (not parsed)", via=response.meta.get("via"),
                    received=len(response.body))
        return True

    def _within_budget(self) -> bool:
        """Whether one more discovered URL may be requested (STORYARCHIVE_MAX_URLS, 0 = no
        limit); counts it if so."""
        limit = self.settings.getint("STORYARCHIVE_MAX_URLS")
        if limit and self._budget_used >= limit:
            if not self._budget_logged:
                self._budget_logged = True
                self.logger.warning("URL budget reached: STORYARCHIVE_MAX_URLS=%d URLs requested; "
                                    "URLs discovered from now on are not followed", limit)
            self.crawler.stats.inc_value("storyarchive/discovery/over_budget")
            return False
        self._budget_used += 1
        return True

    def parse_seed(self, response: Response) -> Iterable[scrapy.Request]:
        depth = response.meta.get("seed_depth", 0)
        host = urlsplit(response.url).netloc
        links = []
        page = self.page(response)
        base = _base_url(response)
        for href in page.xpath("//a/@href").getall() if page is not None else ():
            url = join_url(base, href)
            if url is None:  # malformed ("http://[oops"): that link only is lost
                continue
            path = urlsplit(url).path
            if urlsplit(url).netloc != host or _NOT_ARTICLE.search(path):
                continue
            if _ARTICLE_PATH.search(path):
                links.append(DiscoveredLink(url))
        self.crawler.stats.inc_value("storyarchive/discovery/seed_links", len(links))
        yield from self._candidates(links, "link", response.url, seed_depth=depth + 1)

    def _candidates(self, links: Iterable[DiscoveredLink], via: str, source: str,
                    over_budget: int = 0, **meta: Any) -> Iterable[scrapy.Request]:
        """Requests for candidate articles: canonicalized, in scope, and in the date window
        when the source announced a date, within the URL budget. A source (`source`, its
        URL) that listed URLs past the budget is recorded once, with how many."""
        for link in links:
            url = canonicalize_url(link.url)
            if not url.startswith(("http://", "https://")):
                continue
            if not self.story.domain_allowed(url):
                self.reject(url, "out-of-scope: domain not allowed")
                continue
            if link.date is not None and self.story.in_window(link.date) is False:
                self.reject(url, "out-of-window", date=link.date.isoformat())
                continue
            sources = self.discovered.get(url)
            if sources is None:
                if not self._within_budget():
                    over_budget += 1
                    continue
                sources = self.discovered[url] = set()
            if via not in sources:
                sources.add(via)
                self.journal("found", url=url, via=via)
            yield scrapy.Request(
                url, self.parse_article, errback=self.on_error,
                meta={"via": via, "date": link.published, **meta},
            )
        if over_budget:
            limit = self.settings.getint("STORYARCHIVE_MAX_URLS")
            self.reject(source, f"url-budget: STORYARCHIVE_MAX_URLS={limit} reached", via=via,
                        not_followed=over_budget)

    # ---------------------------------------------------------------- articles
    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        handled = response.meta.get(META_HANDLED)  # a resumed crawl handled it already
        hop = response.meta.get("canonical_hop")
        # in a worker, one parse: canonical link, requisites, extraction (none for an alias)
        reading = await self.read(response, extract=not handled, unless_alias=not hop)
        canonical = self.canonical_of(response, reading)
        own = canonicalize_url(response.url)
        if canonical != own and not hop:
            # An AMP copy, a syndicated mirror or a tracking variant that names its original:
            # archive the original instead (the dupefilter drops it if already requested).
            self.crawler.stats.inc_value("storyarchive/discovery/followed_canonical")
            aliases = self.aliases.setdefault(canonical, set())
            if own not in aliases:
                aliases.add(own)
                self.journal("alias", canonical=canonical, own=own)
            if canonical in self.seen_canonical:
                return
            if self.story.domain_allowed(canonical):
                yield scrapy.Request(
                    canonical,
                    self.parse_article,
                    errback=self.on_error,
                    meta={
                        "via": response.meta.get("via"),
                        "date": response.meta.get("date"),
                        "canonical_hop": True,
                    },
                )
            return
        if canonical in self.seen_canonical and not handled:
            self.crawler.stats.inc_value("storyarchive/discovery/duplicate_canonical")
            return
        self.seen_canonical.add(canonical)
        if not handled:
            yield self.article_item(response, canonical, reading)
        for request in self.requisite_requests(reading):  # replay: page requisites
            yield request
        depth = response.meta.get("seed_depth")
        if depth is not None and depth < self.settings.getint("STORYARCHIVE_SEED_DEPTH"):
            for request in self.parse_seed(response):
                yield request


def _base_url(response: Response) -> str:
    """What the page's links are relative to: its <base href>, or its own URL when it has
    none or a malformed one (w3lib refuses it with ValueError; a browser ignores it)."""
    if not isinstance(response, TextResponse):
        return response.url
    try:
        return get_base_url(response)
    except ValueError:
        return response.url
