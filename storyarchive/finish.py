"""The finish stage: dedup -> documents -> manifest, from durable page results.

Everything that ends a crawl goes through here: the crawl's own end, `storyarchive finish`
and `resume` after a kill or a failure, `reextract` and `dedup --rebuild` (which journal
the pages they rebuild, then finish them). So documents are made in one place.

    report = finish_crawl(store, slug, crawl_id, FinishOptions(...))

Memory is bounded by a batch, not by the crawl: pass 1 reads the journal and keeps, per
page, its sort key and file offset (plus the small discovery facts); pages are then taken
in batches of `batch_documents` in doc-id order, each batch deduplicated as one run against
the story's index (which then holds the batch, so later batches see it) and its documents
written before the next batch is read. Batches follow doc-id order, never arrival order,
so the same pages give the same documents however the crawl ran (killed, resumed).

A finish that is run again (killed, or failed on Redis or a full disk) first takes back
what its earlier attempt appended to the dedup index (the index position before the
first batch is in the finish log), redoes dedup, and writes only the documents the finish
log does not list yet; a document written just before a kill but not yet logged is found
identical in the store and not written twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyarchive import defaults, layout
from storyarchive.dedup.config import DedupConfig
from storyarchive.dedup.summary import DedupSummary
from storyarchive.document import document_from_page, page_blocks, write_document
from storyarchive.journal import (
    FINISH_LOG,
    JOURNAL,
    CrawlJournal,
    JournalError,
    crawl_dir,
    fetch_complete,
    read_event_at,
    read_events,
)
from storyarchive.replay.urls import DEFAULT_REPLAY_BASE_URL, replay_url
from storyarchive.store import spool
from storyarchive.store.base import ArchiveStore

logger = logging.getLogger(__name__)

# Pages deduplicated and written together (STORYARCHIVE_FINISH_BATCH_DOCUMENTS): the finish
# stage's memory. Measured on realistic pages (bench/memory.py, 10,000 pages): batches of
# 500 keep the stage below the fetch phase's own peak (343 MB for the process tree); 1,000
# took it to 469 MB, 5,000 to 883 MB.
DEFAULT_BATCH_DOCUMENTS = defaults.STORYARCHIVE_FINISH_BATCH_DOCUMENTS

# Called with (documents written so far, documents to write) as the stage goes.
Progress = Callable[[int, int], None]


class FinishError(Exception):
    """The finish stage could not complete; the message says what failed. The page results
    stay in the journal and `storyarchive finish <slug>` completes the work."""


@dataclass(frozen=True)
class FinishOptions:
    dedup: DedupConfig | None = field(default_factory=DedupConfig)  # None: dedup off
    redis_url: str | None = None  # the shared dedup index, else the embedded one
    redis_params: Any = None  # storyarchive.redis_connection.RedisParams (None: defaults)
    replay_base: str = DEFAULT_REPLAY_BASE_URL
    batch_documents: int = DEFAULT_BATCH_DOCUMENTS  # pages deduplicated and written together
    writers: int = 8  # documents written concurrently (S3 round trips overlap)
    keep_journal: bool = False  # keep a finished crawl's state directory (debugging)


def options_from_settings(settings: Any, wire_sites: tuple[str, ...] = ()) -> FinishOptions:
    """FinishOptions from the crawl settings (STORYARCHIVE_DEDUP_*, _FINISH_*, replay base),
    with the story's wire agencies added to the dedup configuration."""
    from storyarchive.dedup.config import config_from_settings
    from storyarchive.redis_connection import RedisParams

    dedup = None
    if settings.getbool("STORYARCHIVE_DEDUP_ENABLED"):
        dedup = config_from_settings(settings, extra_wire_sites=wire_sites)
    batch = settings.getint("STORYARCHIVE_FINISH_BATCH_DOCUMENTS")
    if batch < 1:
        raise ValueError(f"STORYARCHIVE_FINISH_BATCH_DOCUMENTS must be >= 1, got {batch}")
    return FinishOptions(
        dedup=dedup,
        redis_url=settings.get("STORYARCHIVE_DEDUP_REDIS_URL") or None,
        redis_params=RedisParams.from_settings(settings),
        replay_base=settings.get("STORYARCHIVE_REPLAY_BASE_URL"),
        batch_documents=batch,
        keep_journal=settings.getbool("STORYARCHIVE_JOURNAL_KEEP"),
    )


# ---------------------------------------------------------------------- the journal, read
@dataclass
class JournalContents:
    """What the finish stage needs from a journal, without the pages' text (pages are
    read back by offset, a batch at a time)."""

    pages: list[tuple[tuple[str, str, str], int]] = field(default_factory=list)  # sort key, offset
    skipped: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    found: dict[str, set[str]] = field(default_factory=dict)  # URL -> sources that listed it
    aliases: dict[str, set[str]] = field(default_factory=dict)  # canonical -> URLs naming it
    runs: list[dict[str, Any]] = field(default_factory=list)  # each process: started, ended
    wire_sites: set[str] = field(default_factory=set)
    stats: dict[str, Any] = field(default_factory=dict)  # counters summed over the runs
    spider: str | None = None
    done: bool = False

    @property
    def fetch_done(self) -> bool:
        return any(fetch_complete(r.get("ended")) for r in self.runs)

    @property
    def status(self) -> str:
        """How the crawl ended: finished (in one run) or resumed (after an interruption)."""
        # the workers of a distributed crawl run side by side: that is not a resume
        alone = [r for r in self.runs if not r.get("worker")]
        return "finished" if len(alone) <= 1 else "resumed"


def _warc_pos(warc: dict[str, Any] | None) -> tuple[str, int] | None:
    return (warc["filename"], int(warc["offset"])) if warc else None


def read_journal(path: Path) -> JournalContents:
    """Pass 1 over a journal. A page journaled twice (a resumed crawl that handled it again)
    counts once: the first time its WARC record was journaled."""
    out = JournalContents()
    pages_seen: set[Any] = set()
    skips_seen: set[Any] = set()
    rejects_seen: set[Any] = set()
    ident: Any
    for offset, e in read_events(path):
        kind = e.get("t")
        if kind == "page":
            page = e["page"]
            ident = _warc_pos(page.get("warc")) or (page["url"], page["fetched_at"])
            if ident in pages_seen:
                continue
            pages_seen.add(ident)
            out.pages.append(((page["doc_id"], page["final_url"], page["url"]), offset))
        elif kind == "skip":
            entry = {k: e.get(k) for k in ("url", "status", "reason", "warc")}
            ident = (entry["url"], entry["reason"], _warc_pos(entry["warc"]))
            if ident not in skips_seen:
                skips_seen.add(ident)
                out.skipped.append(entry)
        elif kind == "reject":
            entry = {k: v for k, v in e.items() if k != "t"}
            ident = (entry.get("url"), entry.get("reason"))
            if ident not in rejects_seen:
                rejects_seen.add(ident)
                out.rejected.append(entry)
        elif kind == "found":
            out.found.setdefault(e["url"], set()).add(e["via"])
        elif kind == "alias":
            out.aliases.setdefault(e["canonical"], set()).add(e["own"])
        elif kind == "run":
            out.runs.append({"started": e.get("started"), "pid": e.get("pid"), "ended": None,
                             **({"worker": e["worker"]} if e.get("worker") else {})})
            out.spider = e.get("spider") or out.spider
            out.wire_sites.update(e.get("wire_sites") or ())
        elif kind == "end":
            if out.runs:
                out.runs[-1].update(ended=e.get("reason"), at=e.get("at"), seconds=e.get("seconds"),
                                    fetched=(e.get("stats") or {}).get("response_received_count", 0))
            for k, v in (e.get("stats") or {}).items():
                if isinstance(v, int | float) and not isinstance(v, bool):
                    out.stats[k] = out.stats.get(k, 0) + v
                else:
                    out.stats[k] = v
        elif kind == "done":
            out.done = True
    out.pages.sort()
    return out


def sources_of(page: dict[str, Any], found: dict[str, set[str]],
               aliases: dict[str, set[str]]) -> list[str]:
    """Every way the page was discovered: the sources that listed its URL, final URL,
    canonical URL or any URL that named it as canonical; else what the page itself says."""
    from storyarchive.urls import canonicalize_url

    if not found:  # no source listed any URL (a capture of given URLs): nothing to look up
        return list(page["discovered_via"])
    urls = {page["url"], page["final_url"], page["canonical_url"]} | aliases.get(page["canonical_url"], set())
    listed: set[str] = set()
    for url in urls | {canonicalize_url(u) for u in urls}:  # sources list canonicalized URLs
        listed |= found.get(url, set())
    return sorted(listed) if listed else list(page["discovered_via"])


def requested_url(page: dict[str, Any], found: dict[str, set[str]]) -> str:
    """The document's `url`: the URL requested for the page, except that when a redirect
    led to a URL that sources list themselves, that URL. Which of two such requests reached
    the page first depends on timing (more so with many workers); the document does not."""
    from storyarchive.urls import canonicalize_url

    final = page["final_url"]
    if page["url"] != final and canonicalize_url(final) in found:
        return str(final)
    return str(page["url"])


# ---------------------------------------------------------------------- the finish log
@dataclass
class FinishLog:
    """finish.jsonl: where the dedup index stood before the first attempt, and each
    document written (keyed by its page's journal offset)."""

    path: Path
    index_base: int | None = None
    written: dict[int, dict[str, Any]] = field(default_factory=dict)
    attempts: int = 0
    failures: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> FinishLog:
        log = cls(path)
        for _offset, e in read_events(path):
            if e.get("t") == "begin":
                log.attempts += 1
                if log.index_base is None:
                    log.index_base = e.get("index_base")
            elif e.get("t") == "doc":
                log.written[int(e["o"])] = e
            elif e.get("t") == "failed":
                log.failures.append(str(e.get("error")))
        return log


def _log_failure(path: Path, message: str) -> None:
    """Note a failed attempt in the finish log (best effort: the disk may be what failed)."""
    try:
        log = CrawlJournal(path)
        try:
            log.append("failed", error=message[:2000], at=_now())
        finally:
            log.close()
    except (JournalError, OSError):
        logger.warning("could not note the failed finish in %s", path)


# ---------------------------------------------------------------------- the stage
@dataclass
class FinishReport:
    """What one finish did: its documents (doc_id, key, canonical_url, written, title,
    outlet), pages not stored, the dedup summary, what waits in the spool, the manifest."""

    slug: str
    crawl_id: str
    documents: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    dedup: dict[str, Any] | None = None
    spooled: list[str] = field(default_factory=list)
    manifest_key: str | None = None
    status: str = "finished"  # finished | resumed | failed | interrupted (see finish_crawl)
    seconds: float = 0.0
    finish_failures: list[str] = field(default_factory=list)  # earlier attempts' errors
    search_index_error: str | None = None  # the search index was not updated: why, what to run


def finish_crawl(store: ArchiveStore, slug: str, crawl_id: str, options: FinishOptions,
                 progress: Progress | None = None) -> FinishReport:
    """Dedup, write every document and the manifest of crawl `crawl_id` from its journal.
    Raises FinishError (what failed) if it cannot complete, JournalError if the crawl has
    no journal. The manifest's status says how the crawl ended: finished (in one run),
    resumed (fetching went on after a stop), failed (an earlier finish failed; this one
    completed it), resumed also when an earlier finish was killed, or interrupted (fetching
    never completed: documents of what was fetched)."""
    started = time.monotonic()
    path = crawl_dir(store, slug, crawl_id)
    journal_path = path / JOURNAL
    if not journal_path.exists():
        raise JournalError(f"crawl {crawl_id} of story {slug!r} has no journal in {path}")
    contents = read_journal(journal_path)
    report = FinishReport(slug, crawl_id, skipped=contents.skipped, rejected=contents.rejected,
                          status=contents.status)
    if contents.wire_sites and options.dedup is not None:
        options = _with_wire_sites(options, tuple(sorted(contents.wire_sites)))
    log = FinishLog.load(path / FINISH_LOG)
    report.finish_failures = log.failures
    if not contents.fetch_done:
        report.status = "interrupted"  # documents of what was fetched before the stop
    elif log.failures:
        report.status = "failed"  # an earlier finish failed; this one completed it
    elif log.attempts:
        report.status = "resumed"  # an earlier finish was killed; this one completed it
    t0 = time.monotonic()
    try:
        summary = write_pages(store, slug, journal_path, contents.pages, options, log,
                              found=contents.found, aliases=contents.aliases, report=report,
                              progress=progress)
        report.dedup = summary.to_dict() if summary is not None else None
        report.seconds = time.monotonic() - t0
        report.manifest_key = _write_manifest(store, slug, crawl_id, contents, options, report)
    except Exception as exc:
        message = str(exc) if isinstance(exc, FinishError) else f"{type(exc).__name__}: {exc}"
        _log_failure(log.path, message)
        raise FinishError(message) from exc
    journal = CrawlJournal(journal_path)
    try:
        journal.append("done", manifest=report.manifest_key, at=_now())
    finally:
        journal.close()
    if not options.keep_journal:
        # every document and the manifest are written: the crawl's working state (journal,
        # finish log, frontier) has served its purpose, and would only pile up
        shutil.rmtree(path, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report


def _with_wire_sites(options: FinishOptions, sites: tuple[str, ...]) -> FinishOptions:
    from dataclasses import replace

    assert options.dedup is not None
    config = options.dedup
    return replace(options, dedup=replace(config, wire_sites=config.wire_sites | frozenset(sites)))


def write_pages(store: ArchiveStore, slug: str, journal_path: Path,
                pages: list[tuple[tuple[str, str, str], int]], options: FinishOptions,
                log: FinishLog | None, *, found: dict[str, set[str]] | None = None,
                aliases: dict[str, set[str]] | None = None, report: FinishReport,
                progress: Progress | None = None, fresh_index: bool = False,
                compare: bool = False, dry_run: bool = False, backend: Any = None,
                on_document: Callable[[dict[str, Any], str | None, bool], None] | None = None,
                ) -> DedupSummary | None:
    """Dedup and write the journaled `pages` (sorted (key, offset) pairs) in batches.

    `log` (a crawl's finish log) makes the stage resumable: documents it lists are not
    written again, and the index is first rolled back to where the first attempt found it.
    `fresh_index`: clear the story's index first (reextract, rebuild: the story as one
    run). `compare`: write a document only if it differs from its latest stored version.
    `dry_run`: compute everything against a throw-away index, write nothing.
    `backend`: this index backend (left open) instead of the story's (reopened, closed);
    with `dry_run`, it is filled but no document is written.
    `on_document(document, key, written)` sees every document made."""
    from storyarchive.dedup.backend import SqliteBackend
    from storyarchive.dedup.canonical import DocMeta, is_wire, published_key, site_of
    from storyarchive.dedup.engine import BlockDeduplicator, DocInput
    from storyarchive.dedup.story import ArchiveTextSource, load_index, open_backend

    config = options.dedup
    found, aliases = found or {}, aliases or {}
    resumed = log is not None and (log.attempts > 0 or bool(log.written))
    log_writer = CrawlJournal(log.path) if log is not None and not dry_run else None
    own_backend = backend is None
    dedup = None
    total = DedupSummary() if config is not None else None
    try:
        if config is not None:
            from storyarchive.dedup.index import PriorIndex

            if backend is None:
                backend = (SqliteBackend(":memory:") if dry_run
                           else open_backend(slug, store, options.redis_url, options.redis_params))
            if fresh_index:
                backend.clear()
            elif log is not None and log.index_base is not None and backend.position() > log.index_base:
                logger.warning("finish of %s: taking back what an interrupted finish added to the "
                               "dedup index (rows %d..%d)", slug, log.index_base + 1, backend.position())
                backend.truncate(log.index_base)
            index = PriorIndex(backend, config.index_meta())
            if not fresh_index:
                load_index(index, store, slug, config)
            if log_writer is not None and log is not None and not fresh_index:
                base = log.index_base if log.index_base is not None else backend.position()
                log.index_base = base
                log_writer.append("begin", index_base=base, at=_now())
            archive = ArchiveTextSource(store, slug)
            dedup = BlockDeduplicator(config, index, JournalTextSource(journal_path, pages, archive))
        elif log_writer is not None:
            log_writer.append("begin", index_base=None, at=_now())
        done = 0
        todo = len(pages)
        if progress:
            progress(0, todo)
        first = True
        # the search index takes each batch's documents from memory (derived data: never fails the finish)
        from storyarchive.searchindex import FinishIndexing

        indexing = None if dry_run else FinishIndexing(store, slug)
        with ThreadPoolExecutor(max_workers=max(1, options.writers)) as pool:
            for lo in range(0, len(pages), options.batch_documents):
                batch = [(offset, read_event_at(journal_path, offset)["page"])
                         for _key, offset in pages[lo:lo + options.batch_documents]]
                blocks = [page_blocks(page) for _o, page in batch]
                syndication: list[dict[str, Any] | None] = [None] * len(batch)
                if dedup is not None and config is not None and total is not None:
                    inputs = []
                    for (_o, page), bl in zip(batch, blocks, strict=True):
                        meta = page["metadata"]
                        site = site_of(page["canonical_url"])
                        inputs.append(DocInput(DocMeta(
                            page["doc_id"], page["canonical_url"], site,
                            published_key(meta.get("published")),
                            is_wire(site, meta.get("site_name"), config.wire_sites, config.wire_names),
                            True), bl))
                    summary = dedup.finalize(inputs, persist=True)
                    _merge(total, summary, first)
                    syndication = [d.syndication for d in inputs]
                first = False
                jobs = []
                for (offset, page), bl, synd in zip(batch, blocks, syndication, strict=True):
                    if log is not None and offset in log.written:
                        report.documents.append(_doc_entry(log.written[offset]))
                        continue
                    when = (page.get("warc") or {}).get("date") or page["fetched_at"]
                    # a page made from a stored document keeps its replay URL, even none
                    url = (page["replay_url"] if "replay_url" in page
                           else replay_url(slug, when, page["final_url"], options.replay_base))
                    via = sources_of(page, found, aliases)
                    page = {**page, "url": requested_url(page, found)}
                    doc = document_from_page(page, bl, syndication=synd, discovered_via=via, replay_url=url)
                    jobs.append((offset, doc))
                if dry_run:
                    results: list[tuple[str | None, bool]] = [(None, True) for _ in jobs]
                else:
                    results = list(pool.map(
                        lambda job: write_document(store, job[1], skip_unchanged=compare or resumed,
                                                   durable=False), jobs))
                stored: list[tuple[dict[str, Any], str]] = []
                for (offset, doc), (key, written) in zip(jobs, results, strict=True):
                    entry = {"doc_id": doc["doc_id"], "key": key, "canonical_url": doc["canonical_url"],
                             "written": written, "title": doc["metadata"]["title"],
                             "outlet": doc["metadata"]["site_name"]}
                    if log_writer is not None:
                        log_writer.append("doc", o=offset, **entry)
                    report.documents.append(entry)
                    if on_document is not None:
                        on_document(doc, key, written)
                    if key is not None and written:
                        if spool.spool_path(store, key).exists():
                            report.spooled.append(key)  # the store was unreachable
                        else:
                            stored.append((doc, key))
                if indexing is not None:
                    indexing.add(stored)
                done += len(batch)
                if progress:
                    progress(done, todo)
        if indexing is not None:
            store.flush()  # one sync for every document, before the manifest lists them
            # derived data: a failure never stops the finish; the command exits 1 saying what to run
            report.search_index_error = indexing.complete()
    finally:
        if log_writer is not None:
            log_writer.close()
        if backend is not None and own_backend:
            backend.close()
    return total


class JournalTextSource:
    """Block texts for verifying near-copy candidates: a page of this finish (an earlier
    batch, perhaps not written, in a dry run never) is read from the journal; any other
    document from the archive (`fallback`)."""

    def __init__(self, journal_path: Path, pages: list[tuple[tuple[str, str, str], int]],
                 fallback: Callable[[str, int], str | None]) -> None:
        self.path = journal_path
        self.offsets = {key[0]: offset for key, offset in pages}
        self.fallback = fallback
        self._cache: tuple[str, dict[int, str]] | None = None

    def __call__(self, doc_id: str, block_index: int) -> str | None:
        offset = self.offsets.get(doc_id)
        if offset is None:
            return self.fallback(doc_id, block_index)
        if self._cache is None or self._cache[0] != doc_id:
            page = read_event_at(self.path, offset)["page"]
            self._cache = (doc_id, {int(b["index"]): b["text"] for b in page["blocks"]})
        return self._cache[1].get(block_index)


def _merge(total: DedupSummary, s: DedupSummary, first: bool) -> None:
    total.documents += s.documents
    total.blocks_seen += s.blocks_seen
    for k, v in s.relations.items():
        total.relations[k] = total.relations.get(k, 0) + v
    total.clusters.extend(s.clusters)
    if first:  # later batches count the earlier ones as earlier documents
        total.earlier_documents = s.earlier_documents
    total.candidates += s.candidates
    total.verified += s.verified
    total.unverifiable += s.unverifiable


def _doc_entry(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e.get(k) for k in ("doc_id", "key", "canonical_url", "written", "title", "outlet")}


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_manifest(store: ArchiveStore, slug: str, crawl_id: str, contents: JournalContents,
                    options: FinishOptions, report: FinishReport) -> str:
    """The crawl's manifest: its documents, pages not stored, dedup, how it ran."""
    first = contents.runs[0]["started"] if contents.runs else None
    manifest = {
        "crawl_id": crawl_id,
        "story": slug,
        "spider": contents.spider,
        "status": report.status,
        "started": first,
        "finished": _now(),
        "elapsed_seconds": round(sum(float(r.get("seconds") or 0.0) for r in contents.runs)
                                 + report.seconds, 3),
        "runs": contents.runs,
        "finish_failures": report.finish_failures,
        "store": store.uri,
        "documents": sorted(report.documents, key=lambda d: (d["doc_id"], d["key"] or "")),
        "skipped": report.skipped,
        "rejected_at_discovery": report.rejected,
        "dedup": report.dedup,
        "dedup_wire_sites": sorted(contents.wire_sites),
        "stats": {k: v for k, v in sorted(contents.stats.items())
                  if isinstance(v, int | float | str) and not k.startswith("log_count")},
    }
    data = (json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n").encode()
    key = layout.crawl_manifest_key(slug, crawl_id)
    if not spool.deliver_bytes(store, key, data):
        report.spooled.append(key)
    return key



class PageJournal:
    """A scratch journal of pages for a finish that is not a crawl's (reextract, dedup
    --rebuild): pages are written as they are made, so only their keys stay in memory.
    Use as a context manager; the file is removed on exit."""

    def __init__(self, store: ArchiveStore, slug: str, purpose: str) -> None:
        from storyarchive.journal import crawls_dir

        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = crawls_dir(store, slug).parent / purpose / f"{stamp}.jsonl"
        self.pages: list[tuple[tuple[str, str, str], int]] = []
        self._journal: CrawlJournal | None = None

    def __enter__(self) -> PageJournal:
        self._journal = CrawlJournal(self.path, fsync_interval=-1)  # scratch: never fsynced
        return self

    def add(self, page: dict[str, Any], keep: bool = True) -> tuple[tuple[str, str, str], int]:
        """Journal `page`; with `keep`, it is one of the pages to finish (else the caller
        may add the returned entry to `pages` later)."""
        assert self._journal is not None
        offset = self._journal.append("page", page=page)
        entry = ((page["doc_id"], page["final_url"], page["url"]), offset)
        if keep:
            self.pages.append(entry)
        return entry

    def sorted_pages(self) -> list[tuple[tuple[str, str, str], int]]:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        return sorted(self.pages)

    def __exit__(self, *exc: object) -> None:
        if self._journal is not None:
            self._journal.close()
        self.path.unlink(missing_ok=True)
