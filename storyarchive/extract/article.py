"""One HTML page -> `Extraction`: metadata and the body as ordered blocks.

trafilatura finds the main content (with `deduplicate=False`: its LRU dedup is one global
per process and depends on arrival order; our dedup stage does it with provenance). Its
XML-like body tree is mapped to blocks: <p> -> paragraph, <head> -> heading, each <item>
of a <list> -> list-item, <quote> -> quote, each table row -> paragraph. Repeated blocks are
all kept, in order: whether a repeat is boilerplate is the dedup stage's call.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from copy import deepcopy
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from storyarchive import defaults
from storyarchive.contenttype import declared_charset
from storyarchive.extract.decode import decode_html
from storyarchive.extract.furniture import drop_furniture, prune_furniture
from storyarchive.extract.skip import NotHtmlError, skip_reason
from storyarchive.items import Block, Extraction
from storyarchive.timestamps import Timestamp, parse_timestamp
from storyarchive.urls import join_url

_TRAFILATURA_VERSION = version("trafilatura")
_HTMLDATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_SPACE = re.compile(r"\s+")
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|&|\s(?:and|And|AND|y|et|und|e)\s)\s*")
_BY_PREFIX = re.compile(
    r"^(?:(?:words|written|text|reporting|story)\s+by|by|por|par|von|di|de|authors?)\b[\s:]*",
    re.I,
)
_ROLE = re.compile(
    r"^(?:[\w-]+\s+)?(?:reporter|correspondent|editor|writer|columnist|contributor|staff|"
    r"photographer|analyst|redacci[oó]n|redactora?|corresponsal|journaliste|r[ée]daction)$",
    re.I,
)
_MONTH = re.compile(
    r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?$|^(enero|febrero|marzo|"
    r"abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)$",
    re.I,
)


@dataclass(frozen=True)
class ExtractOptions:
    """How an article is extracted. Defaults are the measured best (docs/extraction.md).

    favor_precision / favor_recall / include_tables / include_comments / fallbacks are
    trafilatura's knobs (fallbacks=False is its `fast` mode); extensive_date_search lets
    htmldate scan the whole text for date-like strings when the page marks up no date
    (slow: up to 20x the cost of the extraction, and error-prone); prune_furniture removes
    share bars, captions, newsletter boxes, related-link lists... by class name before
    trafilatura sees the page; drop_furniture drops blocks that read as page furniture
    (share prompts, "Read more:" teasers, photo credits, a repeated title or byline).
    """

    favor_precision: bool = defaults.STORYARCHIVE_EXTRACT_FAVOR_PRECISION
    favor_recall: bool = defaults.STORYARCHIVE_EXTRACT_FAVOR_RECALL
    include_tables: bool = defaults.STORYARCHIVE_EXTRACT_INCLUDE_TABLES
    include_comments: bool = defaults.STORYARCHIVE_EXTRACT_INCLUDE_COMMENTS
    fallbacks: bool = defaults.STORYARCHIVE_EXTRACT_FALLBACKS
    extensive_date_search: bool = False
    prune_furniture: bool = defaults.STORYARCHIVE_EXTRACT_FURNITURE
    drop_furniture: bool = defaults.STORYARCHIVE_EXTRACT_FURNITURE

    def describe(self) -> dict[str, Any]:
        return {"name": "trafilatura", "version": _TRAFILATURA_VERSION, "options": asdict(self)}


def options_from_settings(settings: Any) -> ExtractOptions:
    """ExtractOptions from the STORYARCHIVE_EXTRACT_* settings (defaults in storyarchive/defaults.py):
    the one place both the crawl's extract pipeline and `storyarchive reextract` read them,
    so a re-extraction with unchanged settings reproduces the crawl's documents."""
    furniture = settings.getbool("STORYARCHIVE_EXTRACT_FURNITURE")
    return ExtractOptions(
        favor_precision=settings.getbool("STORYARCHIVE_EXTRACT_FAVOR_PRECISION"),
        favor_recall=settings.getbool("STORYARCHIVE_EXTRACT_FAVOR_RECALL"),
        include_tables=settings.getbool("STORYARCHIVE_EXTRACT_INCLUDE_TABLES"),
        include_comments=settings.getbool("STORYARCHIVE_EXTRACT_INCLUDE_COMMENTS"),
        fallbacks=settings.getbool("STORYARCHIVE_EXTRACT_FALLBACKS"),
        prune_furniture=furniture,
        drop_furniture=furniture,
    )


@dataclass(frozen=True)
class _PageFacts:
    """What we read from the page ourselves, before trafilatura rewrites the tree."""

    language: str | None = None
    canonical_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    published: Timestamp | None = None  # JSON-LD datePublished, else the published meta tags
    modified: Timestamp | None = None  # JSON-LD dateModified, else the modified meta tags
    image: str | None = None  # JSON-LD image (trafilatura reads og:image / twitter:image)
    keywords: tuple[str, ...] = ()  # JSON-LD keywords (trafilatura reads the meta tags)


def extract_body(
    body: bytes, declared_encoding: str | None, url: str, options: ExtractOptions,
    content_type: str = "text/html",
) -> Extraction:
    """Decode an HTTP body and extract it (the unit of work a pool worker runs).

    declared_encoding: the HTTP-declared charset, if known; otherwise the `charset`
    parameter of content_type is used. Raises NotHtmlError when the body is not HTML.
    """
    reason = skip_reason(content_type, body)
    if reason is not None:
        raise NotHtmlError(reason)
    declared = declared_encoding or declared_charset(content_type)
    text, _codec = decode_html(body, declared)
    return extract_article(text, url, options)


def extract_article(html: str | bytes, url: str, options: ExtractOptions) -> Extraction:
    """Extract one page: metadata and body blocks, in reading order, repeats kept.

    html: the page (str, or bytes that are decoded with `decode_html`); url: its URL (for
    relative links and as the fallback canonical URL). Returns an Extraction whose blocks
    may be empty when no main text was found. Raises NotHtmlError when the input does not
    parse as HTML.
    """
    if isinstance(html, bytes):
        html, _codec = decode_html(html, None)
    return extract_tree(parse_html(html), url, options)


def parse_html(html: str) -> HtmlElement:
    """The page parsed as trafilatura parses it (the tree `extract_tree` takes). Raises
    NotHtmlError when it does not parse as HTML."""
    tree = load_html(html)
    if tree is None:
        raise NotHtmlError("unparsable")
    return tree


def extract_tree(tree: HtmlElement, url: str, options: ExtractOptions) -> Extraction:
    """`extract_article` of a page parsed by `parse_html`, so a page read for something
    else too (its canonical link, its requisites: storyarchive.extract.reading) is parsed
    once. The tree is changed (pruned): read anything else from it first."""
    facts = _page_facts(tree)
    # Metadata first, from the whole page: pruning removes bylines and datelines.
    document = extract_metadata(tree, url, _date_params(options))
    if options.prune_furniture:
        prune_furniture(tree)
    result = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=not options.fallbacks,
        favor_precision=options.favor_precision,
        favor_recall=options.favor_recall,
        include_comments=options.include_comments,
        include_tables=options.include_tables,
        include_images=False,
        include_formatting=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    # None: no main text; the metadata is still worth having.
    blocks = _blocks(result.body) if isinstance(result, Document) else []
    authors = split_authors(document.author)
    if options.drop_furniture:
        blocks = drop_furniture(blocks, title=document.title, authors=authors)
    published = _published(parse_timestamp(document.date), facts.published)
    modified = facts.modified
    return Extraction(
        title=_clean(document.title),
        authors=authors,
        published=published.value if published else None,
        published_offset=published.offset if published else None,
        modified=modified.value if modified else None,
        modified_offset=modified.offset if modified else None,
        site_name=_site_name(document.sitename, document.title, url),
        language=facts.language,
        canonical_url=_absolute(facts.canonical_url or document.url, url) or url,
        description=_clean(document.description),
        image=_absolute(_clean(document.image) or facts.image, url),
        tags=_terms([*(document.tags or []), *facts.keywords]),
        categories=_terms(document.categories or []),
        blocks=blocks,
        extractor=options.describe(),
    )


def _date_params(options: ExtractOptions) -> dict[str, Any]:
    # htmldate keeps the time and zone the page gives ("2025-12-31T09:15:00-0500"); a date
    # alone comes out at a zoneless midnight, which parse_timestamp reads as a date only.
    return {**set_date_params(options.extensive_date_search), "outputformat": _HTMLDATE_FORMAT}


def _published(found: Timestamp | None, declared: Timestamp | None) -> Timestamp | None:
    """htmldate's publication date (its choice among the page's dates is the one the
    evaluation measured), given its time from the page's own declaration (JSON-LD, meta
    tags) when htmldate found only the day and the declaration names the same day."""
    if found is None:
        return None  # htmldate rejected the page's dates (in the future, implausible) or saw none
    if found.has_time or declared is None or not declared.has_time:
        return found
    local_day = _local_day(declared)
    if found.date in (declared.date, local_day):
        return declared
    return found


def _local_day(stamp: Timestamp) -> dt.date:
    """The calendar day at the source's own offset."""
    if stamp.offset is None or not stamp.value.endswith("Z"):
        return stamp.date
    utc = dt.datetime.fromisoformat(stamp.value.replace("Z", "+00:00"))
    sign = -1 if stamp.offset.startswith("-") else 1
    hours, minutes = stamp.offset[1:].split(":")
    return (utc + sign * dt.timedelta(hours=int(hours), minutes=int(minutes))).date()


def _terms(values: list[str]) -> list[str]:
    """Tags or categories as single terms, in page order, each once: trafilatura joins the
    values of one meta tag with ", "; JSON-LD keywords may be one comma-separated string."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        for part in (value or "").split(","):
            term = _clean(part)
            if term and len(term) <= 100 and term.casefold() not in seen:
                seen.add(term.casefold())
                out.append(term)
    return out


def split_authors(author: str | None) -> list[str]:
    """"By Ana Pérez and John Smith; Reuters" -> ["Ana Pérez", "John Smith", "Reuters"].

    Dates and bare job titles that bylines carry along ("Health Correspondent") are dropped.
    """
    if not author:
        return []
    names: list[str] = []
    for part in _AUTHOR_SPLIT.split(author):
        name = _BY_PREFIX.sub("", _clean(part) or "").strip(" .·|-–—:")
        if not name or any(c.isdigit() for c in name) or _MONTH.match(name) or _ROLE.match(name):
            continue  # a date or a job title that came along with the byline
        if name not in names:
            names.append(name)
    return names


def _blocks(body: HtmlElement | None) -> list[Block]:
    blocks: list[Block] = []
    if body is None:
        return blocks

    _walk(body, blocks)
    return blocks


_BLOCK_TAGS = ("p", "head", "list", "quote", "table")


def _walk(container: HtmlElement, blocks: list[Block]) -> None:
    """Append the blocks of a container's children, in document order."""

    def add(kind: str, element: HtmlElement) -> None:
        text = _text(element)
        if text:
            blocks.append(Block(index=len(blocks), kind=kind, text=text))

    if container.text and container.text.strip() and container.tag != "body":
        blocks.append(Block(index=len(blocks), kind="paragraph", text=_clean(container.text) or ""))
    for element in container:
        tag = element.tag
        if tag == "p":
            add("paragraph", element)
        elif tag == "head":
            add("heading", element)
        elif tag == "list":
            for item in element.iter("item"):
                add("list-item", _without_sublists(item))
        elif tag == "quote":
            add("quote", element)
        elif tag == "table":
            _table(element, blocks)
        elif isinstance(tag, str) and tag not in ("graphic", "lb"):
            add("paragraph", element)
        if element.tail and element.tail.strip() and container.tag != "body":
            blocks.append(Block(index=len(blocks), kind="paragraph", text=_clean(element.tail) or ""))


def _table(table: HtmlElement, blocks: list[Block]) -> None:
    """A data table gives one paragraph per row ("cell | cell"); a layout table (cells
    holding paragraphs, as old CMSes print whole pages in tables) is walked cell by cell."""
    for row in table.iter("row"):
        cells = [cell for cell in row if cell.tag == "cell"]
        if any(child.tag in _BLOCK_TAGS for cell in cells for child in cell):
            for cell in cells:
                _walk(cell, blocks)
            continue
        text = " | ".join(t for t in (_text(cell) for cell in cells) if t)
        if text:
            blocks.append(Block(index=len(blocks), kind="paragraph", text=text))


def _without_sublists(item: HtmlElement) -> HtmlElement:
    """An <item> without its nested <list>s: their items become blocks of their own."""
    if item.find(".//list") is None:
        return item
    clone = deepcopy(item)
    for sublist in clone.findall(".//list"):
        parent = sublist.getparent()
        if parent is not None:
            parent.remove(sublist)  # its tail goes too: a list item rarely has one
    return clone


def _text(element: HtmlElement) -> str:
    """The element's text with line breaks as spaces and whitespace collapsed."""
    parts: list[str] = []
    _collect(element, parts)
    return _SPACE.sub(" ", "".join(parts)).strip()


def _collect(node: HtmlElement, parts: list[str]) -> None:
    if node.tag == "lb":
        parts.append(" ")
    if node.text:
        parts.append(node.text)
    for child in node:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def _site_name(site_name: str | None, title: str | None, url: str) -> str | None:
    """trafilatura sometimes takes the headline half of "<headline> | <site>" for the
    site name; a site name equal to the title is that mistake: use the host instead."""
    site_name = _clean(site_name)
    if site_name and title and site_name.casefold() == _clean(title.casefold()):
        return urlsplit(url).hostname
    return site_name


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    return _SPACE.sub(" ", value).strip() or None


def _page_facts(tree: HtmlElement) -> _PageFacts:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        for meta in tree.iterfind(".//meta[@http-equiv]"):
            if meta.get("http-equiv", "").lower() == "content-language":
                lang = meta.get("content")
                break
    canonical = None
    for link in tree.iterfind(".//link[@rel]"):
        if "canonical" in link.get("rel", "").lower().split() and link.get("href"):
            canonical = link.get("href").strip()
            break
    if canonical is None:
        for meta in tree.iterfind(".//meta[@property]"):
            if meta.get("property") == "og:url" and meta.get("content"):
                canonical = meta.get("content").strip()
                break
    ld = _json_ld_article(tree)
    published = (parse_timestamp(_ld_text(ld.get("datePublished")))
                 or _meta_time(tree, _PUBLISHED_META) or _first_time_element(tree))
    modified = parse_timestamp(_ld_text(ld.get("dateModified"))) or _meta_time(tree, _MODIFIED_META)
    keywords = ld.get("keywords")
    return _PageFacts(
        language=_language(lang), canonical_url=canonical, published=published, modified=modified,
        image=_ld_image(ld.get("image")),
        keywords=tuple(k for k in (keywords if isinstance(keywords, list) else [keywords])
                       if isinstance(k, str)),
    )


# Meta tags (property, name or itemprop) that declare a page's times, in order of trust.
_PUBLISHED_META = ("article:published_time", "og:published_time", "datepublished",
                   "publishdate", "pubdate", "date")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "lastmod",
                  "last-modified")
_ARTICLE_TYPE = re.compile(r"(Article|BlogPosting|LiveBlogPosting|Report)$")


def _meta_time(tree: HtmlElement, names: tuple[str, ...]) -> Timestamp | None:
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in names and key not in found:
            found[key] = meta.get("content", "")
    for time in tree.iterfind(".//time[@itemprop][@datetime]"):
        key = time.get("itemprop", "").lower()
        if key in names and key not in found:
            found[key] = time.get("datetime", "")
    for name in names:
        stamp = parse_timestamp(found.get(name))
        if stamp is not None:
            return stamp
    return None


def _first_time_element(tree: HtmlElement) -> Timestamp | None:
    """The first <time datetime> that gives a time of day: a dateline, in most templates
    (used only to give htmldate's day its time, when both name the same day)."""
    for time in tree.iterfind(".//time[@datetime]"):
        stamp = parse_timestamp(time.get("datetime"))
        if stamp is not None and stamp.has_time:
            return stamp
    return None


def _json_ld_article(tree: HtmlElement) -> dict[str, Any]:
    """The page's JSON-LD article object (NewsArticle, BlogPosting...; else the first object
    that has a datePublished), {} if none. Broken JSON-LD is skipped."""
    fallback: dict[str, Any] = {}
    for script in tree.iterfind(".//script[@type]"):
        if script.get("type", "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            continue
        for obj in _ld_objects(data):
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and _ARTICLE_TYPE.search(t) for t in types):
                return obj
            if not fallback and "datePublished" in obj:
                fallback = obj
    return fallback


def _ld_objects(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Every object of a JSON-LD value, @graph members and list items included."""
    if depth > 3:
        return []
    if isinstance(data, list):
        return [o for item in data for o in _ld_objects(item, depth + 1)]
    if not isinstance(data, dict):
        return []
    return [data, *_ld_objects(data.get("@graph"), depth + 1)]


def _ld_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def _ld_image(value: Any) -> str | None:
    """A JSON-LD image: a URL, an ImageObject ({"url": ...}) or a list of either (the first)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return _clean(value) if isinstance(value, str) else None


def _language(value: str | None) -> str | None:
    """"es-VE" -> "es"; "en_US" -> "en". A primary language subtag only."""
    if not value:
        return None
    primary = re.split(r"[-_,;\s]", value.strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _absolute(candidate: str | None, base: str) -> str | None:
    return join_url(base, candidate) if candidate else None  # None too when malformed
