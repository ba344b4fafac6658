"""Page requisites: what a page needs to render (stylesheets, images, scripts, fonts, icons).

Pure functions over text, no fetching:

    page_requisites(html, base_url)   -> absolute URLs an HTML page references
    tree_requisites(root, base_url)   -> the same from an already parsed lxml.html tree
                                         (a Scrapy response's `response.selector.root`)
    css_requisites(css, base_url)     -> absolute URLs a stylesheet references (@import,
                                         url(): fonts, background images)

URLs come back absolute, without fragment, deduplicated in document order; data:, blob:,
javascript: and other non-http(s) references are skipped. At most `limit` URLs are returned
(a page with thousands of images must not turn one article into thousands of requests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urldefrag, urljoin

import lxml.html

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
    url = urldefrag(urljoin(base_url, ref))[0]
    return url if url.startswith(("http://", "https://")) else None


def _srcset(value: str | None) -> Iterator[str]:
    """The URLs of a srcset attribute ('a.png 1x, b.png 2x')."""
    for candidate in (value or "").split(","):
        parts = candidate.strip().split()
        if parts:
            yield parts[0]


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
    css = _CSS_COMMENT.sub("", css)
    for m in _CSS_IMPORT.finditer(css):
        yield m.group(1) or m.group(2)
    for m in _CSS_URL.finditer(css):
        yield m.group(1) or m.group(2) or m.group(3)


def css_requisites(css: str, base_url: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Absolute URLs referenced by a stylesheet (@import and url(): fonts, images).

    `base_url` is the stylesheet's own URL (or the page's, for inline styles)."""
    return _unique((_absolute(r, base_url) for r in _css_refs(css)), limit)


# The elements that can reference a requisite, in one XPath union (document order, each
# element once): walking only these in C is several times faster than iterating the tree.
_CANDIDATES = lxml.etree.XPath(
    "//link | //img | //source | //script | //video | //input | //style | //*[@style]"
)


def _tree_refs(tree: lxml.etree._Element, base_url: str) -> Iterator[str | None]:
    base_href = tree.xpath("string(//base/@href)")
    base = urljoin(base_url, base_href) if base_href else base_url
    for el in _CANDIDATES(tree):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "link":
            rels = set((el.get("rel") or "").lower().split())
            if rels & _LINK_RELS and not (
                "preload" in rels and (el.get("as") or "").lower() not in _PRELOAD_AS
            ):
                yield _absolute(el.get("href"), base)
        elif tag in ("img", "source"):
            yield _absolute(el.get("src"), base)
            for ref in _srcset(el.get("srcset")):
                yield _absolute(ref, base)
        elif tag == "script":
            yield _absolute(el.get("src"), base)
        elif tag == "video":
            yield _absolute(el.get("poster"), base)
        elif tag == "input" and (el.get("type") or "").lower() == "image":
            yield _absolute(el.get("src"), base)
        elif tag == "style":
            for ref in _css_refs(el.text_content()):
                yield _absolute(ref, base)
        style = el.get("style") if tag else None
        if style:
            for ref in _css_refs(style):
                yield _absolute(ref, base)


def tree_requisites(tree: lxml.etree._Element, base_url: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """`page_requisites` of a page already parsed into an lxml.html tree (for instance the
    root of a Scrapy response's selector), so the page is not parsed twice."""
    return _unique(_tree_refs(tree, base_url), limit)


def page_requisites(html: str, base_url: str, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Absolute URLs of what the HTML page at `base_url` needs to render: stylesheets,
    icons, preloads, images (src and srcset), scripts, video posters, and url()/@import in
    <style> elements and style attributes. Honors <base href>. Unparseable HTML gives []."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):  # empty or unparseable: nothing to fetch
        return []
    return tree_requisites(tree, base_url, limit)
