"""What each outlet answers for a path: the routing and rendering of the demo news web,
independent of sockets (server.py puts it on the wire).

`DemoSite.respond(slug, raw_path, accept_gzip)` returns a `Response` whose bytes depend only
on the port map, the content and the revisions set with `touch`/`set_revision` — never on
the clock — so an unchanged page is byte-identical on every fetch.
"""

from __future__ import annotations

import dataclasses
import gzip
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from demoweb import assets, catalog, feeds, pages
from demoweb.article import Article, BodyPart
from demoweb.catalog import CatalogEntry
from demoweb.content_coverage import COVERAGE_ARTICLES, STATEMENT_PDF_LINES
from demoweb.content_wire import WIRE_ARTICLES
from demoweb.generated import GeneratedSite
from demoweb.lab import SPECIAL_PATHS
from demoweb.outlets import OutletSpec
from demoweb.realistic import RealisticPages

ARTICLES: dict[str, Article] = {a.id: a for a in (*WIRE_ARTICLES, *COVERAGE_ARTICLES)}

HTML = "text/html; charset=utf-8"
_COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/atom+xml",
                 "application/javascript")
_IMAGE_SIZE = (320, 180)
_GENERATED_IMAGES = 8  # generated articles share this many lead images


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _response(status: int, ctype: str, body: str | bytes,
              extra: tuple[tuple[str, str], ...] = ()) -> Response:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Response(status, (("Content-Type", ctype), *extra), data)


class DemoSite:
    """The content side of the demo web. `url(slug, path)` gives absolute URLs from the live
    port map (a callable, so the site can be built before ports are bound).

    With `realistic_pages`, the generated outlet's article pages are realistic-size
    (150-200 KB, `demoweb.realistic`); its other pages and every other outlet are unchanged.
    """

    def __init__(self, specs: tuple[OutletSpec, ...], url: Callable[[str, str], str],
                 generated: GeneratedSite | None = None, gzip_pages: bool = False,
                 realistic_pages: bool = False) -> None:
        self.specs = {s.slug: s for s in specs}
        self.url = url
        self.generated = generated
        self.gzip_pages = gzip_pages
        self.realistic: RealisticPages | None = None
        if realistic_pages:
            spec = next((s for s in specs if s.kind == "generated"), None)
            if generated is None or spec is None:
                raise ValueError("realistic pages are pages of the generated outlet: give generated articles")
            self.realistic = RealisticPages(generated, spec)
        self._revisions: dict[str, int] = {}
        self._global_revision = 0
        self._edited: dict[str, tuple[BodyPart, ...]] = {}  # article id -> edited body
        self._cache: dict[tuple[str, str, bool], Response] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ revisions

    def touch(self, article_id: str) -> int:
        """Change article `article_id`'s page (one more update note); returns its revision."""
        if article_id not in ARTICLES:
            raise KeyError(f"no demo article {article_id!r}; known: {', '.join(sorted(ARTICLES))}")
        with self._lock:
            self._revisions[article_id] = self._revisions.get(article_id, 0) + 1
            self._cache.clear()
            return self.revision_of(article_id)

    def set_revision(self, revision: int) -> None:
        """Set a revision applied to every hand-written article page (0 = as first published)."""
        with self._lock:
            self._global_revision = revision
            self._cache.clear()

    def revision_of(self, article_id: str) -> int:
        return self._global_revision + self._revisions.get(article_id, 0)

    def edit(self, article_id: str, old: str, new: str) -> None:
        """Replace the sentence `old` by `new` in article `article_id`'s body: a stealth
        edit (nothing else on the page changes). KeyError if the body has no `old`."""
        if article_id not in ARTICLES:
            raise KeyError(f"no demo article {article_id!r}; known: {', '.join(sorted(ARTICLES))}")
        with self._lock:
            body = self._body(article_id)
            if not any(isinstance(p, str) and old in p for p in body):
                raise KeyError(f"demo article {article_id!r} has no paragraph containing {old!r}")
            self._edited[article_id] = tuple(p.replace(old, new) if isinstance(p, str) else p for p in body)
            self._cache.clear()

    def _body(self, article_id: str) -> tuple[BodyPart, ...]:
        return self._edited.get(article_id, ARTICLES[article_id].body)

    # ------------------------------------------------------------------ responses

    def respond(self, slug: str, raw_path: str, accept_gzip: bool = False) -> Response:
        """The response of outlet `slug` to a GET of `raw_path` (path + query as requested)."""
        split = urlsplit(raw_path)
        # Tracking parameters do not change an article page; the search feed's query does.
        key_path = raw_path if self.specs[slug].kind == "search" else split.path
        key = (slug, key_path, accept_gzip and self.gzip_pages)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        resp = self._route(self.specs[slug], split.path, split.query)
        resp = Response(resp.status, (*resp.headers, ("Cache-Control", "public, max-age=300")), resp.body)
        if key[2] and resp.status == 200 and resp.headers[0][1].startswith(_COMPRESSIBLE):
            encoded = (("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"))
            resp = Response(resp.status, (*resp.headers, *encoded),
                            gzip.compress(resp.body, compresslevel=6, mtime=0))
        if self._cacheable(slug, split.path):
            with self._lock:
                if len(self._cache) > 20000:
                    self._cache.clear()
                self._cache[key] = resp
        return resp

    def _cacheable(self, slug: str, path: str) -> bool:
        """Whether a response is kept in the render cache: all but realistic article pages,
        which are built from precomputed chunks in well under a millisecond and would hold
        170 KB each (1.7 GB for a 10,000-page benchmark site)."""
        if self.realistic is None or self.specs[slug].kind != "generated":
            return True
        assert self.generated is not None
        return self.generated.index_of_path(path) is None

    def _route(self, spec: OutletSpec, path: str, query: str) -> Response:
        common = self._common(spec, path)
        if common is not None:
            return common
        if spec.kind == "news":
            return self._news(spec, path)
        if spec.kind == "search":
            return self._search(spec, path, query)
        if spec.kind == "generated":
            return self._generated(spec, path)
        if spec.kind == "lab" and path == "/":
            return _response(200, HTML, pages.plain_page(spec, spec.name, [
                f"{name}: {target}" for name, target in SPECIAL_PATHS.items()]))
        return self._not_found(spec, path)

    def _common(self, spec: OutletSpec, path: str) -> Response | None:
        if path == "/robots.txt":
            sitemaps = [self.url(spec.slug, spec.sitemap_path)] if spec.sitemap_path else []
            return _response(200, "text/plain; charset=utf-8", feeds.robots_txt(sitemaps))
        if path == "/static/site.css":
            return _response(200, "text/css; charset=utf-8", assets.stylesheet(spec.accent))
        if path == "/static/site.js":
            return _response(200, "application/javascript; charset=utf-8", assets.SCRIPT)
        if path == assets.FONT_PATH:
            return _response(200, "font/ttf", assets.web_font())
        if path == "/favicon.ico":
            return _response(200, "image/x-icon", assets.favicon())
        if path.startswith("/static/img/") and path.endswith(".png"):
            name = path[len("/static/img/"):-4]
            if name in ARTICLES or name.startswith("gen-") and name[4:].isdigit():
                return _response(200, "image/png", assets.png(*_IMAGE_SIZE, sum(map(ord, name))))
        if path == "/about/" and spec.kind != "lab":
            heading = "About us" if spec.language == "en" else "Quiénes somos"
            return _response(200, HTML, pages.plain_page(spec, heading, [
                f"{spec.name}: {spec.tagline}.", spec.footer_note or spec.tagline]))
        if path == "/privacy/" and spec.kind != "lab":
            text = spec.cookie_text or "We keep no data."
            return _response(200, HTML, pages.plain_page(spec, "Privacy", [text]))
        if path.startswith("/admin/"):
            return _response(200, HTML, pages.plain_page(spec, "Staff login", [
                "This area is reserved for staff. Sign in with your newsroom account."],
                robots="noindex, nofollow"))
        return None

    def _not_found(self, spec: OutletSpec, path: str) -> Response:
        return _response(404, HTML, pages.not_found_page(spec, path))

    # ------------------------------------------------------------------ news outlets

    def _abs(self, e: CatalogEntry) -> str:
        return self.url(e.outlet, e.path)

    def _title(self, e: CatalogEntry) -> str:
        if e.link_text:
            return e.link_text
        return ARTICLES[e.canonical].title if e.canonical else e.id

    def _item(self, e: CatalogEntry, spec: OutletSpec) -> feeds.FeedItem:
        article = ARTICLES.get(e.canonical or "")
        return feeds.FeedItem(
            title=self._title(e), url=self._abs(e), published=e.published or "",
            description=article.description if article else "",
            author=", ".join(article.authors) if article else "",
            language=e.language, source_name=spec.name, source_url=self.url(spec.slug, "/"))

    def listed(self, outlet: str, where: str) -> list[CatalogEntry]:
        """The outlet's entries linked from `where` (home | feed | sitemap), newest first."""
        entries = [e for e in catalog.entries_of(outlet) if where in e.listed_in]
        return sorted(entries, key=lambda e: e.published or "", reverse=True)

    def _news(self, spec: OutletSpec, path: str) -> Response:
        slug = spec.slug
        if path == "/":
            return self._listing(spec, spec.name, home=True)
        for label, section in spec.nav:
            if path == section:
                return self._listing(spec, label, home=False)
        if path == spec.feed_path:
            items = [self._item(e, spec) for e in self.listed(slug, "feed")]
            if spec.feed_format == "atom":
                return _response(200, "application/atom+xml; charset=utf-8",
                                 feeds.atom(spec.name, self.url(slug, "/"), self.url(slug, path), items))
            return _response(200, "application/rss+xml; charset=utf-8", feeds.rss(
                spec.name, self.url(slug, "/"), spec.tagline, spec.language, items, self.url(slug, path)))
        sitemap = self._news_sitemap(spec, path)
        if sitemap is not None:
            return sitemap
        for e in catalog.entries_of(slug):
            if urlsplit(e.path).path != path or e.kind == "variant":
                continue
            if e.kind == "article":
                return _response(200, HTML, pages.article_page(spec, self._view(e)))
            if e.kind == "amp":
                view = self._view(catalog.entry(e.canonical or ""))
                return _response(200, HTML, pages.amp_page(spec, view))
            if e.kind == "redirect":
                target = self._abs(catalog.entry(e.canonical or ""))
                page = pages.plain_page(spec, "Moved Permanently", [f"This story has moved to {target}"])
                return _response(301, HTML, page, (("Location", target),))
            if e.kind == "pdf":
                return _response(200, "application/pdf", assets.pdf(STATEMENT_PDF_LINES))
        # Variant paths differ from their article only by the query: serve the article.
        for e in catalog.entries_of(slug):
            if e.kind == "variant" and urlsplit(e.path).path == path:
                view = self._view(catalog.entry(e.canonical or ""))
                return _response(200, HTML, pages.article_page(spec, view))
        return self._not_found(spec, path)

    def _news_sitemap(self, spec: OutletSpec, path: str) -> Response | None:
        xml = "application/xml; charset=utf-8"
        slug = spec.slug
        if spec.sitemap_index:
            # Children by year-month of publication, newest first.
            by_month: dict[str, list[CatalogEntry]] = {}
            for e in self.listed(slug, "sitemap"):  # newest first
                by_month.setdefault((e.published or "")[:7], []).append(e)
            if path == spec.sitemap_path:
                children = [(self.url(slug, f"/sitemaps/news-{month}.xml"), entries[0].published or "")
                            for month, entries in by_month.items()]
                return _response(200, xml, feeds.sitemap_index(children))
            for month, entries in by_month.items():
                if path == f"/sitemaps/news-{month}.xml":
                    items = [self._item(e, spec) for e in entries]
                    return _response(200, xml, feeds.news_sitemap(spec.name, items))
            return None
        if path == spec.sitemap_path:
            items = [self._item(e, spec) for e in self.listed(slug, "sitemap")]
            return _response(200, xml, feeds.news_sitemap(spec.name, items))
        return None

    def _listing(self, spec: OutletSpec, heading: str, *, home: bool) -> Response:
        links = []
        for e in self.listed(spec.slug, "home"):
            article = ARTICLES.get(e.canonical or "")
            note = pages.human_date(e.published or "", spec.language)
            if article and not e.link_text:
                note = f"{note} — {article.description}"
            links.append(pages.Link(e.path, self._title(e), note))
        return _response(200, HTML, pages.listing_page(spec, heading, links, home=home))

    def _view(self, e: CatalogEntry) -> pages.ArticleView:
        article = ARTICLES[e.id]
        if e.id in self._edited:
            article = dataclasses.replace(article, body=self._edited[e.id])
        related = [pages.Link(o.path, ARTICLES[o.id].title)
                   for o in catalog.entries_of(e.outlet) if o.kind == "article" and o.id != e.id][:3]
        if e.wire_cluster and e.id != "m-wire":
            original = catalog.entry("m-wire")
            related.append(pages.Link(self._abs(original), f"Meridian Wire: {ARTICLES['m-wire'].title}"))
        amp = next((a for a in catalog.CATALOG if a.kind == "amp" and a.canonical == e.id), None)
        documents = [pages.Link(d.path, d.link_text or d.id) for d in catalog.entries_of(e.outlet)
                     if d.kind == "pdf"] if e.id == "m-wire" else []
        return pages.ArticleView(
            article=article, language=e.language, published=e.published or "", canonical_url=self._abs(e),
            image_path=f"/static/img/{e.id}.png", related=related,
            amp_url=self._abs(amp) if amp else None, revision=self.revision_of(e.id), documents=documents)

    # ------------------------------------------------------------------ search outlet

    def search_items(self, query: str) -> list[feeds.FeedItem]:
        """What the news-search feed lists for `query`, newest first: entries marked "search"
        whose title, description or keywords contain every query word (prefix match)."""
        items = []
        for e in catalog.CATALOG:
            if "search" not in e.listed_in:
                continue
            article = ARTICLES.get(e.canonical or "")
            haystack = " ".join([self._title(e), *(article.keywords if article else ()),
                                 article.description if article else ""])
            if feeds.query_matches(query, haystack):
                spec = self.specs[e.outlet]
                item = self._item(e, spec)
                items.append(feeds.FeedItem(
                    title=f"{item.title} - {spec.name}", url=item.url, published=item.published,
                    description=item.description, language=item.language, source_name=spec.name,
                    source_url=self.url(spec.slug, "/")))
        return sorted(items, key=lambda i: i.published, reverse=True)

    def _search(self, spec: OutletSpec, path: str, query: str) -> Response:
        if path == "/":
            return _response(200, HTML, pages.plain_page(spec, spec.name, [
                "Search news coverage from outlets around the world.",
                "Feeds: /rss/search?q=your+words returns an RSS feed of matching stories."]))
        if path == "/rss/search":
            q = parse_qs(query).get("q", [""])[0]
            items = self.search_items(q)
            return _response(200, "application/rss+xml; charset=utf-8", feeds.rss(
                f'"{q}" - {spec.name}', self.url(spec.slug, "/"), f"News search results for {q}", "en",
                items, self.url(spec.slug, f"{path}?{query}")))
        return self._not_found(spec, path)

    # ------------------------------------------------------------------ generated outlet

    def _gen_item(self, spec: OutletSpec, index: int) -> feeds.FeedItem:
        assert self.generated is not None
        m = self.generated.meta(index)
        return feeds.FeedItem(title=m.title, url=self.url(spec.slug, m.path), published=m.published,
                              description=m.description, author=m.author)

    def _latest(self, count: int) -> list[int]:
        assert self.generated is not None
        site = self.generated
        return sorted(range(site.count), key=lambda i: site.meta(i).published, reverse=True)[:count]

    def _generated(self, spec: OutletSpec, path: str) -> Response:
        site = self.generated
        assert site is not None
        slug = spec.slug
        xml = "application/xml; charset=utf-8"
        if path == "/" or any(path == section for _, section in spec.nav):
            links = [pages.Link(site.meta(i).path, site.meta(i).title,
                                pages.human_date(site.meta(i).published, "en")) for i in self._latest(50)]
            return _response(200, HTML, pages.listing_page(spec, spec.name, links, home=True))
        if path == spec.feed_path:
            items = [self._gen_item(spec, i) for i in self._latest(50)]
            return _response(200, "application/rss+xml; charset=utf-8", feeds.rss(
                spec.name, self.url(slug, "/"), spec.tagline, "en", items, self.url(slug, path)))
        children = site.children()
        if path == spec.sitemap_path:
            listing = [(self.url(slug, f"/sitemaps/news-{k + 1}.xml"),
                        max(site.meta(i).published for i in rng)) for k, rng in enumerate(children)]
            return _response(200, xml, feeds.sitemap_index(listing))
        for k, rng in enumerate(children):
            if path == f"/sitemaps/news-{k + 1}.xml":
                items = [self._gen_item(spec, i) for i in rng]
                return _response(200, xml, feeds.news_sitemap(spec.name, items))
        index = site.index_of_path(path)
        if index is None:
            return self._not_found(spec, path)
        article = site.article(index)
        meta = site.meta(index)
        related = [pages.Link(site.meta(j).path, site.meta(j).title)
                   for j in ((index + 1) % site.count, (index + 7) % site.count) if j != index]
        view = pages.ArticleView(article=article, language="en", published=meta.published,
                                 canonical_url=self.url(slug, meta.path),
                                 image_path=f"/static/img/gen-{index % _GENERATED_IMAGES}.png",
                                 related=related)
        page = pages.article_page(spec, view)
        if self.realistic is not None:
            return _response(200, HTML, self.realistic.page(index, page, article, view.canonical_url))
        return _response(200, HTML, page)
