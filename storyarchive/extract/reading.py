"""One parse of a fetched page for everything the crawl needs from it.

The crawl process (Scrapy's reactor thread) only moves bytes: an HTML page goes to an
extraction worker once, is decoded and parsed once there, and comes back as a
`PageReading`: its canonical link (what counts as "the same article"), its requisites
(what it needs to render, archived for replay) and its extraction. Reading the canonical
link and the requisites costs a walk over a tree the extraction parses anyway; parsing the
page a second time on the reactor, as the spiders did before, cost more than Scrapy's own
work per page on real-size news pages (bench/realpages.py).

    read_page(body, declared_encoding, url, content_type, ReadOptions(...)) -> PageReading
"""

from __future__ import annotations

from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from storyarchive.contenttype import declared_charset
from storyarchive.extract.article import ExtractOptions, extract_tree, parse_html
from storyarchive.extract.decode import decode_html
from storyarchive.extract.skip import NotHtmlError, skip_reason
from storyarchive.items import Extraction
from storyarchive.requisites import tree_links
from storyarchive.urls import canonical_from_page, canonicalize_url

_CANONICAL_HREF = lxml.etree.XPath("//link[@rel='canonical']/@href")


@dataclass(frozen=True)
class ReadOptions:
    """What to read from a page.

    canonical: its rel=canonical link. requisites: at most this many requisite URLs (0:
    none). extract: extract the article with these options (None: do not). unless_alias:
    do not extract a page whose canonical link names another URL than its own (the story
    spider archives the original instead, so the extraction would be thrown away)."""

    canonical: bool = True
    requisites: int = 0
    extract: ExtractOptions | None = None
    unless_alias: bool = False

    @property
    def anything(self) -> bool:
        return self.canonical or bool(self.requisites) or self.extract is not None


@dataclass
class PageReading:
    """What a page said. `extraction` is set when it was extracted; otherwise, when an
    extraction was asked for, `not_extracted` says why not (a skip reason: not-html,
    binary, unparsable...) or `extraction_error` how it failed ("TypeName: message")."""

    canonical_href: str | None = None  # the rel=canonical href as written; None: none
    canonical_url: str | None = None  # the page's canonical URL (storyarchive.urls), when it names one
    requisites: list[str] = field(default_factory=list)  # absolute URLs, document order
    extraction: Extraction | None = None
    not_extracted: str | None = None
    extraction_error: str | None = None
    alias: bool = False  # the canonical link names another URL (not extracted: unless_alias)

    @property
    def asked_extraction(self) -> bool:
        """Whether an extraction was asked for (it is there, or why not is)."""
        return (self.extraction is not None or self.not_extracted is not None
                or self.extraction_error is not None)


def read_page(body: bytes, declared_encoding: str | None, url: str, content_type: str,
              options: ReadOptions) -> PageReading:
    """Decode and parse `body` (the page at `url`) once and read what `options` asks.

    The extraction is the one `storyarchive.extract.extract_body` makes of the same body
    (the same decoding, the same parse), so a crawl and a re-extraction of its WARCs agree.
    A failed extraction is reported in the reading, never raised; a page that is not HTML
    gives its canonical link and requisites from a plain lxml parse where it has any."""
    reading = PageReading()
    skipped = skip_reason(content_type, body) if options.extract is not None else None
    text, _codec = decode_html(body, declared_encoding or declared_charset(content_type))
    try:
        tree = parse_html(text)
    except NotHtmlError as exc:
        if options.extract is not None:
            reading.not_extracted = skipped or exc.reason
        tree = _plain_parse(text) if options.canonical or options.requisites else None
        if tree is not None:
            _read_links(tree, url, options, reading)
        return reading
    _read_links(tree, url, options, reading)
    if options.extract is None:
        return reading
    if skipped is not None:
        reading.not_extracted = skipped
        return reading
    if options.unless_alias and reading.canonical_url and reading.canonical_url != canonicalize_url(url):
        reading.alias = True
        return reading
    try:
        reading.extraction = extract_tree(tree, url, options.extract)  # prunes the tree: last
    except NotHtmlError as exc:
        reading.not_extracted = exc.reason
    except Exception as exc:  # noqa: BLE001 - any failure is this page's, never the crawl's
        reading.extraction_error = f"{type(exc).__name__}: {exc}"
    return reading


def _read_links(tree: lxml.html.HtmlElement, url: str, options: ReadOptions, reading: PageReading) -> None:
    """The canonical link and the requisites: one pass over the tree for both when both
    are asked (the canonical link is a <link> like the stylesheets)."""
    canonical_href: str | None = None
    if options.requisites:
        links = tree_links(tree, url, limit=options.requisites)
        reading.requisites = links.requisites
        canonical_href = links.canonical_href
    elif options.canonical:
        hrefs = _CANONICAL_HREF(tree)
        canonical_href = str(hrefs[0]) if hrefs else None
    if options.canonical and canonical_href is not None:
        reading.canonical_href = canonical_href
        reading.canonical_url = canonical_from_page(url, canonical_href)


def _plain_parse(text: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):  # empty or unparseable: nothing to read
        return None
