"""What the story and capture spiders share: the collection they archive into, turning a
response into an ArticleItem, and counting every failure under its reason."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import weakref
from collections.abc import Iterable
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from storyarchive.contenttype import declared_charset, is_html_type, media_type
from storyarchive.extract.reading import PageReading, ReadOptions, read_page
from storyarchive.items import ArticleItem
from storyarchive.layout import check_slug
from storyarchive.markup import too_many_elements
from storyarchive.timestamps import as_timestamp
from storyarchive.urls import canonicalize_url

_CANONICAL = re.compile(rb"canonical", re.IGNORECASE)
# The reason of a URL robots.txt forbids us (counted as storyarchive/rejected/robots.txt).
ROBOTS_REFUSAL = "robots.txt: forbidden for storyarchive"
# Response flags set when a body did not arrive whole: our size cap stopped it
# (download_stopped) or the connection ended before Content-Length was reached (dataloss);
# or when it would decode to more than STORYARCHIVE_MAX_DECODED_BYTES (decoded_too_large,
# storyarchive/decompression.py: the body is as received), or holds more elements than
# STORYARCHIVE_MAX_PAGE_ELEMENTS (too_many_elements, set by `ArchiveSpider.readable`).
# None is extracted or parsed.
TRUNCATION_FLAGS = {
    "download_stopped": "truncated: over the size limit",
    "dataloss": "truncated: connection lost",
    "decoded_too_large": "too-large: decodes to more than the size limit",
    "too_many_elements": "too-large: more elements than the page limit",
}


def new_crawl_id() -> str:
    """Sortable and unique: UTC timestamp plus 6 random hex digits."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ArchiveSpider(scrapy.Spider):
    """Base of our spiders. `story_slug` names the archive collection. Every URL not stored
    as an article is journaled with its reason (the crawl manifest lists them), as are
    the discovery facts the documents need (`journal`)."""

    story_slug: str
    crawl_id: str

    def __init__(self, *args: Any, crawl_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crawl_id = crawl_id or new_crawl_id()
        self._rejected_urls: set[str] = set()
        self._store_pipeline: Any = None
        self._extractor: Any = None  # the crawl's ExtractPipeline (False: extraction off)
        # response -> its parsed page, for as long as the response lives (see `page`)
        self._pages: weakref.WeakKeyDictionary[Response, Selector] = weakref.WeakKeyDictionary()
        # responses `readable` found within the limits: a page is asked when it is read and
        # again when its item is made, and counting a large page's elements is a byte scan
        self._readable: weakref.WeakSet[Response] = weakref.WeakSet()
        # Requisite URLs already requested: most pages of a site share their stylesheets,
        # scripts and icons, and a request the dupefilter would drop anyway still costs a
        # trip through every spider middleware and the scheduler.
        self._requisites_requested: set[str] = set()

    def named_urls(self) -> list[str]:
        """The URLs the user named for this crawl: the story file's sources (feeds,
        sitemaps, search feeds, seeds) and the URLs given to capture. Their hosts may be
        fetched whatever address they resolve to (storyarchive.addressguard)."""
        urls = list(getattr(self, "urls", None) or [])
        story = getattr(self, "story", None)
        if story is not None:
            src = story.sources
            urls += [*src.feeds, *src.sitemaps, *src.seeds, *story.search_urls()]
        return urls

    def set_slug(self, slug: str) -> None:
        self.story_slug = check_slug(slug)

    def journal(self, kind: str, **fields: Any) -> None:
        """Journal one event of this crawl (storyarchive.journal) through the store
        pipeline; nothing if it is not enabled."""
        if self._store_pipeline is None:
            from pipelines.store import StorePipeline

            self._store_pipeline = self.crawler.get_item_pipeline(StorePipeline) or False
        if self._store_pipeline:
            self._store_pipeline.record(kind, **fields)

    def already_stored(self) -> set[str]:
        """Canonical URLs an earlier run of this (resumed) crawl stored already."""
        from pipelines.store import StorePipeline

        pipeline = self.crawler.get_item_pipeline(StorePipeline)
        return set(pipeline.resume.canonicals) if pipeline is not None else set()

    def reject(self, url: str, reason: str, **extra: Any) -> None:
        """Count a URL that will not become an article, under storyarchive/rejected/<reason>,
        once per URL however many feeds and sitemaps list it."""
        if url in self._rejected_urls:
            return
        self._rejected_urls.add(url)
        self.crawler.stats.inc_value(f"storyarchive/rejected/{reason.split(':')[0]}")
        self.journal("reject", url=url, reason=reason, **extra)

    def on_error(self, failure: Failure) -> None:
        """Errback: every request that failed is counted with its reason; the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        from scrapy.exceptions import IgnoreRequest
        from scrapy.spidermiddlewares.httperror import HttpError

        from storyarchive.addressguard import ForbiddenAddressError

        if failure.check(HttpError):
            status = failure.value.response.status  # type: ignore[union-attr]
            self.reject(request.url, f"http-{status}", status=status)
        elif failure.check(ForbiddenAddressError):
            redirects = request.meta.get("redirect_urls") or []
            self.reject(request.url, f"forbidden-address: {failure.value.reason}",  # type: ignore[union-attr]
                        **({"redirected_from": redirects[0]} if redirects else {}))
        elif failure.check(IgnoreRequest) and "redirect" in str(failure.value).lower():
            self.reject(request.url, "redirect-loop", detail=str(failure.value))
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.reject(request.url, ROBOTS_REFUSAL)
        else:
            name = failure.type.__name__ if failure.type else "error"
            self.crawler.stats.inc_value(f"storyarchive/errors/{name}")
            self.journal("reject", url=request.url, reason=f"error: {name}",
                         detail=str(failure.value)[:300])
            self.logger.warning("fetch failed: %s: %s", request.url, failure.value)

    def page(self, response: Response) -> Selector | None:
        """The parsed page (None if it is not HTML text), parsed once per response.

        Not `response.selector`: Scrapy's cached selector points back at its response, so
        every parsed response (body, decoded text and lxml tree: about 1 MB for a 170 KB news
        page) becomes cyclic garbage that only the cyclic collector frees, and it runs too
        rarely to keep memory flat. This selector has no reference to the response and goes
        with it by reference counting."""
        if not isinstance(response, TextResponse) or not _is_html(response):
            return None
        page = self._pages.get(response)
        if page is None and not self.readable(response):
            return None
        if page is None:
            page = self._pages[response] = Selector(
                body=response.body, encoding=response.encoding, type="html", base_url=response.url)
        return page

    def readable(self, response: Response) -> bool:
        """Whether the body may be parsed: not still content-encoded past the decoded
        limit, and within STORYARCHIVE_MAX_PAGE_ELEMENTS (storyarchive.markup: a page's
        memory is its elements). A page over the limit gets the flag "too_many_elements",
        so it is counted once and not extracted either."""
        if response in self._readable:
            return True
        if "decoded_too_large" in response.flags or "too_many_elements" in response.flags:
            return False
        limit = self.settings.getint("STORYARCHIVE_MAX_PAGE_ELEMENTS")
        if too_many_elements(response.body, limit):
            response.flags.append("too_many_elements")
            self.crawler.stats.inc_value("storyarchive/page_element_limit_hit")
            self.logger.warning("%s: more than STORYARCHIVE_MAX_PAGE_ELEMENTS=%d elements; "
                                "archived, not parsed or extracted", response.url, limit)
            return False
        self._readable.add(response)
        return True

    async def read(self, response: Response, *, extract: bool, unless_alias: bool = False) -> PageReading:
        """What the crawl needs from a fetched HTML page, read in one parse in an extraction
        worker (`ExtractPipeline.read`; the reactor parses nothing): its canonical link (only
        looked for in a page that names one), its requisites (STORYARCHIVE_CAPTURE_REQUISITES)
        and, with `extract`, its extraction, which `article_item` puts on the page's item.
        `unless_alias`: no extraction for a page whose canonical link names another URL.

        A page that is not HTML or over a limit (`readable`) is not read; one that did not
        arrive whole (TRUNCATION_FLAGS) only for its canonical link. With extraction off (no
        ExtractPipeline) the spider reads the page itself, for its links only."""
        if not _is_html(response) or not self.readable(response):
            return PageReading()
        whole = not any(flag in response.flags for flag in TRUNCATION_FLAGS)
        limit = 0
        if whole and self.settings.getbool("STORYARCHIVE_CAPTURE_REQUISITES"):
            limit = self.settings.getint("STORYARCHIVE_REQUISITES_MAX_PER_PAGE")
        pipeline = self._extract_pipeline()
        options = ReadOptions(
            canonical=bool(_CANONICAL.search(response.body)), requisites=limit,
            extract=pipeline.options if extract and whole and pipeline is not None else None,
            unless_alias=unless_alias)
        if not options.anything:
            return PageReading()
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        args = (response.body, declared_charset(content_type), response.url, content_type, options)
        if pipeline is None:
            return read_page(*args)
        return await pipeline.read(*args)

    def _extract_pipeline(self) -> Any:
        """The crawl's ExtractPipeline, or None when extraction is off."""
        if self._extractor is None:
            from pipelines.extract import ExtractPipeline

            self._extractor = self.crawler.get_item_pipeline(ExtractPipeline) or False
        return self._extractor or None

    def canonical_of(self, response: Response, reading: PageReading) -> str:
        """The page's canonical URL: its rel=canonical if usable (`read` resolves it in the
        worker: storyarchive.urls.canonical_from_page), else its own URL, normalized."""
        return reading.canonical_url or canonicalize_url(response.url)

    def article_item(self, response: Response, canonical_url: str,
                     reading: PageReading | None = None) -> ArticleItem:
        """The item for a fetched page; non-HTML and truncated bodies carry a skip reason.
        With the page's `reading`, the item carries its extraction (and no body)."""
        meta = response.meta
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        mime = media_type(content_type)
        declared = declared_charset(content_type)
        if _is_html(response):
            self.readable(response)  # flags a page with too many elements
        skipped = next((why for flag, why in TRUNCATION_FLAGS.items() if flag in response.flags), None)
        if skipped is None and mime and not is_html_type(mime):
            skipped = f"not-html: {mime}"
        redirects = meta.get("redirect_urls") or []
        listed = as_timestamp(meta.get("date"))  # the feed's or sitemap's publication time
        item = ArticleItem(
            story=self.story_slug,
            url=redirects[0] if redirects else response.url,
            final_url=response.url,
            canonical_url=canonical_url,
            fetched_at=meta.get("storyarchive_fetched_at") or utc_now(),
            status=response.status,
            content_type=content_type,
            encoding=declared,
            body=None if skipped else response.body,
            spider=self.name,
            discovered_via=meta.get("via"),
            discovered_date=listed,
            discovered_date_via=("sitemap" if meta.get("via") == "sitemap" else "feed") if listed else None,
            warc=meta.get("storyarchive_warc"),
            skipped_reason=skipped,
        )
        pipeline = self._extract_pipeline()
        if skipped is None and reading is not None and reading.asked_extraction and pipeline is not None:
            pipeline.apply(item, reading)
        return item

    # ---- page requisites (replay, issue 6): begin ----------------------------------------
    def requisite_requests(self, reading: PageReading) -> Iterable[scrapy.Request]:
        """Requests for what a fetched page needs to render (stylesheets, images, scripts,
        fonts, icons: storyarchive.requisites, read from the page by `read`), so the WARC
        recorder archives them for replay. Off with STORYARCHIVE_CAPTURE_REQUISITES = False
        (`read` lists none then, nor for a page that did not arrive whole). They go through
        robots.txt, politeness and the size limit like any request, are never extracted and
        never count as articles (stats under storyarchive/requisites/...)."""
        for url in reading.requisites:
            if url not in self._requisites_requested:
                yield self._requisite_request(url)

    def _requisite_request(self, url: str) -> scrapy.Request:
        self._requisites_requested.add(url)
        self.crawler.stats.inc_value("storyarchive/requisites/requested")
        return scrapy.Request(
            url, self.parse_requisite, errback=self.on_requisite_error,
            meta={"storyarchive_requisite": True}, priority=-1,
        )

    def parse_requisite(self, response: Response) -> Iterable[scrapy.Request]:
        """A requisite is archived by the recorder already; a stylesheet's own references
        (fonts, background images, @import) are requested too."""
        self.crawler.stats.inc_value("storyarchive/requisites/fetched")
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if "text/css" not in ctype or any(flag in response.flags for flag in TRUNCATION_FLAGS):
            return
        from storyarchive.requisites import css_requisites

        limit = self.settings.getint("STORYARCHIVE_REQUISITES_MAX_PER_PAGE")
        css = response.text if isinstance(response, TextResponse) else response.body.decode(
            "utf-8", errors="replace")
        for url in css_requisites(css, response.url, limit=limit):
            if url not in self._requisites_requested:
                yield self._requisite_request(url)

    def on_requisite_error(self, failure: Failure) -> None:
        """A requisite that failed is counted, not reported as a rejected article."""
        name = failure.type.__name__ if failure.type else "error"
        self.crawler.stats.inc_value(f"storyarchive/requisites/failed/{name}")
        self.logger.debug("requisite failed: %s: %s", failure.request.url, failure.value)  # type: ignore[attr-defined]
    # ---- page requisites: end -------------------------------------------------------------


def _is_html(response: Response) -> bool:
    ctype = response.headers.get(b"Content-Type")
    return is_html_type(ctype) or (not ctype and b"<html" in response.body[:2048].lower())
