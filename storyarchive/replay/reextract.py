"""Re-extraction: the current extraction and dedup over a story's stored WARCs, written as
new versions of its JSON documents. Nothing is fetched.

    report = reextract_story(store, slug, ReextractOptions(extract=..., dedup=...))

Which pages: every document's latest version names the WARC record it came from (its
`warc` field); that record is read back (ranged read; a revisit resolves to the original
payload) and extracted again. Fields that are not extraction (url as requested,
discovered_via, crawl_id, fetched_at, spider, relevance, replay_url) are kept from that
version. Pages in the WARCs with no document yet (a crawl killed before its end wrote
none) get one when they are HTML 200 responses that declare themselves articles
(og:type article or a schema.org *Article), extract to at least one block, and were not
recorded as skipped or rejected by a finished crawl's manifest; their fields come from the
WARC (target URI, WARC-Date, status) and the warcinfo's crawl id.

Each page extracted again is journaled at once (a scratch journal in the state directory:
memory does not grow with the story), then the finish stage (storyarchive.finish, the same
one every crawl ends with) deduplicates them like `storyarchive dedup --rebuild` — the
story as one run in doc-id batches, against its index cleared first and refilled, so the
result depends only on the pages — and writes each document that differs from its latest
version. With unchanged extractor and dedup settings nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from storyarchive import layout
from storyarchive.contenttype import declared_charset, is_html_type
from storyarchive.dedup.config import DedupConfig
from storyarchive.document import encode_document, iter_latest_documents, page_record
from storyarchive.extract import ExtractOptions, NotHtmlError, extract_body
from storyarchive.finish import (
    DEFAULT_BATCH_DOCUMENTS,
    FinishOptions,
    FinishReport,
    PageJournal,
    write_pages,
)
from storyarchive.items import ArticleItem, Relevance, WarcRef
from storyarchive.redis_connection import RedisParams
from storyarchive.replay.indexes import index_keys, local_index_files, merged_lines
from storyarchive.replay.records import (
    IndexEntry,
    RecordNotFoundError,
    StoredPayloads,
    StoredResponse,
    warcinfo_fields,
)
from storyarchive.replay.urls import DEFAULT_REPLAY_BASE_URL, replay_url
from storyarchive.store import spool
from storyarchive.store.base import ArchiveStore
from storyarchive.timestamps import Timestamp

logger = logging.getLogger(__name__)

_OG_ARTICLE = re.compile(rb"""<meta[^>]+property=["']og:type["'][^>]+content=["']article["']""", re.I)
_CANONICAL = re.compile(rb"""<link[^>]+rel=["']canonical["'][^>]*href=["']([^"']+)["']""", re.I)
_LD_ARTICLE = re.compile(rb""""@type"\s*:\s*"(News|Blog|Report|Scholarly)?Article""", re.I)


@dataclass(frozen=True)
class ReextractOptions:
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    dedup: DedupConfig | None = field(default_factory=DedupConfig)  # None: dedup off
    redis_url: str | None = None  # the shared dedup index, else the embedded one
    redis_params: RedisParams | None = None  # its connection options (None: the defaults)
    replay_base: str = DEFAULT_REPLAY_BASE_URL
    batch_documents: int = DEFAULT_BATCH_DOCUMENTS  # STORYARCHIVE_FINISH_BATCH_DOCUMENTS
    write: bool = True  # False: dry run, report what would change
    # The story definition (storyarchive.story.StoryDefinition): pages that have no document
    # yet are scored against its terms and window, and the off-topic ones are left out.
    story: Any = None


def options_for_story(settings: Any, store: ArchiveStore, slug: str, *, story: Any = None,
                      write: bool = True) -> ReextractOptions:
    """The ReextractOptions a crawl of `slug` used: extraction and dedup from the settings,
    plus the wire agencies recorded in the story's crawl manifests (and the story file's, if
    given), so unchanged settings reproduce the crawl's documents exactly."""
    from storyarchive.dedup.config import config_from_settings
    from storyarchive.extract import options_from_settings
    from storyarchive.manifests import recorded_wire_sites

    dedup = None
    if settings.getbool("STORYARCHIVE_DEDUP_ENABLED"):
        wire = recorded_wire_sites(store, slug) + (tuple(story.wire_sites) if story is not None else ())
        dedup = config_from_settings(settings, extra_wire_sites=wire)
    return ReextractOptions(
        extract=options_from_settings(settings), dedup=dedup,
        redis_url=settings.get("STORYARCHIVE_DEDUP_REDIS_URL") or None,
        redis_params=RedisParams.from_settings(settings),
        replay_base=settings.get("STORYARCHIVE_REPLAY_BASE_URL"),
        batch_documents=settings.getint("STORYARCHIVE_FINISH_BATCH_DOCUMENTS"),
        write=write, story=story,
    )


@dataclass
class ReextractReport:
    records: int = 0  # response/revisit records in the story's indexes
    pages: int = 0  # pages extracted again
    written: list[str] = field(default_factory=list)  # keys of new document versions
    unchanged: int = 0
    new_documents: list[str] = field(default_factory=list)  # doc ids built from the WARCs only
    failed: list[dict[str, str]] = field(default_factory=list)  # url, reason
    seconds: float = 0.0
    dry_run: bool = False

    def format(self) -> str:
        lines = [
            f"{self.records} archived records, {self.pages} pages extracted again "
            f"in {self.seconds:.1f} s",
            f"{len(self.written)} {'would change' if self.dry_run else 'new document versions'}, "
            f"{self.unchanged} unchanged, "
            f"{len(self.new_documents)} documents new from the WARCs",
        ]
        lines += [f"  {k}" for k in self.written]
        lines += [f"  failed: {f['url']}: {f['reason']}" for f in self.failed]
        return "\n".join(lines)


def story_entries(store: ArchiveStore, slug: str) -> list[IndexEntry]:
    """Every response/revisit record of the story, from its CDXJ indexes (copied locally
    for a remote store), in index order."""
    cache = spool.state_dir(store) / "replay" / slug / "cdxj"
    out = []
    for line in merged_lines(local_index_files(store, slug, cache)):
        _key, ts, rest = line.rstrip("\n").split(" ", 2)
        out.append(IndexEntry.from_fields(ts, json.loads(rest)))
    return out


def _extract(item: ArticleItem, body: bytes, options: ExtractOptions) -> str | None:
    """Fill item.extraction; the reason when there is nothing to store."""
    try:
        item.extraction = extract_body(body, item.encoding, item.final_url, options,
                                       item.content_type or "text/html")
    except NotHtmlError as exc:
        return exc.reason
    except Exception as exc:  # noqa: BLE001 - one page's failure, never the run's
        return f"extraction-error: {type(exc).__name__}: {exc}"
    return None if item.extraction.blocks else "no-main-text"


def item_from_document(doc: dict[str, Any], stored: StoredResponse) -> ArticleItem:
    """The item a crawl made for this document, with the stored body (and the publication
    time its feed or sitemap announced, when the document took its date from there)."""
    rel = doc.get("relevance")
    meta = doc.get("metadata") or {}
    listed_via = meta.get("published_source") if meta.get("published_source") in ("feed", "sitemap") else None
    return ArticleItem(
        story=doc["story"], url=doc["url"], final_url=doc["final_url"],
        canonical_url=doc["canonical_url"], fetched_at=doc["fetched_at"], status=doc["status"],
        content_type=doc.get("content_type") or "", encoding=declared_charset(doc.get("content_type") or ""),
        spider=doc.get("spider") or "story", discovered_via=doc.get("discovered_via"),
        discovered_date=Timestamp(meta["published"], meta.get("published_offset")) if listed_via else None,
        discovered_date_via=listed_via,
        relevance=Relevance(**rel) if rel else None,
        warc=WarcRef(**doc["warc"]) if doc.get("warc") else None,
    )


def item_from_record(slug: str, stored: StoredResponse) -> ArticleItem:
    """An item for a page that has no document: everything from the WARC record."""
    from storyarchive.urls import canonical_from_page, canonicalize_url

    m = _CANONICAL.search(stored.body[:65536])
    href = m.group(1).decode("utf-8", "replace") if m else None
    canonical = canonical_from_page(stored.url, href) if href else canonicalize_url(stored.url)
    date = dt.datetime.fromisoformat(stored.warc_date.replace("Z", "+00:00"))
    return ArticleItem(
        story=slug, url=stored.url, final_url=stored.url, canonical_url=canonical,
        fetched_at=date.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), status=stored.status,
        content_type=stored.content_type, encoding=declared_charset(stored.content_type),
        spider="reextract", discovered_via="warc",
        warc=WarcRef(stored.filename, stored.offset, stored.length, stored.record_id,
                     stored.record_type, stored.warc_date),
    )


def _manifest_skips(store: ArchiveStore, slug: str) -> tuple[set[tuple[str, int]], set[str]]:
    """(WARC positions, URLs) that finished crawls recorded as not-an-article."""
    positions: set[tuple[str, int]] = set()
    urls: set[str] = set()
    for key in store.list_keys(f"{layout.story_prefix(slug)}crawls/"):
        try:
            manifest = json.loads(store.get_bytes(key))
        except (KeyError, ValueError):
            continue
        for entry in manifest.get("skipped") or []:
            urls.add(entry.get("url", ""))
            w = entry.get("warc") or {}
            if w.get("filename"):
                positions.add((w["filename"], int(w["offset"])))
        for entry in manifest.get("rejected_at_discovery") or []:
            urls.add(entry.get("url", ""))
    return positions, urls


def _looks_like_article(body: bytes) -> bool:
    head = body[:200_000]
    return bool(_OG_ARTICLE.search(head) or _LD_ARTICLE.search(head))


def _relevant(item: ArticleItem, story: Any) -> bool:
    """Score `item` against the story like the relevance pipeline; False if it would drop it."""
    from storyarchive.discovery import parse_date
    from storyarchive.relevance import score_relevance

    ex = item.extraction
    assert ex is not None
    item.relevance = score_relevance(story, ex.title, item.canonical_url, ex.text)
    return item.relevance.relevant and story.in_window(parse_date(ex.published)) is not False


def reextract_story(store: ArchiveStore, slug: str, options: ReextractOptions,
                    log: Callable[[str], None] = logger.info) -> ReextractReport:
    """Re-extract story `slug` from its WARCs and write the documents that changed.
    Raises NoCapturesError-like ValueError if the story has no index; a page whose record
    cannot be read or extracted is reported in `failed` and keeps its stored version."""
    import time

    started = time.monotonic()
    layout.check_slug(slug)
    if not index_keys(store, slug):
        raise ValueError(f"story {slug!r} has no WARC indexes in {store.uri}: nothing to re-extract")
    report = ReextractReport(dry_run=not options.write)
    entries = story_entries(store, slug)
    report.records = len(entries)
    payloads = StoredPayloads(store, slug, entries)
    previous: dict[str, str] = {}  # doc_id -> key of its latest version
    used: set[tuple[str, int]] = set()
    with PageJournal(store, slug, "reextract") as pages:
        for key, doc in iter_latest_documents(store, slug):
            previous[doc["doc_id"]] = key
            w = doc.get("warc")
            if not w:
                report.failed.append({"url": doc["url"], "reason": "document names no WARC record"})
                continue
            used.add((w["filename"], int(w["offset"])))
            try:
                stored = payloads.read(w["filename"], int(w["offset"]), int(w["length"]))
            except RecordNotFoundError as exc:
                report.failed.append({"url": doc["url"], "reason": str(exc)})
                continue
            item = item_from_document(doc, stored)
            reason = _extract(item, stored.body, options.extract)
            report.pages += 1
            if reason:
                report.failed.append({"url": doc["url"], "reason": reason})
                continue
            # fields that are not extraction are kept from the stored version
            pages.add({**page_record(item, crawl_id=doc["crawl_id"]),
                       "discovered_via": list(doc.get("discovered_via") or []),
                       "replay_url": doc.get("replay_url")})

        # pages archived without a document (a crawl that never reached its end)
        skip_positions, skip_urls = _manifest_skips(store, slug)
        newest: dict[str, tuple[str, tuple[tuple[str, str, str], int]]] = {}
        crawl_ids: dict[str, str] = {}
        for e in entries:
            if (e.filename, e.offset) in used or (e.filename, e.offset) in skip_positions:
                continue
            if e.url in skip_urls or e.status != "200" or not (e.is_revisit or is_html_type(e.mime)):
                continue
            try:
                stored = payloads.read_entry(e)
            except RecordNotFoundError as exc:
                report.failed.append({"url": e.url, "reason": str(exc)})
                continue
            if not is_html_type(stored.content_type):
                continue
            if not _looks_like_article(stored.body):
                continue
            item = item_from_record(slug, stored)
            doc_id = layout.doc_id(item.canonical_url)
            if doc_id in previous or (doc_id in newest and newest[doc_id][0] >= item.fetched_at):
                continue
            if _extract(item, stored.body, options.extract):
                continue
            report.pages += 1
            if options.story is not None and not _relevant(item, options.story):
                continue
            if e.filename not in crawl_ids:
                crawl_ids[e.filename] = warcinfo_fields(store, slug, e.filename).get(
                    "storyarchive-crawl-id", "") or f"warc:{e.filename}"
            url_of_replay = replay_url(slug, item.fetched_at, item.final_url, options.replay_base)
            page = {**page_record(item, crawl_id=crawl_ids[e.filename]), "replay_url": url_of_replay}
            newest[doc_id] = (item.fetched_at, pages.add(page, keep=False))
        for doc_id in sorted(newest):
            pages.pages.append(newest[doc_id][1])
            report.new_documents.append(doc_id)

        # the finish stage: dedup of the whole story as one run (its index cleared and refilled),
        # then every document that differs from its latest version is written
        finish = FinishOptions(dedup=options.dedup, redis_url=options.redis_url,
                               redis_params=options.redis_params, replay_base=options.replay_base,
                               batch_documents=options.batch_documents)
        sink = FinishReport(slug, "reextract")

        def seen(doc: dict[str, Any], key: str | None, written: bool) -> None:
            if not options.write:
                old = previous.get(doc["doc_id"])
                if old is not None and encode_document(doc) == store.get_bytes(old):
                    report.unchanged += 1
                else:
                    report.written.append(f"(dry run) {doc['doc_id']} {doc['final_url']}")
            elif written:
                report.written.append(str(key))
                log(f"new version {key}")
            else:
                report.unchanged += 1

        write_pages(store, slug, pages.path, pages.sorted_pages(), finish, None, report=sink,
                    fresh_index=True, compare=True, dry_run=not options.write, on_document=seen)
    report.seconds = time.monotonic() - started
    return report


def report_dict(report: ReextractReport) -> dict[str, Any]:
    return asdict(report)
