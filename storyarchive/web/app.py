"""The web view's ASGI application (Starlette): server-rendered pages that work without
JavaScript, and a JSON API behind each of them (README "Web view").

    /                                         every story
    /stories/<slug>                           timeline, outlets, syndication, articles, rejected, crawls
    /stories/<slug>/articles/<doc_id>         blocks with their dedup relation, versions and diffs
    /stories/<slug>/articles/<doc_id>/versions/<version>/warc   the WARC record of a version
    /stories/<slug>/export.<jsonl|csv|parquet>                  the story's export (storyarchive.export)
    /search?q=…&story=…                       full-text search (storyarchive.searchindex)
    /captures/<id>                            an on-demand capture's status
    /api/…                                    the same as JSON; POST /api/captures queues a capture

Everything is read from the store through ArchiveStore; the only paths served are the
package's static files. Writes (captures) need the token the application was given
(STORYARCHIVE_WEB_TOKEN); without one it is read-only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import json
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from storyarchive import layout
from storyarchive.replay.urls import replay_url
from storyarchive.store.base import ArchiveStore, StoreError
from storyarchive.storyview import reason_kind, rebased_replay_url
from storyarchive.web.captures import CaptureQueue, CaptureRequestError, check_request
from storyarchive.web.summary import SORTS, StorySummary, SummaryCache, story_slugs
from storyarchive.web.timeline import build_timeline, render_svg
from storyarchive.web.versions import diff_stats, read_versions, word_diff

HERE = Path(__file__).parent
PAGE_SIZE = 100  # articles per page of the story page
REJECTED_LIMIT = 100  # pages not kept listed on the story page (the API lists all)
CLUSTER_LIMIT = 10  # syndicated stories shown on the story page, most copies first (the API lists all)
MEMBER_LIMIT = 12  # copies listed under each of them
MAX_QUERY = 500  # characters of a search query
MAX_BODY = 64 * 1024  # bytes of a capture request
_DOC_ID = re.compile(r"^[0-9a-f]{20}$")
_VERSION = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{12}$")
RELATION_LABELS = {
    "unique": "unique", "repeat-in-page": "repeated in the page", "site-boilerplate": "site boilerplate",
    "site-copy": "copy of this article at another URL of the site",
    "wire-exact": "wire copy (exact)", "wire-near": "wire copy (edited)",
}

logger = logging.getLogger(__name__)


@dataclass
class WebConfig:
    store: ArchiveStore
    store_uri: str
    replay_base: str
    token: str | None = None  # None: read-only
    stories_dir: Path | None = None  # story files, for titles and the next scheduled crawl
    set_values: list[str] = field(default_factory=list)  # --set passed on to captures
    refresh: float = 2.0  # seconds between checks of a story's manifests
    search_index: Callable[[ArchiveStore], Any] | None = None  # tests: another SearchIndex
    warm: bool = True  # build every story's summary at start, not at its first request


class WebState:
    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.store = config.store
        self.summaries = SummaryCache(config.store, config.replay_base, config.refresh,
                                      on_change=self.reindex)
        self.captures: CaptureQueue | None = None
        self._lock = threading.Lock()
        self._search: Any = None
        self._slugs: tuple[float, list[str]] | None = None
        self._story_files: dict[Path, tuple[float, Any]] = {}  # path -> (mtime, StoryDefinition | None)

    def slugs(self) -> list[str]:
        now = time.monotonic()
        if self._slugs is None or now - self._slugs[0] >= self.config.refresh:
            self._slugs = (now, story_slugs(self.store))
        return self._slugs[1]

    def warm(self) -> None:
        """Build every story's summary now, so the first reader does not wait for it (a
        request meanwhile waits for the one build). Failures are left to the requests."""
        try:
            for slug in self.slugs():
                try:
                    self.summaries.get(slug)
                except (KeyError, StoreError, ValueError, OSError):
                    continue
        except StoreError:
            return

    def capture_queue(self) -> CaptureQueue:
        """The one queue of captures (started with the first capture request)."""
        with self._lock:
            if self.captures is None:
                self.captures = CaptureQueue(self.config.store_uri, self.store, self.config.set_values,
                                             on_done=self.forget)
            return self.captures

    def forget(self, slug: str) -> None:
        self.summaries.refresh_now(slug)
        self._slugs = None

    def reindex(self, slug: str) -> None:
        """Bring the story's search index up to date after its manifests changed. A crawl's
        finish does this where it runs, but the index of an S3 store is a cache on each
        machine: crawls by workers elsewhere reach this one's index only so. Only changed
        documents are read; a failure is logged and searching goes on with what is indexed."""
        try:
            index = self.search()
            update = getattr(index, "update_story", None)
            if update is not None:
                update(slug)
        except Exception as exc:  # noqa: BLE001 - derived data; the pages do not depend on it
            logger.warning("search index of %s not updated (`storyarchive index --story %s` "
                           "updates it): %s", slug, slug, exc)

    def search(self) -> Any:
        """The search index (storyarchive.searchindex), opened once; HTTPException 503 if
        the module is not there."""
        if self._search is None:
            factory = self.config.search_index
            if factory is None:
                try:
                    from storyarchive.searchindex import SearchIndex
                except ImportError as exc:
                    raise HTTPException(503, f"full-text search is not available: {exc}") from None
                factory = SearchIndex.for_store
            self._search = factory(self.store)
        return self._search

    def story_files(self) -> dict[str, Any]:
        """slug -> StoryDefinition of every readable story file in the stories directory."""
        from storyarchive.story import StoryFileError, load_story

        out: dict[str, Any] = {}
        folder = self.config.stories_dir
        if folder is None or not folder.is_dir():
            return out
        for path in sorted(folder.glob("*.toml")):  # each file read again only when it changes
            try:
                mtime = path.stat().st_mtime
                cached = self._story_files.get(path)
                if cached is None or cached[0] != mtime:
                    try:
                        cached = (mtime, load_story(path))
                    except StoryFileError:
                        cached = (mtime, None)
                    self._story_files[path] = cached
            except OSError:
                continue
            if cached[1] is not None:
                out.setdefault(cached[1].slug, cached[1])
        return out


# ---------------------------------------------------------------------- helpers

def _state(request: Request) -> WebState:
    return request.app.state.web  # type: ignore[no-any-return]


def _slug(request: Request) -> str:
    slug = request.path_params["slug"]
    try:
        return layout.check_slug(slug)
    except ValueError:
        raise HTTPException(404, f"no story {slug!r}: a story slug is a-z, 0-9 and '-'") from None


def _doc_id(request: Request) -> str:
    doc_id = request.path_params["doc_id"]
    if not _DOC_ID.match(doc_id):
        raise HTTPException(404, "no such article: a document id is 20 hex digits")
    return str(doc_id)


def _summary(state: WebState, slug: str) -> StorySummary:
    try:
        return state.summaries.get(slug)
    except KeyError:
        raise HTTPException(404, f"the archive holds nothing for story {slug!r}") from None


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """An article row as the API gives it (no datetime objects)."""
    return {k: v for k, v in row.items() if k != "published_at"}


def _int_param(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise HTTPException(400, f"{name} must be a whole number, got {raw[:40]!r}")
    return min(max(int(raw), lo), hi)


def _authorized(request: Request, form_token: str | None = None) -> None:
    """HTTPException 403 when the application has no token (read-only), 401 when the
    request does not carry it (Authorization: Bearer, or the form's token field)."""
    token = _state(request).config.token
    if not token:
        raise HTTPException(403, "this web view is read-only: start it with STORYARCHIVE_WEB_TOKEN "
                                 "set to allow captures")
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header[:7].lower() == "bearer " else form_token
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        raise HTTPException(401, "a valid token is needed (Authorization: Bearer <STORYARCHIVE_WEB_TOKEN>)",
                            headers={"WWW-Authenticate": "Bearer"})


def _fmt_time(value: str | None) -> str:
    """'2025-12-31T14:15:00Z' -> '2025-12-31 14:15 UTC'; a date stays a date."""
    if not value:
        return ""
    if len(value) <= 10:
        return value
    return value[:16].replace("T", " ") + (" UTC" if value.endswith("Z") else "")


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=jinja2.select_autoescape(("html",)))
    env.filters["when"] = _fmt_time
    env.filters["thousands"] = lambda n: f"{int(n or 0):,}"
    env.filters["pct"] = lambda x: "" if x is None else f"{100 * float(x):.0f}%"
    env.globals["relation_label"] = lambda r: RELATION_LABELS.get(r, r)
    env.globals["reason_kind"] = reason_kind
    return Jinja2Templates(env=env)


TEMPLATES = _templates()


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    state = _state(request)
    context = {"read_only": not state.config.token, "store_uri": state.config.store_uri,
               "replay_base": state.config.replay_base, **context}
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


# ---------------------------------------------------------------------- stories

def stories_data(state: WebState) -> list[dict[str, Any]]:
    from storyarchive.schedule import last_finished, schedule_of

    files = state.story_files()
    now = dt.datetime.now(dt.UTC)
    out = []
    for slug in sorted(set(state.slugs()) | set(files)):
        try:
            overview = state.summaries.get(slug).overview()
        except KeyError:
            overview = {"slug": slug, "articles": 0, "outlets": 0, "crawls": 0, "last_crawl": None,
                        "errors": 0}
        story = files.get(slug)
        overview["title"] = story.title if story else None
        overview["next_crawl"] = None
        if story is not None and story.schedule.recrawl is not None:
            due = schedule_of(story, last_finished(state.store, slug), now)
            overview["next_crawl"] = due.next_due.strftime("%Y-%m-%dT%H:%M:%SZ")
            overview["due_now"] = due.is_due(now)
        out.append(overview)
    return out


def index_page(request: Request) -> Response:
    return _page(request, "index.html", {"stories": stories_data(_state(request))})


def api_stories(request: Request) -> Response:
    return JSONResponse({"stories": stories_data(_state(request))})


def story_data(request: Request) -> dict[str, Any]:
    state = _state(request)
    slug = _slug(request)
    s = _summary(state, slug)
    sort = request.query_params.get("sort", "published")
    if sort not in SORTS:
        raise HTTPException(400, f"sort must be one of {', '.join(SORTS)}")
    order = request.query_params.get("order", "asc")
    if order not in ("asc", "desc"):
        raise HTTPException(400, "order must be asc or desc")
    pages = max(1, -(-len(s.articles) // PAGE_SIZE))
    page = _int_param(request, "page", 1, 1, pages)
    rows = s.orders[sort] if order == "asc" else s.orders[sort][::-1]
    shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    timeline = s.memo("timeline", lambda: build_timeline(s.articles, s.clusters))
    story = state.story_files().get(slug)
    return {
        "slug": slug, "title": story.title if story else None,
        "totals": {"articles": len(s.articles), "outlets": len(s.outlets), "crawls": len(s.crawls),
                   "clusters": len(s.clusters), "rejected": len(s.rejected), "blocks": s.blocks,
                   "warc": s.warc},
        "timeline": timeline, "outlets": s.outlets,
        "clusters": s.memo("clusters", lambda: [{**c, "members": [_public(m) for m in c["members"]]}
                                                for c in s.clusters]),
        "articles": [_public(a) for a in shown],
        "page": {"page": page, "pages": pages, "size": PAGE_SIZE, "sort": sort, "order": order},
        "rejected": s.rejected, "rejected_kinds": s.rejected_kinds,
        "crawls": list(reversed(s.crawls)),
        "exports": _exports(slug),
    }


def _exports(slug: str) -> list[dict[str, str]]:
    try:
        from storyarchive.export import FORMATS
    except ImportError:
        return []
    return [{"format": f, "url": f"/stories/{slug}/export.{f}"} for f in FORMATS]


def story_page(request: Request) -> Response:
    data = story_data(request)
    summary = _summary(_state(request), data["slug"])
    # render_svg escapes every text it writes
    svg = Markup(summary.memo("timeline.svg", lambda: render_svg(data["timeline"])))  # noqa: S704
    slug = data["slug"]

    def link(**changes: Any) -> str:
        params = {**data["page"], **changes}
        return f"/stories/{slug}?" + urlencode({k: params[k] for k in ("sort", "order", "page")})

    return _page(request, "story.html", {**data, "timeline_svg": svg, "link": link,
                                         "REJECTED_LIMIT": REJECTED_LIMIT, "CLUSTER_LIMIT": CLUSTER_LIMIT,
                                         "MEMBER_LIMIT": MEMBER_LIMIT})


def api_story(request: Request) -> Response:
    data = story_data(request)
    data["timeline"] = data["timeline"].to_dict()
    return JSONResponse(data)


# ---------------------------------------------------------------------- articles

def article_data(request: Request) -> dict[str, Any]:
    state = _state(request)
    slug, doc_id = _slug(request), _doc_id(request)
    try:
        versions = read_versions(state.store, slug, doc_id)
    except KeyError:
        raise HTTPException(404, f"story {slug!r} has no article {doc_id}") from None
    try:
        by_doc = state.summaries.get(slug).by_doc
    except KeyError:
        by_doc = {}
    latest = versions[-1][1]
    synd = latest.get("syndication") or {}
    cluster_canonical = {c.get("cluster"): (c.get("canonical") or {}).get("doc_id")
                         for c in synd.get("clusters") or [] if isinstance(c, dict)}
    blocks = []
    for b in latest.get("blocks") or []:
        block = dict(b)
        canonical = cluster_canonical.get(b.get("cluster"))
        if b.get("relation") in ("wire-exact", "wire-near") and canonical:
            block["canonical_doc"] = canonical
            block["canonical_is_self"] = canonical == doc_id
            other = by_doc.get(canonical)
            block["canonical_title"] = other["title"] if other else None
            block["canonical_outlet"] = other["outlet"] if other else None
        blocks.append(block)
    base = state.config.replay_base
    out_versions = []
    previous: dict[str, Any] | None = None
    for version, doc in versions:
        warc = doc.get("warc") or {}
        when = warc.get("date") or doc.get("fetched_at") or ""
        try:
            replay = replay_url(slug, when, doc.get("final_url") or doc["canonical_url"], base)
        except ValueError:
            replay = rebased_replay_url(doc, slug, base)
        entry: dict[str, Any] = {
            "version": version, "crawl_id": doc.get("crawl_id"), "captured": doc.get("fetched_at"),
            "warc_date": warc.get("date"), "words": doc.get("word_count"), "replay_url": replay,
            "warc": ({**warc, "url": f"/stories/{slug}/articles/{doc_id}/versions/{version}/warc"}
                     if warc else None),
            "title": (doc.get("metadata") or {}).get("title"),
        }
        if previous is not None:
            segments = word_diff(previous.get("text") or "", doc.get("text") or "")
            entry["diff"] = {"segments": segments, **diff_stats(segments),
                             "title_changed": entry["title"] != (previous.get("metadata") or {}).get("title")}
        out_versions.append(entry)
        previous = doc
    return {
        "slug": slug, "doc_id": doc_id,
        "document": {k: v for k, v in latest.items() if k not in ("blocks", "text", "text_dedup")},
        "text_dedup": latest.get("text_dedup"),
        "blocks": blocks, "versions": out_versions,
        "replay_url": out_versions[-1]["replay_url"],
        "canonical": synd.get("canonical"), "is_canonical": bool(synd.get("is_canonical")),
        "copies": [_public(m) for c in _clusters_of(state, slug, doc_id) for m in c["members"]],
    }


def _clusters_of(state: WebState, slug: str, doc_id: str) -> list[dict[str, Any]]:
    try:
        return [c for c in state.summaries.get(slug).clusters if c["canonical"] == doc_id]
    except KeyError:
        return []


def article_page(request: Request) -> Response:
    return _page(request, "article.html", article_data(request))


def api_article(request: Request) -> Response:
    return JSONResponse(article_data(request))


def warc_record(request: Request) -> Response:
    """The gzip member of the WARC record a version of a document points to, as stored
    (application/warc): `warcio index`, `warcio extract` and replay tools read it."""
    state = _state(request)
    slug, doc_id = _slug(request), _doc_id(request)
    version = request.path_params["version"]
    if not _VERSION.match(version):
        raise HTTPException(404, "no such version")
    key = next((k for v, k in read_version_keys(state, slug, doc_id) if v == version), None)
    if key is None:
        raise HTTPException(404, f"article {doc_id} has no version {version}")
    warc = json.loads(state.store.get_bytes(key)).get("warc") or {}
    filename = str(warc.get("filename") or "")
    if not filename or "/" in filename or filename.startswith("."):
        raise HTTPException(404, "this version names no WARC record")
    try:
        offset, length = int(warc["offset"]), int(warc["length"])
        data = state.store.get_range(layout.warc_key(slug, filename), offset, length)
    except (KeyError, ValueError, TypeError):
        raise HTTPException(404, f"the WARC record of this version is not in the store: {filename}") from None
    name = f"{filename.removesuffix('.warc.gz')}-{int(warc['offset'])}.warc.gz"
    return Response(data, media_type="application/warc",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-WARC-Record-ID": str(warc.get("record_id") or "")})


def read_version_keys(state: WebState, slug: str, doc_id: str) -> list[tuple[str, str]]:
    from storyarchive.web.versions import list_versions

    return list_versions(state.store, slug, doc_id)


# ---------------------------------------------------------------------- search

def search_data(request: Request) -> dict[str, Any]:
    q = request.query_params.get("q", "")
    if len(q) > MAX_QUERY:
        raise HTTPException(400, f"the query is too long ({len(q)} characters; at most {MAX_QUERY})")
    story = request.query_params.get("story") or None
    if story is not None:
        try:
            layout.check_slug(story)
        except ValueError:
            raise HTTPException(400, "story must be a story slug (a-z, 0-9 and '-')") from None
    size = _int_param(request, "limit", 20, 1, 100)
    page = _int_param(request, "page", 1, 1, 1000)
    data: dict[str, Any] = {"q": q, "story": story, "total": 0, "hits": [], "page": page, "limit": size,
                            "pages": 0}
    if not q.strip():
        return data
    results = _state(request).search().search(q, story=story, limit=size, offset=(page - 1) * size)
    data["total"] = int(results.total)
    data["pages"] = -(-data["total"] // size)
    data["hits"] = [{
        "story": h.story, "doc_id": h.doc_id, "url": h.url, "title": h.title, "outlet": h.outlet,
        "published": h.published, "snippet_html": h.snippet_html, "score": h.score,
        "href": f"/stories/{h.story}/articles/{h.doc_id}"} for h in results.hits]
    return data


def search_page(request: Request) -> Response:
    data = search_data(request)
    for hit in data["hits"]:  # the index escapes the text and adds only <mark>
        hit["snippet"] = Markup(hit["snippet_html"])  # noqa: S704
    state = _state(request)

    def link(page: int) -> str:
        return "/search?" + urlencode({k: v for k, v in {"q": data["q"], "story": data["story"] or "",
                                                         "page": page}.items() if v})

    return _page(request, "search.html", {**data, "stories": state.slugs(), "link": link})


def api_search(request: Request) -> Response:
    return JSONResponse(search_data(request))


# ---------------------------------------------------------------------- exports

def export_download(request: Request) -> Response:
    slug = _slug(request)
    fmt = request.path_params["fmt"]
    try:
        from storyarchive import export
    except ImportError as exc:
        raise HTTPException(503, f"exports are not available: {exc}") from None
    if fmt not in export.FORMATS:
        raise HTTPException(404, f"no export format {fmt!r}; one of {', '.join(export.FORMATS)}")
    all_versions = request.query_params.get("all_versions") in ("1", "true", "yes")
    chunks = export.export_chunks(_state(request).store, slug, fmt, all_versions=all_versions)
    try:  # the export's errors come with its first chunk, before any byte is sent
        first = next(chunks, b"")
    except export.NoDocumentsError:
        raise HTTPException(404, f"the archive holds no article of story {slug!r} to export") from None

    def body() -> Iterator[bytes]:
        yield first
        yield from chunks

    suffix = "-all-versions" if all_versions else ""
    return StreamingResponse(body(), media_type=export.CONTENT_TYPES.get(fmt, "application/octet-stream"),
                             headers={"Content-Disposition": f'attachment; filename="{slug}{suffix}.{fmt}"'})


# ---------------------------------------------------------------------- captures

async def api_capture_create(request: Request) -> Response:
    _authorized(request)
    body = await _body(request)
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        raise HTTPException(400, "the body must be JSON: {\"urls\": [...], \"story\": \"slug\"}") from None
    if not isinstance(payload, dict):
        raise HTTPException(400, "the body must be a JSON object: {\"urls\": [...], \"story\": \"slug\"}")
    try:
        urls, story = check_request(payload.get("urls"), payload.get("story"))
    except CaptureRequestError as exc:
        raise HTTPException(400, str(exc)) from None
    job = _state(request).capture_queue().submit(urls, story)
    return JSONResponse(job.to_dict(), status_code=202, headers={"Location": f"/api/captures/{job.id}"})


async def capture_form(request: Request) -> Response:
    slug = _slug(request)
    form = dict(parse_qsl((await _body(request)).decode("utf-8", "replace"), keep_blank_values=True))
    _authorized(request, form.get("token"))
    urls = [line.strip() for line in form.get("urls", "").splitlines() if line.strip()]
    try:
        urls, story = check_request(urls, slug)
    except CaptureRequestError as exc:
        raise HTTPException(400, str(exc)) from None
    job = _state(request).capture_queue().submit(urls, story)
    return RedirectResponse(f"/captures/{job.id}", status_code=303)


async def _body(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"the request is larger than {MAX_BODY} bytes")
    return body


def _job(request: Request) -> Any:
    job_id = request.path_params["job_id"]
    queue = _state(request).captures
    job = queue.get(job_id) if queue is not None and re.fullmatch(r"[0-9a-f]{32}", job_id) else None
    if job is None:
        raise HTTPException(404, "no such capture (captures are remembered while the web view runs)")
    return job


def api_capture(request: Request) -> Response:
    return JSONResponse(_job(request).to_dict())


def capture_page(request: Request) -> Response:
    return _page(request, "capture.html", {"job": _job(request).to_dict()})


# ---------------------------------------------------------------------- errors, headers

def _error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        status, detail, headers = exc.status_code, str(exc.detail), exc.headers
    elif isinstance(exc, StoreError):
        status, detail, headers = 503, f"the store cannot be read now: {exc}", None
    else:
        raise exc
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": detail, "status": status}, status_code=status, headers=headers)
    response = _page(request, "error.html", {"status": status, "detail": detail}, status=status)
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


class SecurityHeaders:
    """Headers on every response: no script runs but ours (there is none), nothing is
    framed or sniffed, no referrer leaves with a link to a replayed page."""

    HEADERS = [
        (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    ]

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *self.HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(config: WebConfig) -> Starlette:
    """The web view over `config.store` (see the module docstring for its URLs)."""
    routes = [
        Route("/", index_page),
        Route("/stories/{slug}", story_page),
        Route("/stories/{slug}/articles/{doc_id}", article_page),
        Route("/stories/{slug}/articles/{doc_id}/versions/{version}/warc", warc_record),
        Route("/stories/{slug}/export.{fmt}", export_download),
        Route("/stories/{slug}/captures", capture_form, methods=["POST"]),
        Route("/captures/{job_id}", capture_page),
        Route("/search", search_page),
        Route("/api/stories", api_stories),
        Route("/api/stories/{slug}", api_story),
        Route("/api/stories/{slug}/articles/{doc_id}", api_article),
        Route("/api/search", api_search),
        Route("/api/captures", api_capture_create, methods=["POST"]),
        Route("/api/captures/{job_id}", api_capture),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    state = WebState(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if config.warm:
            threading.Thread(target=state.warm, name="warm-summaries", daemon=True).start()
        yield
        if state.captures is not None:  # a running capture is stopped (resumable), not orphaned
            await run_in_threadpool(state.captures.stop)

    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan,
                    exception_handlers={HTTPException: _error, StoreError: _error})
    app.state.web = state
    return app
