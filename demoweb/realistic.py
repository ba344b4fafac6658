"""Realistic-size article pages for the generated outlet (memory and speed benchmarks).

A real news article page is 150-200 KB of HTML, most of it not the article: inline scripts,
a Next.js-style `__NEXT_DATA__` state blob (the article again, the site's configuration,
dozens of recommended items), rich JSON-LD, a mega menu of hundreds of section links, ad
slots, related-article lists and a footer directory (`demoweb.site_furniture`).

`RealisticPages(site, spec).page(index, small_page, article, canonical_url)` turns the
outlet's ordinary article page (`pages.article_page`) into such a page by inserting that
furniture at fixed points of the markup and replacing its JSON-LD with a richer one; the
rest of the small page is kept byte for byte, so the article body, its metadata and what
trafilatura extracts stay the same. Each page's size is drawn from a `random.Random` seeded
with (seed, index), between MIN_PAGE_BYTES and MAX_PAGE_BYTES, and reached by adding
recommended items to the state blob: pages are deterministic and vary per article.

What is the same on every page is built once, as bytes; a page is a join of chunks (well
under a millisecond), so the server does not need to cache these pages.
"""

# ruff: noqa: E501 - HTML and JSON templates read better unwrapped

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from html import escape

from demoweb import site_furniture
from demoweb.article import Article
from demoweb.generated import GeneratedMeta, GeneratedSite
from demoweb.outlets import OutletSpec
from demoweb.pages import human_date

MIN_PAGE_BYTES = 156_000  # every realistic page is at least this long (> 150 KiB)
MAX_PAGE_BYTES = 190_000  # page sizes are drawn uniformly in between: ~173 kB on average
POOL_SIZE = 256  # recommended items are drawn from the first POOL_SIZE articles
RELATED_COUNT = 12  # teasers in the visible "More on this story" list
MOST_READ_COUNT = 10

# Where the furniture goes in the small page, in document order: (anchor, insert before it).
# The JSON-LD <script> of the small page is replaced, not kept.
_LD_START = b'<script type="application/ld+json">'
_HEAD_END = b"</head>\n"
_HEADER_END = b"</header>\n"
_MAIN_START = b"<main>\n"
_MAIN_END = b"</main>\n"
_FOOTER_END = b"</footer>\n"
_BODY_END = b"</body>\n"


class RealisticPageError(RuntimeError):
    """The small article page no longer has the markup the furniture is inserted at."""


def _json(value: object) -> bytes:
    """Compact JSON that is safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").encode("utf-8")


def _e(text: str) -> str:
    return escape(text, quote=True)


class RealisticPages:
    """Builds realistic-size article pages of one generated outlet (see module docstring)."""

    def __init__(self, site: GeneratedSite, spec: OutletSpec) -> None:
        self.site = site
        self.spec = spec
        name = spec.name
        self._head = site_furniture.head_scripts(name).encode("utf-8")
        self._menu = site_furniture.mega_menu().encode("utf-8")
        self._footer = site_furniture.footer_directory().encode("utf-8")
        self._bundle = site_furniture.bundle_scripts().encode("utf-8")
        self._config = _json(site_furniture.runtime_config(name))
        pool = [site.meta(i) for i in range(min(POOL_SIZE, site.count))]
        self._teasers = [self._teaser(m).encode("utf-8") for m in pool]
        self._items = [_json(self._item(m)) for m in pool]
        self._headlines = [f'<li><a href="{_e(m.path)}" data-track="most-read|gen-{m.index:05d}">{_e(m.title)}</a></li>\n'
                           .encode() for m in pool]
        self._ids = [m.index for m in pool]

    # ------------------------------------------------------------------ per page

    def page(self, index: int, small_page: str, article: Article, canonical_url: str) -> bytes:
        """The realistic page of generated article `index`, built around `small_page` (its
        ordinary page, with `article` and `canonical_url` as printed there). Raises
        RealisticPageError when `small_page` lacks one of the insertion points."""
        rng = random.Random(f"realistic-page:{self.site.seed}:{index}")
        target = rng.randint(MIN_PAGE_BYTES, MAX_PAGE_BYTES)
        meta = self.site.meta(index)
        pool = len(self._items)
        related = self._picks(index, rng.randrange(pool), RELATED_COUNT)
        most_read = self._picks(index, rng.randrange(pool), MOST_READ_COUNT)
        head, ld_rest = self._split(small_page.encode("utf-8"), _LD_START)
        _old_ld, after_ld = self._split(ld_rest, b"</script>\n")
        parts = [head, self._json_ld(meta, article, canonical_url)]
        rest = after_ld
        for anchor, furniture in (
            (_HEAD_END, [self._head, self._page_scripts(meta, article, rng)]),
            (_HEADER_END, [b'<button type="button" class="menu-toggle" data-menu-toggle aria-controls="site-menu" '
                           b'aria-expanded="false">All sections</button>\n', self._menu]),
            (_MAIN_START, [self._ad("leaderboard", meta)]),
            (_MAIN_END, [self._related(related), self._most_read(most_read), self._ad("rail", meta)]),
            (_FOOTER_END, [self._footer]),
        ):
            before, rest = self._split(rest, anchor)
            parts += [before, *furniture, anchor]
        before_body_end, tail = self._split(rest, _BODY_END)
        parts.append(before_body_end)
        parts.append(self._ad("footer", meta))
        blob_head, blob_tail = self._blob_ends(meta, article, canonical_url, most_read)
        fixed = sum(map(len, parts)) + len(blob_head) + len(blob_tail) + len(self._bundle) + len(_BODY_END) + len(tail)
        parts += [blob_head, *self._recommended(rng.randrange(pool), target - fixed), blob_tail,
                  self._bundle, _BODY_END, tail]
        return b"".join(parts)

    @staticmethod
    def _split(page: bytes, anchor: bytes) -> tuple[bytes, bytes]:
        before, found, after = page.partition(anchor)
        if not found:
            raise RealisticPageError(f"the article page has no {anchor.decode()!r}: demoweb.pages changed, "
                                     "update demoweb.realistic's insertion points")
        return before, after

    def _picks(self, index: int, start: int, count: int) -> list[int]:
        """`count` pool positions from `start` on (wrapping), skipping article `index` itself."""
        others = [p for p, i in enumerate(self._ids) if i != index]
        return [others[(start + k) % len(others)] for k in range(min(count, len(others)))]

    def _recommended(self, start: int, budget: int) -> Iterable[bytes]:
        """Pool items from `start` on, comma-separated, until they fill `budget` bytes."""
        size = 0
        pos = start
        out: list[bytes] = []
        while size < budget:
            item = self._items[pos % len(self._items)]
            out.append(item if not out else b"," + item)
            size += len(out[-1])
            pos += 1
        return out

    def _json_ld(self, meta: GeneratedMeta, article: Article, canonical_url: str) -> bytes:
        base = canonical_url.split("/stories/", 1)[0]
        image = [{"@type": "ImageObject", "url": f"{base}/img/{article.id}-{w}x{h}.jpg", "width": w, "height": h}
                 for w, h in ((1200, 675), (1200, 900), (1200, 1200))]
        author = [{"@type": "Person", "name": name, "url": f"{base}/by/{site_furniture.slug(name)}/"}
                  for name in article.authors]
        body = "\n\n".join(article.paragraphs())
        news = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
            "description": article.description, "datePublished": meta.published, "dateModified": meta.published,
            "author": author, "image": image, "articleSection": article.section,
            "keywords": list(article.keywords), "wordCount": len(body.split()), "inLanguage": "en",
            "isAccessibleForFree": False,
            "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".article-body"},
            "publisher": {"@type": "NewsMediaOrganization", "name": self.spec.name, "url": f"{base}/",
                          "logo": {"@type": "ImageObject", "url": f"{base}/static/img/logo-600x60.png",
                                   "width": 600, "height": 60}},
            "mainEntityOfPage": {"@type": "WebPage", "@id": canonical_url},
            "articleBody": body,
        }
        crumbs = {
            "@context": "https://schema.org", "@type": "BreadcrumbList",
            "itemListElement": [{"@type": "ListItem", "position": k + 1, "name": name, "item": f"{base}{path}"}
                                for k, (name, path) in enumerate((("Home", "/"), ("Americas", "/americas/")))],
        }
        return (_LD_START + _json(news) + b"</script>\n"
                + _LD_START + _json(crumbs) + b"</script>\n")

    def _page_scripts(self, meta: GeneratedMeta, article: Article, rng: random.Random) -> bytes:
        words = sum(len(p.split()) for p in article.paragraphs())
        data_layer = {
            "event": "page_meta", "page_type": "article", "content_id": article.id, "section": article.section,
            "subsection": "venezuela", "author": list(article.authors), "published": meta.published,
            "word_count": words, "reading_time": max(1, round(words / 230)), "tags": list(article.keywords),
            "paywall": rng.choice(("metered", "free", "registration")), "ab_tests": {
                f"exp_{k}": rng.choice(("control", "a", "b")) for k in range(rng.randint(4, 9))},
        }
        targeting = {
            "section": "americas", "article": article.id, "kw": [k.lower() for k in article.keywords],
            "pos_map": {"leaderboard": "top", "rail": "right", "footer": "bottom"},
            "brand_safety": rng.choice(("low", "medium")), "page_len": words // 100,
        }
        return (b"<script>\nwindow.dataLayer=window.dataLayer||[];window.dataLayer.push(" + _json(data_layer)
                + b");\nwindow.__TG_ADS__={\"targeting\":" + _json(targeting)
                + b",\"lazyLoad\":{\"fetchMarginPercent\":200,\"renderMarginPercent\":100,\"mobileScaling\":2}};\n</script>\n")

    def _ad(self, position: str, meta: GeneratedMeta) -> bytes:
        sizes = {"leaderboard": "728x90,970x250", "rail": "300x250,300x600", "footer": "300x250,728x90"}[position]
        slot = f"ad-{position}-{meta.index:05d}"
        return site_furniture.ad_slot(slot, position, sizes, f"/21815542/tidewater/americas/{position}").encode()

    def _related(self, picks: list[int]) -> bytes:
        return (b'<aside class="related-coverage" aria-label="More on this story"><h3>More on this story</h3><ol>\n'
                + b"".join(self._teasers[p] for p in picks) + b"</ol></aside>\n")

    def _most_read(self, picks: list[int]) -> bytes:
        items = b"".join(self._headlines[p] for p in picks)
        return b'<aside class="most-read-rail" aria-label="Most read"><h3>Most read</h3><ol>\n' + items + b"</ol></aside>\n"

    def _teaser(self, m: GeneratedMeta) -> str:
        image = f"/static/img/gen-{m.index % 8}.png"
        return (f'<li class="teaser-card" data-id="gen-{m.index:05d}"><a href="{_e(m.path)}" data-track="related|gen-{m.index:05d}">'
                f'<img src="{image}" width="320" height="180" loading="lazy" alt="">'
                f'<span class="teaser-card__headline">{_e(m.title)}</span></a>'
                f'<span class="teaser-card__standfirst">{_e(m.description)}</span>'
                f'<time datetime="{m.published}">{human_date(m.published, "en")}</time>'
                f'<span class="teaser-card__byline">{_e(m.author)}</span></li>\n')

    def _item(self, m: GeneratedMeta) -> dict[str, object]:
        return {
            "id": f"gen-{m.index:05d}", "type": "article", "headline": m.title, "standfirst": m.description,
            "url": m.path, "section": {"id": "americas", "label": "Americas", "href": "/americas/"},
            "byline": {"authors": [{"name": m.author, "href": f"/by/{site_furniture.slug(m.author)}/"}]},
            "published": m.published, "updated": m.published,
            "image": {"src": f"/static/img/gen-{m.index % 8}.png", "width": 320, "height": 180, "alt": "",
                      "srcset": [f"/img/gen-{m.index:05d}-{w}.jpg {w}w" for w in (320, 640, 960)]},
            "labels": ["Venezuela", "Dock strike"], "readingTime": 3 + m.index % 5,
            "tracking": {"module": "recommended", "algo": "coview-v3", "slot": m.index % 24},
        }

    def _blob_ends(self, meta: GeneratedMeta, article: Article, canonical_url: str,
                   most_read: list[int]) -> tuple[bytes, bytes]:
        """The state blob's bytes before and after its list of recommended items."""
        data = {
            "id": article.id, "headline": article.title, "standfirst": article.description,
            "byline": article.byline,
            "authors": [{"name": n, "href": f"/by/{site_furniture.slug(n)}/", "role": "Staff writer"}
                        for n in article.authors],
            "published": meta.published, "updated": meta.published, "section": article.section,
            "tags": list(article.keywords), "canonicalUrl": canonical_url,
            "image": {"src": f"/static/img/gen-{meta.index % 8}.png", "caption": article.caption, "width": 640, "height": 360},
            "body": [{"type": "paragraph", "text": p} for p in article.paragraphs()],
            "boilerplate": self.spec.boilerplate,
            "comments": {"enabled": True, "threadId": f"tg-{meta.index:05d}"},
        }
        path = meta.path.strip("/").split("/")
        head = (b'<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"article":' + _json(data)
                + b',"mostRead":' + _json([f"gen-{self._ids[p]:05d}" for p in most_read]) + b',"recommended":[')
        tail = (b']},"__N_SSP":true},"page":"/stories/[...slug]","query":{"slug":' + _json(path)
                + b'},"buildId":"tg-2025.12.4-7f3c2a1","runtimeConfig":' + self._config
                + b',"isFallback":false,"gssp":true,"scriptLoader":[]}</script>\n')
        return head, tail
