"""Full-text search (storyarchive.searchindex) over a crawled demo archive: what a crawl's
finish indexes, what a phrase finds, that site boilerplate does not flood the results,
that no query can break it, and that incremental updates equal a rebuild."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from storyarchive.dedup.text import DROPPED_RELATIONS
from storyarchive.searchindex import MAX_QUERY_CHARS, SearchIndex, index_path, parse_query
from storyarchive.store.local import LocalStore
from tests.cli import latest_documents, run_cli
from tests.search.documents import SLUG, put_document, synthetic_document


def words(text: str) -> str:
    """Text as the index sees it for phrase matching: lower-case words, single spaces."""
    return " ".join(re.findall(r"\w+", text.lower()))


def docs_containing(docs: dict[str, dict[str, Any]], phrase: str, field: str) -> set[str]:
    return {d for d, doc in docs.items() if f" {words(phrase)} " in f" {words(doc[field])} "}


def only_marks(snippet: str) -> str:
    """The snippet without its <mark> tags: must hold no other markup."""
    return snippet.replace("<mark>", "").replace("</mark>", "")


# ---------------------------------------------------------------------- the crawl's index
def test_a_crawls_finish_indexes_the_latest_version_of_every_article(demo_archive, demo_documents):
    store = LocalStore(demo_archive)
    index = SearchIndex.for_store(store)
    assert index.path == demo_archive / ".state" / "search.sqlite"
    rows = {r["doc_id"]: r for r in index.rows()}  # filled by the crawl, not by this test
    assert set(rows) == set(demo_documents)
    for doc_id, doc in demo_documents.items():
        row = rows[doc_id]
        assert row["story"] == SLUG
        assert row["title"] == doc["metadata"]["title"]
        assert row["body"] == doc["text_dedup"]
        assert row["outlet"] == doc["metadata"]["site_name"]
        assert row["published"] == doc["metadata"]["published"]
        assert Path(demo_archive, row["version_key"]).exists()


def test_a_phrase_from_one_article_finds_that_article_first(demo_archive, demo_documents):
    index = SearchIndex.for_store(LocalStore(demo_archive))
    checked = 0
    for doc_id, doc in demo_documents.items():
        # a sentence of the article's own (not boilerplate, not wire copy) found in no other
        unique = [b["text"] for b in doc["blocks"] if b["relation"] == "unique"]
        phrases = [" ".join(t.split()[2:9]) for t in unique if len(t.split()) > 12]
        phrases = [p for p in phrases if docs_containing(demo_documents, p, "text") == {doc_id}]
        if not phrases:
            continue
        for query in (f'"{phrases[0]}"', phrases[0]):
            results = index.search(query)
            assert results.hits and results.hits[0].doc_id == doc_id, (query, results.hits[:2])
        assert index.search(f'"{phrases[0]}"').total == 1
        checked += 1
    assert checked >= len(demo_documents) // 2


def test_a_hit_carries_the_articles_metadata_and_a_marked_snippet(demo_archive, demo_documents):
    index = SearchIndex.for_store(LocalStore(demo_archive))
    doc = next(d for d in demo_documents.values() if d["metadata"]["title"].startswith("Seven miles"))
    hit = index.search('"Trinidad" fishermen').hits[0]
    assert (hit.story, hit.doc_id, hit.url) == (SLUG, doc["doc_id"], doc["final_url"])
    assert (hit.title, hit.outlet, hit.published) == (
        doc["metadata"]["title"], doc["metadata"]["site_name"], doc["metadata"]["published"])
    assert re.search(r"<mark>Trinidad</mark>", hit.snippet_html, re.I)
    # a window of the article's own (deduplicated) text
    window = html.unescape(only_marks(hit.snippet_html)).strip("…")
    assert len(window.split()) >= 20 and window in doc["text_dedup"]
    assert hit.score > 0


def test_every_title_finds_its_article_first(demo_archive, demo_documents):
    index = SearchIndex.for_store(LocalStore(demo_archive))
    for doc_id, doc in demo_documents.items():
        assert index.search(doc["metadata"]["title"]).hits[0].doc_id == doc_id, doc["metadata"]["title"]


def test_a_site_boilerplate_phrase_does_not_flood_the_results(demo_archive, demo_documents):
    index = SearchIndex.for_store(LocalStore(demo_archive))
    boilerplate = {b["text"] for d in demo_documents.values() for b in d["blocks"]
                   if b["relation"] in DROPPED_RELATIONS and b["relation"] == "site-boilerplate"}
    assert len(boilerplate) >= 3  # one per outlet of the demo web
    for block in boilerplate:
        phrase = " ".join(block.split()[1:8])
        pages_showing_it = docs_containing(demo_documents, phrase, "text")
        assert len(pages_showing_it) >= 2  # boilerplate: on several pages of its site
        results = index.search(f'"{phrase}"')
        assert results.total == len(docs_containing(demo_documents, phrase, "text_dedup"))
        assert results.total < len(pages_showing_it), phrase


def test_a_story_filter_and_pages_of_results(demo_archive, demo_documents):
    index = SearchIndex.for_store(LocalStore(demo_archive))
    everything = index.search("venezuela", limit=100)
    assert everything.total == len(everything.hits) >= 10
    assert index.search("venezuela", story=SLUG).total == everything.total
    assert index.search("venezuela", story="another-story").total == 0
    assert index.search("venezuela", story="../../etc").total == 0
    pages = [index.search("venezuela", limit=4, offset=o).hits for o in range(0, everything.total, 4)]
    assert [h.doc_id for page in pages for h in page] == [h.doc_id for h in everything.hits]
    scores = [h.score for h in everything.hits]
    assert scores == sorted(scores, reverse=True)
    assert index.search("venezuela", limit=10_000).hits == everything.hits[:100]
    assert index.search("venezuela", limit=-5, offset=-3).hits == everything.hits[:1]


# ---------------------------------------------------------------------- hostile input
HOSTILE = [
    'NEAR(cia drone, 2)', 'cia NEAR drone', 'title:cia', '{title body}: cia', 'cia AND', 'OR',
    'NOT cia', '"', '""', '"""', '"cia', 'cia"', '(cia', 'cia)', ')(', '*', 'cia**', '^cia',
    '+cia', '-', '--', '- -cia', "cia' OR 1=1 --", "'; DROP TABLE docs; --", '\x00cia\x00',
    '\ud800cia', 'cia\u202edrone', '<script>alert(1)</script>', '&lt;b&gt;', '\ue000cia\ue001',
    'dock ' * 5000, 'x' * 1_000_000, '"' * 999, 'a' + ' OR' * 400, 'é' * 600, '🚢 strike',
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_query_never_raises_and_snippets_stay_escaped(demo_archive, query):
    index = SearchIndex.for_store(LocalStore(demo_archive))
    results = index.search(query, limit=100)
    assert results.total >= len(results.hits)
    for hit in results.hits:
        assert "<" not in only_marks(hit.snippet_html) and ">" not in only_marks(hit.snippet_html)
    expr = parse_query(query)
    assert expr is None or len(expr) < 4 * MAX_QUERY_CHARS


def test_query_words_are_words_not_fts_syntax(demo_archive):
    index = SearchIndex.for_store(LocalStore(demo_archive))
    # NEAR, AND, column filters are literal words: the demo text has no "near" next to these
    assert index.search("NEAR(cia drone)").total == index.search("near cia drone").total
    assert index.search("title:cia").total == index.search('"title cia"').total == 0
    # the documented operators do what they say
    cia, drone = index.search("cia").total, index.search("drone").total
    both = index.search("cia drone").total
    assert 0 < both < min(cia, drone)
    assert index.search("cia -drone").total == cia - both
    assert index.search("cia OR drone").total == cia + drone - both
    assert index.search("vene*").total >= index.search("venezuela").total > 0
    assert index.search('"drone cia"').total < both  # a phrase keeps its order


def test_html_in_article_text_comes_out_escaped(tmp_path):
    store = LocalStore(tmp_path / "archive")
    put_document(store, synthetic_document(
        "html-story", "http://news.test/a", "<b>Bold</b> harbour title",
        "Before <script>alert('harbour')</script> & \ue000forged\ue001 after harbour."))
    index = SearchIndex.for_store(store)
    index.update_story("html-story")
    hit = index.search("harbour").hits[0]
    assert hit.title == "<b>Bold</b> harbour title"  # data; the page escapes it
    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;alert(&#x27;<mark>harbour</mark>&#x27;)&lt;/script&gt; &amp;" in hit.snippet_html
    assert "<mark>forged</mark>" not in hit.snippet_html
    assert only_marks(hit.snippet_html).count("<") == 0


def test_the_title_weighs_more_than_the_body(tmp_path):
    store = LocalStore(tmp_path / "archive")
    filler = "The council met again on Tuesday to discuss the budget for the coming year. "
    put_document(store, synthetic_document("w", "http://news.test/in-body", "Council budget news",
                                           filler * 3 + "The harbourmaster resigned. " + filler))
    put_document(store, synthetic_document("w", "http://news.test/in-title", "Harbourmaster resigns",
                                           filler * 4))
    put_document(store, synthetic_document("w", "http://news.test/neither", "Weather", filler * 4))
    index = SearchIndex.for_store(store)
    index.update_story("w")
    hits = index.search("harbourmaster").hits
    assert [h.url for h in hits] == ["http://news.test/in-title", "http://news.test/in-body"]


# ---------------------------------------------------------------------- updates
def test_incremental_updates_equal_a_rebuild(archive_copy, demo_documents):
    store = LocalStore(archive_copy)
    index = SearchIndex.for_store(store)
    assert len(index.rows()) == len(demo_documents)  # indexed by the crawl's finish
    first, second = sorted(demo_documents)[:2]
    # a new version of one article, one article gone, a new story
    changed = {**demo_documents[first], "text_dedup": "A stealth edit: quixotic wording now."}
    put_document(store, changed)
    shutil.rmtree(archive_copy / "stories" / SLUG / "articles" / second)
    put_document(store, synthetic_document("other-story", "http://news.test/x", "Other", "Quixotic too."))

    update = index.update_story(SLUG)
    assert (update.added, update.changed, update.removed) == (0, 1, 1)
    update = index.update_story("other-story")
    assert (update.added, update.changed, update.removed) == (1, 0, 0)
    assert index.update_all().__dict__ == {"added": 0, "changed": 0, "removed": 0}
    incremental = index.rows()
    assert sorted(h.doc_id for h in index.search("quixotic").hits) == sorted(
        [first, synthetic_document("other-story", "http://news.test/x", "", "")["doc_id"]])
    assert index.search("quixotic", story=SLUG).hits[0].doc_id == first
    assert second not in {r["doc_id"] for r in incremental}

    assert index.rebuild() == len(demo_documents)  # 18 - 1 + 1
    assert index.rows() == incremental
    searches = ["quixotic", "venezuela", '"dock strike"', "cia -drone"]
    rebuilt = [index.search(q, limit=100) for q in searches]
    fresh = SearchIndex(tmp := archive_copy / "fresh.sqlite", store)
    fresh.update_all()
    assert fresh.rows() == incremental
    assert [fresh.search(q, limit=100) for q in searches] == rebuilt
    assert tmp.exists()


def test_an_index_of_another_version_is_filled_again_on_the_next_update(archive_copy, demo_documents):
    store = LocalStore(archive_copy)
    with closing(sqlite3.connect(index_path(store))) as conn, conn:
        conn.execute("UPDATE meta SET value = '0' WHERE name = 'schema_version'")
    index = SearchIndex.for_store(store)
    assert index.rows() == []  # dropped: it is not of this version
    index.update_story(SLUG)
    assert len(index.rows()) == len(demo_documents)


def test_readers_see_the_whole_old_index_while_it_is_rebuilt(archive_copy, demo_documents):
    store = LocalStore(archive_copy)

    class SlowStore(LocalStore):
        def get_bytes(self, key: str) -> bytes:
            time.sleep(0.05)
            return super().get_bytes(key)

    writer = SearchIndex.for_store(SlowStore(archive_copy))
    reader = SearchIndex.for_store(store)
    expected = reader.search("venezuela", limit=100)
    done = threading.Event()
    thread = threading.Thread(target=lambda: (writer.rebuild(), done.set()))
    thread.start()
    seen = 0
    while not done.is_set():
        assert reader.search("venezuela", limit=100) == expected
        seen += 1
        if seen == 3:  # a crawl finishing meanwhile updates the index without waiting
            put_document(store, synthetic_document("late-story", "http://news.test/late", "Late",
                                                   "Filed during the rebuild, about venezuela."))
            started = time.monotonic()
            assert reader.update_story("late-story").added == 1
            assert time.monotonic() - started < 2
            expected = reader.search("venezuela", limit=100)
            assert expected.total == len(demo_documents) + 1
    thread.join()
    assert seen > 3  # the reader read while the writer rebuilt
    # the rebuild kept what was indexed while it ran
    assert {r["story"] for r in reader.rows()} == {SLUG, "late-story"}
    with closing(sqlite3.connect(reader.path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert reader.search("venezuela", limit=100) == expected


# ---------------------------------------------------------------------- crawls and the command
def test_a_failed_index_update_leaves_the_crawl_whole_and_says_what_to_run(demo_story_file, tmp_path):
    store = tmp_path / "archive"
    (store / ".state" / "search.sqlite").mkdir(parents=True)  # cannot be opened as a database
    proc = run_cli("crawl", str(demo_story_file), "--store", str(store),
                   "--set", "AUTOTHROTTLE_ENABLED=False", check=False)
    docs = latest_documents(store, SLUG)
    assert len(docs) >= 10 and "status           finished" in proc.stdout
    assert proc.returncode == 1  # the archive is whole, but a failure is never silent
    assert "the search index was not updated" in proc.stderr
    assert f"storyarchive index --story {SLUG}" in proc.stderr

    (store / ".state" / "search.sqlite").rmdir()
    out = run_cli("index", "--store", str(store)).stdout
    assert f"{len(docs)} added" in out
    index = SearchIndex.for_store(LocalStore(store))
    assert {r["doc_id"] for r in index.rows()} == {d["doc_id"] for d in docs.values()}


def test_the_index_command(archive_copy, demo_documents):
    n = len(demo_documents)
    out = run_cli("index", "--store", str(archive_copy), "--story", SLUG).stdout
    assert out.strip().endswith(f"0 added, 0 changed, 0 removed; {n} documents")
    out = run_cli("index", "--store", str(archive_copy), "--rebuild").stdout
    assert f"rebuilt, {n} documents" in out
    bad = run_cli("index", "--store", str(archive_copy), "--story", "../etc", check=False)
    assert bad.returncode == 2 and "story slug '../etc'" in bad.stderr
    both = run_cli("index", "--store", str(archive_copy), "--story", SLUG, "--rebuild", check=False)
    assert both.returncode == 2 and "not both" in both.stderr


def test_search_over_an_s3_store(demo_story_file, s3_server, s3_bucket, s3_env, monkeypatch):
    from storyarchive.store import open_store
    from storyarchive.store.identity import store_id
    from tests.fixtures.s3server import store_options

    uri = f"s3://{s3_bucket}/archive"
    run_cli("crawl", str(demo_story_file), "--store", uri, "--set", "AUTOTHROTTLE_ENABLED=False",
            env=s3_env)
    monkeypatch.setenv("STORYARCHIVE_STATE_DIR", s3_env["STORYARCHIVE_STATE_DIR"])
    store = open_store(uri, **store_options(s3_server.endpoint))
    index = SearchIndex.for_store(store)
    # a cache on this machine, named after the store's identity, not its URI
    assert index.path.name == f"search-{store_id(store)}.sqlite"
    assert index.path.is_relative_to(s3_env["STORYARCHIVE_STATE_DIR"])
    keys = [k for k in store.list_keys(f"stories/{SLUG}/articles/")]
    assert index.count() == len({k.split("/")[3] for k in keys}) >= 10  # filled by the finish
    assert index.search('"Trinidad\'s fishermen"').hits[0].title.startswith("Seven miles from Venezuela")

    index.path.unlink()
    out = run_cli("index", "--store", uri, "--rebuild", env=s3_env).stdout
    assert f"search-{store_id(store)}.sqlite: rebuilt, {index.count()} documents" in out


def test_no_typed_query_is_an_fts5_syntax_error():
    """Random strings of FTS5's own syntax, quotes and odd Unicode: every expression
    parse_query makes is accepted by FTS5 (an in-memory table of the index's tokenizer)."""
    import random

    from storyarchive.searchindex import TOKENIZER

    pieces = ['"', "'", "(", ")", "*", "-", "+", "^", ":", "{", "}", ",", " ", " ", "NEAR", "NEAR(",
              "OR", "AND", "NOT", "title", "body", "cia", "drone", "é", "\u0301", "\x00", "\ud800",
              "\ue000", "🚢", "0", "_", "\\", ";", "--"]
    rng = random.Random(13)
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='{TOKENIZER}')")
        conn.execute("INSERT INTO t VALUES ('CIA drone', 'a drone near the dock, NEAR nothing')")
        for _ in range(3000):
            query = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
            expr = parse_query(query)
            if expr is not None:
                conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expr,)).fetchone()


def test_documents_handed_in_are_indexed_as_read_from_the_store_never_an_older_version(tmp_path):
    store = LocalStore(tmp_path / "archive")
    index = SearchIndex.for_store(store)
    old = synthetic_document(SLUG, "http://news.test/a", "Harbour", "The first wording, quixotic.")
    new = {**old, "text_dedup": "The second wording, laconic."}
    other = synthetic_document(SLUG, "http://news.test/b", "Other", "Another article.")
    old_key = put_document(store, old)
    new_key, other_key = put_document(store, new), put_document(store, other)
    assert old_key < new_key  # version keys sort by time

    update = index.add_documents([(new, new_key), (old, old_key), (other, other_key)])
    assert (update.added, update.changed) == (2, 0)
    assert index.add_documents([(old, old_key)]).__dict__ == {"added": 0, "changed": 0, "removed": 0}
    assert index.search("laconic").total == 1 and index.search("quixotic").total == 0
    handed_in = index.rows()
    assert {r["doc_id"]: r["version_key"] for r in handed_in} == {old["doc_id"]: new_key,
                                                                 other["doc_id"]: other_key}
    assert index.update_story(SLUG).__dict__ == {"added": 0, "changed": 0, "removed": 0}
    index.rebuild()
    assert index.rows() == handed_in
