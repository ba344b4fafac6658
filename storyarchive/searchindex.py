"""Full-text search over the archive's documents: an embedded SQLite FTS5 index.

    index = SearchIndex.for_store(store)
    results = index.search('"dock strike" cia', story="demo-dock-strike", limit=20)
    results.total, results.hits[0].snippet_html

What is indexed: the latest version of each article of every story, its title and its
`text_dedup` (the text without in-page repeats and site boilerplate, see docs/dedup.md), so
a sentence every page of a site repeats (a subscription plea, a rights notice) does not
make every article of that site a hit. Wire copy stays in `text_dedup`, so each outlet that
ran a wire story is found by its words. Ranking is FTS5's bm25 with the title weighing
TITLE_WEIGHT times the body.

Where it lives: the index is derived data, rebuilt from the documents at any time
(`storyarchive index --rebuild`). Like the dedup and digest indexes it is kept in the
store's state directory (storyarchive.store.spool.state_dir): `<store>/.state/search.sqlite`
for a local store; for a remote (S3) store a local cache on this machine,
`search-<store id>.sqlite`, named after the store's identity (storyarchive-store.json), so
a bucket emptied and made again under the same name never inherits the old index.

Concurrency: the file is opened like every state index (storyarchive.statedb: WAL), so
readers (the web view) go on reading the last committed state while a crawl's finish
updates it; writers take SQLite's write lock (waiting up to statedb.BUSY_TIMEOUT_S). Each
call opens its own connection: one SearchIndex can be shared by a web server's threads.

User queries never reach FTS5 as syntax: `parse_query` turns any string into words and
"quoted phrases" (each one an FTS5 string literal), `-word` to exclude, `word*` for a
prefix and `OR` between alternatives; everything else is literal text.
"""

from __future__ import annotations

import html
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyarchive import layout
from storyarchive.document import latest_document_keys, read_document, read_in_batches
from storyarchive.statedb import open_state_db
from storyarchive.store import spool
from storyarchive.store.base import ArchiveStore
from storyarchive.storyview import outlet_of

logger = logging.getLogger(__name__)

# Bump when the table layout, the tokenizer or what is indexed changes: an index of another
# version is dropped and rebuilt from the documents on the next update.
SCHEMA_VERSION = 1
TOKENIZER = "porter unicode61 remove_diacritics 2"
TITLE_WEIGHT = 5.0  # bm25 weight of the title against 1.0 for the body
MAX_QUERY_CHARS = 500  # longer queries are cut here (a search box, not a document)
MAX_TERMS = 32  # words and phrases of one query; the rest is ignored
MAX_LIMIT = 100
MAX_OFFSET = 10_000  # deep pages cost a sort of every match; nobody reads page 500
SNIPPET_TOKENS = 32
FETCH_BATCH = 200  # documents read from the store, then written in one transaction

# Private-use characters mark matches in FTS5's snippet() before the snippet is escaped;
# they are removed from everything indexed, so a document cannot forge a mark.
_OPEN, _CLOSE = "\ue000", "\ue001"

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS docs (
        id INTEGER PRIMARY KEY,
        story TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        version_key TEXT NOT NULL,
        url TEXT,
        title TEXT NOT NULL,
        outlet TEXT,
        published TEXT,
        body TEXT NOT NULL,
        UNIQUE (story, doc_id))""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
        title, body, content='docs', content_rowid='id', tokenize='{TOKENIZER}')""",
    """CREATE TRIGGER IF NOT EXISTS docs_ai AFTER INSERT ON docs BEGIN
        INSERT INTO docs_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER IF NOT EXISTS docs_ad AFTER DELETE ON docs BEGIN
        INSERT INTO docs_fts(docs_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END""",
]
# Python's executescript() commits an open transaction first: statements go one by one.
_DROP = ["DROP TRIGGER IF EXISTS docs_ai", "DROP TRIGGER IF EXISTS docs_ad",
         "DROP TABLE IF EXISTS docs_fts", "DROP TABLE IF EXISTS docs", "DROP TABLE IF EXISTS meta"]


def _run(conn: sqlite3.Connection, statements: list[str]) -> None:
    for statement in statements:
        conn.execute(statement)


@dataclass(frozen=True)
class Hit:
    """One matching article. `snippet_html` is escaped HTML with <mark> around the matched
    words: safe to insert into a page as it is. `score`: higher is better (-bm25)."""

    story: str
    doc_id: str
    url: str
    title: str
    outlet: str | None
    published: str | None
    snippet_html: str
    score: float


@dataclass
class SearchResults:
    """`total` matching articles; `hits` the page asked for, best first. `query` is the
    FTS5 expression searched (None when the input held nothing to search for)."""

    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    query: str | None = None


@dataclass
class IndexUpdate:
    """What an update changed: documents added, changed (a newer version), removed."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    def __iadd__(self, other: IndexUpdate) -> IndexUpdate:
        self.added += other.added
        self.changed += other.changed
        self.removed += other.removed
        return self

    def __str__(self) -> str:
        return f"{self.added} added, {self.changed} changed, {self.removed} removed"


# ---------------------------------------------------------------------- queries
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w")
_UNSAFE = re.compile(f"[\x00-\x1f\x7f{_OPEN}{_CLOSE}]")


def _clean(text: str) -> str:
    """`text` as valid UTF-8 without control characters or our match marks."""
    text = text.encode("utf-8", "ignore").decode("utf-8")  # lone surrogates cannot be bound
    return _UNSAFE.sub(" ", text)


def _literal(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def parse_query(q: str) -> str | None:
    """The FTS5 MATCH expression for what a user typed, or None if it holds no word.

    Words and "quoted phrases" must all match (an unclosed quote runs to the end);
    `-word` / `-"phrase"` excludes; `word*` matches a prefix; `OR` (upper case, between
    terms) gives alternatives. Every term becomes an FTS5 string literal, so nothing a user
    types is read as FTS5 syntax (NEAR, column filters, parentheses, ^, + are words or
    nothing). The input is cut at MAX_QUERY_CHARS and MAX_TERMS. Never raises."""
    q = _clean(q[:MAX_QUERY_CHARS])
    groups: list[list[tuple[str, bool]]] = [[]]  # (text, prefix) of the terms of each alternative
    excluded: list[str] = []
    terms = 0
    for m in _TOKEN.finditer(q):
        if terms >= MAX_TERMS:
            break
        negative, phrase, word = m.group(1) == "-", m.group(2), m.group(3)
        prefix = False
        if phrase is None:
            if word == "OR":
                if groups[-1]:
                    groups.append([])
                continue
            negative = word.startswith("-") and len(word) > 1
            word = word.lstrip("-") if negative else word
            prefix = word.endswith("*")
            phrase = word.replace('"', " ").rstrip("*")
        phrase = " ".join(phrase.split())
        if not _WORD.search(phrase):
            continue  # punctuation only: no token to match
        terms += 1
        if negative:
            excluded.append(_term(phrase, prefix))
        else:
            groups[-1].append((phrase, prefix))
    alternatives = [_all_of(g) for g in groups if g]
    if not alternatives:
        return None  # only exclusions, or nothing at all: FTS5 cannot match "everything but"
    expr = alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
    for term in excluded:
        expr = f"{expr} NOT {term}"
    return expr


def _term(text: str, prefix: bool) -> str:
    return _literal(text) + (" *" if prefix else "")


def _all_of(terms: list[tuple[str, bool]]) -> str:
    """Every term; for two or more without a prefix, OR the whole as one phrase: it matches
    no other article, but bm25 scores the phrase too, so the articles holding the words in
    the order typed come first (as a search engine's phrase boost does)."""
    expr = "(" + " AND ".join(_term(t, p) for t, p in terms) + ")"
    if len(terms) > 1 and not any(p for _t, p in terms):
        expr = f"({expr} OR {_literal(' '.join(t for t, _p in terms))})"
    return expr


def snippet_html(snippet: str) -> str:
    """FTS5 snippet text (matches between the private marks) as escaped HTML with <mark>."""
    return html.escape(snippet, quote=True).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


# ---------------------------------------------------------------------- documents
def index_row(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """What the index keeps of document `doc` (stored at `key`)."""
    meta = doc.get("metadata") or {}
    body = doc.get("text_dedup")
    if body is None:  # a document from before dedup kept no deduplicated text
        body = doc.get("text") or ""
    return {
        "story": doc["story"], "doc_id": doc["doc_id"], "version_key": key,
        "url": doc.get("final_url") or doc.get("url"),
        "title": _clean(meta.get("title") or "").strip(),
        "outlet": outlet_of(doc), "published": meta.get("published"),
        "body": unicodedata.normalize("NFC", _clean_body(body)),
    }


def _clean_body(text: str) -> str:
    # keep line breaks (they separate blocks, and FTS5 treats them as spaces anyway)
    return text.replace(_OPEN, " ").replace(_CLOSE, " ")


def index_path(store: ArchiveStore) -> Path:
    """Where `store`'s search index lives: search.sqlite in a local store's state directory,
    search-<store id>.sqlite in a remote store's (a cache on this machine). StoreError if
    a remote store's identity cannot be read."""
    base = spool.state_dir(store)
    if getattr(store, "root", None) is not None:
        return base / "search.sqlite"
    from storyarchive.store.identity import store_id

    return base / f"search-{store_id(store)}.sqlite"


# ---------------------------------------------------------------------- the index
class SearchIndex:
    """The search index of one store (see the module docstring)."""

    def __init__(self, path: Path | str, store: ArchiveStore | None = None) -> None:
        self.path = Path(path)
        self.store = store
        self._ready = False

    @classmethod
    def for_store(cls, store: ArchiveStore) -> SearchIndex:
        """The index of `store`, at index_path(store). StoreError if a remote store's
        identity cannot be read."""
        return cls(index_path(store), store)

    # -------------------------------------------------------------- connections
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = open_state_db(self.path, autocommit=True)  # WAL, like every state index
        try:
            if not self._ready:
                self._prepare(conn)
            yield conn
        finally:
            conn.close()

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """The tables of SCHEMA_VERSION (an index of another version is dropped: it is
        filled again from the documents, see _needs_full_update)."""
        with _write(conn):
            if _meta(conn, "schema_version") not in (None, str(SCHEMA_VERSION)):
                logger.warning("search index %s is of another version: rebuilding it from the "
                               "documents", self.path)
                _run(conn, _DROP)
            _run(conn, _SCHEMA)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        self._ready = True

    # -------------------------------------------------------------- reading
    def search(self, q: str, story: str | None = None, limit: int = 20, offset: int = 0) -> SearchResults:
        """The articles matching `q` (see parse_query), best first: `limit` of them from
        `offset`, and how many match in all; only story `story`'s when given. Any string is
        a valid query (one with no word matches nothing); limit is kept within
        1..MAX_LIMIT, offset within 0..MAX_OFFSET."""
        expr = parse_query(q)
        results = SearchResults(query=expr)
        if expr is None:
            return results
        limit = max(1, min(int(limit), MAX_LIMIT))
        offset = max(0, min(int(offset), MAX_OFFSET))
        where, params = "docs_fts MATCH ?", [expr]
        # CROSS JOIN keeps the full-text match as the outer loop: with a story filter SQLite
        # would otherwise walk the story's rows by the (story, doc_id) index and run the
        # MATCH once per row (seconds for a 10,000-article story instead of milliseconds).
        if story is not None:
            where += " AND d.story = ?"
            params.append(_clean(story))
        with self._connect() as conn:
            results.total = conn.execute(
                f"SELECT count(*) FROM docs_fts CROSS JOIN docs d ON d.id = docs_fts.rowid WHERE {where}",
                params).fetchone()[0]
            if results.total == 0 or offset >= results.total:
                return results
            rows = conn.execute(
                f"""SELECT d.story, d.doc_id, d.url, d.title, d.outlet, d.published,
                           snippet(docs_fts, 1, ?, ?, '…', {SNIPPET_TOKENS}),
                           bm25(docs_fts, {TITLE_WEIGHT}, 1.0) AS rank
                    FROM docs_fts CROSS JOIN docs d ON d.id = docs_fts.rowid
                    WHERE {where} ORDER BY rank, d.story, d.doc_id LIMIT ? OFFSET ?""",
                [_OPEN, _CLOSE, *params, limit, offset]).fetchall()
        results.hits = [Hit(story=r[0], doc_id=r[1], url=r[2] or "", title=r[3], outlet=r[4],
                            published=r[5], snippet_html=snippet_html(r[6] or ""), score=-float(r[7]))
                        for r in rows]
        return results

    def count(self, story: str | None = None) -> int:
        """Documents in the index (of `story` when given)."""
        with self._connect() as conn:
            if story is None:
                return int(conn.execute("SELECT count(*) FROM docs").fetchone()[0])
            return int(conn.execute("SELECT count(*) FROM docs WHERE story = ?", (story,)).fetchone()[0])

    def rows(self) -> list[dict[str, Any]]:
        """Every indexed document's stored fields, sorted (for checks and tests)."""
        with self._connect() as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(
                "SELECT story, doc_id, version_key, url, title, outlet, published, body FROM docs "
                "ORDER BY story, doc_id")]

    # -------------------------------------------------------------- writing
    def update_story(self, slug: str) -> IndexUpdate:
        """Bring story `slug` up to date with the store: index documents that are new or
        have a newer version, drop those the store no longer holds. An index never filled
        (new, or of another version) is filled for the whole archive first, so it never
        answers for some stories only. ValueError for an invalid slug, StoreError when the
        store cannot be read, sqlite3.Error when the index cannot be written."""
        layout.check_slug(slug)
        store = self._need_store()
        if self._needs_full_update():
            return self.update_all()
        latest = latest_document_keys(store, f"{layout.story_prefix(slug)}articles/")
        return self._sync(latest, stories={slug})

    def add_documents(self, documents: Iterable[tuple[dict[str, Any], str]]) -> IndexUpdate:
        """Index documents just stored, given as (document, key), in one transaction: the
        rows update_story would make of them once it had read them back from the store. A
        document is left out when the index already holds that version or a newer one
        (version keys sort by time), so the index never goes back to an older version.
        Documents the store no longer holds are left to update_story. sqlite3.Error when
        the index cannot be written."""
        newest: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for doc, key in documents:
            ident = (doc["story"], doc["doc_id"])
            if ident not in newest or newest[ident][1] < key:
                newest[ident] = (doc, key)
        rows = [index_row(doc, key) for _ident, (doc, key) in sorted(newest.items())]
        update = IndexUpdate()
        if not rows:
            return update
        with self._connect() as conn, _write(conn):
            for row in rows:
                found = conn.execute("SELECT version_key FROM docs WHERE story = ? AND doc_id = ?",
                                     (row["story"], row["doc_id"])).fetchone()
                if found is not None and found[0] >= row["version_key"]:
                    continue
                _insert(conn, [row], replace=found is not None)
                if found is None:
                    update.added += 1
                else:
                    update.changed += 1
        return update

    def update_all(self) -> IndexUpdate:
        """Bring every story up to date with the store (as update_story, for all of them,
        with one listing of the store; stories no longer in the store are dropped)."""
        store = self._need_store()
        latest = latest_document_keys(store)
        update = self._sync(latest, stories=None)
        with self._connect() as conn, _write(conn):
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('complete', '1')")
        return update

    def rebuild(self) -> int:
        """Make the index again from every document of the store. It is built in a file of
        its own beside the index (`<index>.rebuild`), then copied over the index in one
        transaction (SQLite's online backup): searches answer from the old index until
        then, and a crawl's update waits for the copy only, never for the store to be read.
        What changed in the store meanwhile is brought in before and after the copy
        (update_all). Returns the documents indexed."""
        store = self._need_store()
        scratch = self.path.with_name(self.path.name + ".rebuild")
        _remove_database(scratch)
        try:
            fresh = SearchIndex(scratch, store)
            with fresh._connect() as conn:
                for rows in _read_documents(store, sorted(latest_document_keys(store).items())):
                    with _write(conn):
                        _insert(conn, rows)
                fresh.update_all()  # what was written while the store was read; marks it complete
                with self._connect() as target:
                    conn.backup(target)
        finally:
            _remove_database(scratch)
        self.update_all()  # what was written during the last steps
        return self.count()

    def _need_store(self) -> ArchiveStore:
        if self.store is None:
            raise ValueError("this search index was opened without its store: use SearchIndex.for_store")
        return self.store

    def _needs_full_update(self) -> bool:
        with self._connect() as conn:
            return _meta(conn, "complete") != "1"

    def _sync(self, latest: dict[tuple[str, str], str], stories: set[str] | None) -> IndexUpdate:
        """Apply the difference between the index and `latest` ((story, doc_id) -> key);
        only within `stories` when given."""
        store = self._need_store()
        with self._connect() as conn:
            if stories is None:
                cur = conn.execute("SELECT story, doc_id, version_key FROM docs")
            else:
                marks = ",".join("?" * len(stories))
                cur = conn.execute(f"SELECT story, doc_id, version_key FROM docs WHERE story IN ({marks})",
                                   sorted(stories))
            indexed = {(s, d): k for s, d, k in cur}
        update = IndexUpdate()
        gone = sorted(set(indexed) - set(latest))
        todo = sorted((ident, key) for ident, key in latest.items() if indexed.get(ident) != key)
        if gone:
            with self._connect() as conn, _write(conn):
                conn.executemany("DELETE FROM docs WHERE story = ? AND doc_id = ?", gone)
            update.removed = len(gone)
        for rows in _read_documents(store, todo):
            with self._connect() as conn, _write(conn):
                _insert(conn, rows)
            for row in rows:
                if (row["story"], row["doc_id"]) in indexed:
                    update.changed += 1
                else:
                    update.added += 1
        return update


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _meta(conn: sqlite3.Connection, name: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    except sqlite3.OperationalError:  # no meta table yet
        return None
    return None if row is None else str(row[0])


@contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (taken at once: BEGIN IMMEDIATE), committed or rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _insert(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]], replace: bool = True) -> None:
    """Insert index rows; with `replace`, a row of the same document goes first (a changed
    document is deleted and inserted again: one path, and trigger, for both)."""
    for row in rows:
        if replace:
            conn.execute("DELETE FROM docs WHERE story = ? AND doc_id = ?", (row["story"], row["doc_id"]))
        conn.execute("INSERT INTO docs (story, doc_id, version_key, url, title, outlet, published, body) "
                     "VALUES (:story, :doc_id, :version_key, :url, :title, :outlet, :published, :body)", row)


def _read_documents(store: ArchiveStore, todo: list[tuple[tuple[str, str], str]]
                    ) -> Iterator[list[dict[str, Any]]]:
    """Index rows of the documents at the keys of `todo`, FETCH_BATCH at a time (memory
    holds one batch), read concurrently (read_in_batches)."""

    def read(item: tuple[tuple[str, str], str]) -> dict[str, Any]:
        (story, doc_id), key = item
        doc = read_document(store, key)
        # the key says which story and document it is, whatever an old document holds
        return index_row({**doc, "story": story, "doc_id": doc_id}, key)

    return read_in_batches(todo, read, batch=FETCH_BATCH)


class FinishIndexing:
    """The search index of story `slug` kept up to date by a finish stage (or anything that
    writes a story's documents in batches): `add` indexes each batch's documents as they
    are written, from memory, instead of reading every one back from the store at the end;
    `complete` then brings the story up to date with the store (update_story), which reads
    only what `add` did not index (a document of another process, one `add` failed on) and
    drops what the store no longer holds. Neither raises: the documents are written
    whatever happens to the index, which is derived data."""

    def __init__(self, store: ArchiveStore, slug: str) -> None:
        self.store = store
        self.slug = slug
        self.update = IndexUpdate()  # what `add` changed
        self._index: SearchIndex | None = None
        self._failed = False

    def add(self, documents: list[tuple[dict[str, Any], str]]) -> None:
        """Index `documents` ((document, key) of versions just stored). After a failure,
        nothing more is added here: `complete` reads them from the store instead."""
        if self._failed or not documents:
            return
        try:
            if self._index is None:
                self._index = SearchIndex.for_store(self.store)
            self.update += self._index.add_documents(documents)
        except Exception as exc:  # noqa: BLE001 - complete() tries again from the store
            self._failed = True
            logger.warning("search index of %s not updated as documents were written (%s: %s); "
                           "it is updated from the store at the end", self.slug, type(exc).__name__, exc)

    def complete(self) -> str | None:
        """Bring the story's index up to date with the store (see update_after_finish)."""
        return update_after_finish(self.store, self.slug, self.update)


def update_after_finish(store: ArchiveStore, slug: str, earlier: IndexUpdate | None = None) -> str | None:
    """Bring story `slug`'s search index up to date after its documents were written
    (`earlier`: what was already indexed of them, for the log line). Never raises: the
    documents are written whatever happens here. Returns None, or what failed with the
    command that completes the work (also logged as an error)."""
    try:
        update = SearchIndex.for_store(store).update_story(slug)
        if earlier is not None:
            update += earlier
        logger.info("search index of %s: %s", slug, update)
        return None
    except Exception as exc:  # noqa: BLE001 - the crawl is done; the index is derived data
        message = (f"the search index was not updated ({type(exc).__name__}: {exc}); the documents "
                   f"are written: `storyarchive index --story {slug} --store {store.uri}` updates it "
                   f"(`storyarchive index --rebuild` makes it again)")
        logger.error("%s", message)
        return message
