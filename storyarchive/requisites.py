"""Page requisites: what a page needs to render (stylesheets, images, scripts, fonts, icons).

Pure functions over text, no fetching:

    page_requisites(html, base_url)   -> absolute URLs an HTML page references
    tree_requisites(root, base_url)   -> the same from an already parsed lxml.html tree
                                         (a Scrapy response's `response.selector.root`)
    tree_links(root, base_url)        -> the same and the page's rel=canonical href, from
                                         one pass over the tree
    css_requisites(css, base_url)     -> absolute URLs a stylesheet references (@import,
                                         url(): fonts, background images)

URLs come back absolute, without fragment, deduplicated in document order; data:, blob:,
javascript: and other non-http(s) references are skipped. At most `limit` URLs are returned
(a page with thousands of images must not turn one article into thousands of requests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urlsplit

import lxml.etree
import lxml.html

from storyarchive.urls import join_url

DEFAULT_LIMIT = 100

# <link rel=...> values whose href is needed to render the page.
_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed",
              "mask-icon", "preload", "modulepreload"}
# For rel=preload: only what affects rendering (not documents or fetch() data).
_PRELOAD_AS = {"style", "image", "font", "script", ""}
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _absolute(ref: str | None, base_url: str) -> str | None:
    if not ref:
        return None
    ref = ref.strip()
    if not ref or ref.startswith("#"):
        return None
    url = join_url(base_url, ref)  # None: malformed ("http://[oops"): nothing to fetch
    if url is None:
        return None
    url = urldefrag(url)[0]
    return url if url.startswith(("http://", "https://")) else None


# What makes urljoin + urldefrag do more than glue a reference to its base: a fragment,
# ;params, "." and ".." segments, a "?" with an empty query, control characters (tabs and
# newlines are removed), brackets (IPv6 hosts, validated).
_NOT_PLAIN = re.compile(r"[\x00-\x1f#;\[\]]|/\.|\?\Z")


class _Resolver:
    """`_absolute(ref, base)` for the references of one page (or stylesheet): the same
    URLs, computed without urllib for the common shapes, and once per distinct reference.

    A reference that is a plain path ("/static/site.css"), scheme-relative
    ("//cdn.example/a.js") or an absolute http(s) URL with a host, without any of
    `_NOT_PLAIN`, is what urljoin would return glued to the base's scheme and host, or
    itself (tests/replay/test_requisites.py checks it against urljoin on generated
    references); anything else goes through urljoin."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.resolved: dict[str, str | None] = {}
        try:
            scheme, netloc = urlsplit(base)[:2]
        except ValueError:  # a malformed base: _absolute finds no reference resolvable
            scheme = netloc = ""
            self.base_ok = False
        else:
            self.base_ok = True
        self.scheme = scheme if scheme in ("http", "https") and netloc else ""
        self.origin = f"{scheme}://{netloc}" if self.scheme else ""

    def __call__(self, ref: str | None) -> str | None:
        if not ref:
            return None
        ref = ref.strip()
        if not ref or ref[0] == "#":
            return None
        if self.base_ok and _NOT_PLAIN.search(ref) is None:
            if ref[0] == "/":
                if ref[1:2] != "/":  # a path: the base's origin + the path
                    if self.origin:
                        return self.origin + ref
                elif self.scheme and ref[2:3] not in ("", "/", "?") and ref.isascii():
                    return f"{self.scheme}:{ref}"  # scheme-relative, with a host
            elif ref.startswith(("http://", "https://")) and ref.isascii():
                if ref.partition("//")[2][:1] not in ("", "/", "?"):  # with a host
                    return ref
        url = self.resolved.get(ref, "")
        if url == "":
            url = self.resolved[ref] = _absolute(ref, self.base)
        return url


def _unique(urls: Iterable[str | None], limit: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for url in urls:
        if url and url not in seen:
            seen.add(url)
            out.append(url)
            if len(out) >= limit:
                break
    return out


def _css_refs(css: str) -> Iterator[str]:
    if "(" not in css and "@" not in css:  # neither url( nor @import: nothing (comments only remove)
        return
    css = _CSS_COMMENT.sub("", css)
    for m in _CSS_IMPORT.finditer(css):
        yield m.group(1) or m.group(2)
    for m in _CSS_URL.finditer(css):
        yield m.group(1) or m.group(2) or m.group(3)


def css_requisites(css: str, base_url: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Absolute URLs referenced by a stylesheet (@import and url(): fonts, images).

    `base_url` is the stylesheet's own URL (or the page's, for inline styles)."""
    resolve = _Resolver(base_url)
    return _unique(map(resolve, _css_refs(css)), limit)


# One XPath pass, in C, over the whole page: the elements that can reference a requisite,
# the <base> and <link> elements (the canonical link is one), and the value of every style
# attribute, in document order (an element's attributes come right after it, before its
# children: the value of <img style=...> follows the img's own references).
_CANDIDATES = lxml.etree.XPath(
    "//link | //img | //source | //script | //video | //input | //style | //base | //@style",
    smart_strings=False,
)


@dataclass(frozen=True)
class PageLinks:
    """What one walk over a page finds: its requisites (as `tree_requisites`) and the href
    of its first <link rel="canonical" href=...> as written (None: none)."""

    requisites: list[str]
    canonical_href: str | None


def tree_links(tree: lxml.etree._Element, base_url: str, limit: int = DEFAULT_LIMIT) -> PageLinks:
    """The requisites of a parsed page and its canonical link, in one pass over the tree."""
    nodes = _CANDIDATES(tree)
    base_href = canonical = None
    for node in nodes:
        if isinstance(node, str):
            continue
        tag = node.tag
        if tag == "base" and base_href is None:
            base_href = node.get("href")
        elif tag == "link" and canonical is None and node.get("rel") == "canonical":
            canonical = node.get("href")
    base = _base(base_url, base_href)
    return PageLinks(_unique(_node_refs(nodes, _Resolver(base)), limit), canonical)


def _base(page_url: str, base_href: str | None) -> str:
    """The page's base URL: its <base href> resolved, or its own URL where there is none or
    it is malformed (browsers ignore an invalid base URL)."""
    return (join_url(page_url, base_href) if base_href else None) or page_url


def _node_refs(nodes: list[Any], resolve: _Resolver) -> Iterator[str | None]:
    for node in nodes:
        if isinstance(node, str):  # a style attribute
            for ref in _css_refs(node):
                yield resolve(ref)
            continue
        tag = node.tag
        if tag == "link":
            rels = set((node.get("rel") or "").lower().split())
            if not _LINK_RELS.isdisjoint(rels) and not (
                "preload" in rels and (node.get("as") or "").lower() not in _PRELOAD_AS
            ):
                yield resolve(node.get("href"))
        elif tag == "img" or tag == "source":
            yield resolve(node.get("src"))
            srcset = node.get("srcset")
            if srcset:
                for candidate in srcset.split(","):
                    parts = candidate.split()
                    if parts:
                        yield resolve(parts[0])
        elif tag == "script":
            yield resolve(node.get("src"))
        elif tag == "video":
            yield resolve(node.get("poster"))
        elif tag == "input":
            if (node.get("type") or "").lower() == "image":
                yield resolve(node.get("src"))
        elif tag == "style":
            for ref in _css_refs(node.text_content()):
                yield resolve(ref)


def tree_requisites(tree: lxml.etree._Element, base_url: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """`page_requisites` of a page already parsed into an lxml.html tree (for instance the
    root of a Scrapy response's selector), so the page is not parsed twice."""
    return tree_links(tree, base_url, limit).requisites


def page_requisites(html: str, base_url: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Absolute URLs of what the HTML page at `base_url` needs to render: stylesheets,
    icons, preloads, images (src and srcset), scripts, video posters, and url()/@import in
    <style> elements and style attributes. Honors <base href>. Unparseable HTML gives []."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):  # empty or unparseable: nothing to fetch
        return []
    return tree_requisites(tree, base_url, limit)
