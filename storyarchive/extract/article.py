"""One HTML page -> `Extraction`: metadata and the body as ordered blocks.

trafilatura finds the main content (with `deduplicate=False`: its LRU dedup is one global
per process and depends on arrival order; our dedup stage does it with provenance). Its
XML-like body tree is mapped to blocks: <p> -> paragraph, <head> -> heading, each <item>
of a <list> -> list-item, <quote> -> quote, each table row -> paragraph. Repeated blocks are
all kept, in order: whether a repeat is boilerplate is the dedup stage's call.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from storyarchive.extract.decode import decode_html
from storyarchive.extract.furniture import drop_furniture, prune_furniture
from storyarchive.extract.skip import NotHtmlError, skip_reason
from storyarchive.items import Block, Extraction

_TRAFILATURA_VERSION = version("trafilatura")
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

    favor_precision: bool = True
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False
    fallbacks: bool = True
    extensive_date_search: bool = False
    prune_furniture: bool = True
    drop_furniture: bool = True

    def describe(self) -> dict[str, Any]:
        return {"name": "trafilatura", "version": _TRAFILATURA_VERSION, "options": asdict(self)}


def options_from_settings(settings: Any) -> ExtractOptions:
    """ExtractOptions from the STORYARCHIVE_EXTRACT_* settings (defaults in settings.py):
    the one place both the crawl's extract pipeline and `storyarchive reextract` read them,
    so a re-extraction with unchanged settings reproduces the crawl's documents."""
    furniture = settings.getbool("STORYARCHIVE_EXTRACT_FURNITURE", True)
    return ExtractOptions(
        favor_precision=settings.getbool("STORYARCHIVE_EXTRACT_FAVOR_PRECISION", True),
        favor_recall=settings.getbool("STORYARCHIVE_EXTRACT_FAVOR_RECALL", False),
        include_tables=settings.getbool("STORYARCHIVE_EXTRACT_INCLUDE_TABLES", True),
        include_comments=settings.getbool("STORYARCHIVE_EXTRACT_INCLUDE_COMMENTS", False),
        fallbacks=settings.getbool("STORYARCHIVE_EXTRACT_FALLBACKS", True),
        prune_furniture=furniture,
        drop_furniture=furniture,
    )


@dataclass(frozen=True)
class _PageFacts:
    """What we read from the page ourselves, before trafilatura rewrites the tree."""

    language: str | None = None
    canonical_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


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
    declared = declared_encoding or _charset_param(content_type)
    text, _codec = decode_html(body, declared)
    return extract_article(text, url, options)


def _charset_param(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def extract_article(html: str | bytes, url: str, options: ExtractOptions) -> Extraction:
    """Extract one page: metadata and body blocks, in reading order, repeats kept.

    html: the page (str, or bytes that are decoded with `decode_html`); url: its URL (for
    relative links and as the fallback canonical URL). Returns an Extraction whose blocks
    may be empty when no main text was found. Raises NotHtmlError when the input does not
    parse as HTML.
    """
    if isinstance(html, bytes):
        html, _codec = decode_html(html, None)
    tree = load_html(html)
    if tree is None:
        raise NotHtmlError("unparsable")
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
    return Extraction(
        title=_clean(document.title),
        authors=authors,
        published=document.date or None,
        site_name=_site_name(document.sitename, document.title, url),
        language=facts.language,
        canonical_url=_absolute(facts.canonical_url or document.url, url) or url,
        description=_clean(document.description),
        blocks=blocks,
        extractor=options.describe(),
    )


def _date_params(options: ExtractOptions) -> dict[str, Any]:
    return set_date_params(options.extensive_date_search)


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
    return _PageFacts(language=_language(lang), canonical_url=canonical)


def _language(value: str | None) -> str | None:
    """"es-VE" -> "es"; "en_US" -> "en". A primary language subtag only."""
    if not value:
        return None
    primary = re.split(r"[-_,;\s]", value.strip(), maxsplit=1)[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _absolute(candidate: str | None, base: str) -> str | None:
    if not candidate:
        return None
    return urljoin(base, candidate)
