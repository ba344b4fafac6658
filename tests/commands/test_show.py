"""`storyarchive show`: the table a researcher reads, fitted to the terminal, with each
article's URL, capture time, language, authors and replay link, the pages not kept
(--rejected) and the same as JSON."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli import latest_documents, run_cli

SLUG = "demo-dock-strike"


@pytest.fixture(scope="module")
def archive(demo_web, tmp_path_factory):
    """A crawl of the demo story: (store, documents by canonical URL)."""
    tmp = tmp_path_factory.mktemp("show")
    story = tmp / "demo.toml"
    story.write_text(demo_web.story_toml(), encoding="utf-8")
    store = tmp / "archive"
    run_cli("crawl", str(story), "--store", str(store), "--set", "AUTOTHROTTLE_ENABLED=False")
    return store, latest_documents(store, SLUG)


def show(store, *args: str, columns: int = 100) -> str:
    return run_cli("show", SLUG, "--store", str(store), *args, env={"COLUMNS": str(columns)}).stdout


def is_url_line(line: str) -> bool:
    """A line ending in a URL (never cut, so it may be longer than the terminal)."""
    return bool(line.split()) and line.split()[-1].startswith("http://")


def test_every_line_but_a_url_fits_the_terminal(archive):
    store, _ = archive
    for columns in (80, 120):
        out = show(store, columns=columns)
        too_long = [line for line in out.splitlines() if len(line) > columns and not is_url_line(line)]
        assert too_long == [], f"{columns} columns:\n" + "\n".join(too_long)


def test_full_titles_are_wrapped_not_cut(archive):
    store, docs = archive
    out = show(store, columns=80)
    words = re.sub(r"\s+", " ", out)
    for doc in docs.values():
        title = doc["metadata"]["title"]
        assert title in words or all(part in out for part in title.split()), title
    longest = max((d["metadata"]["title"] for d in docs.values()), key=len)
    assert len(longest) > 48
    assert "…" not in out.split("\n\n")[0].replace(longest, "")  # no title is cut


def test_each_article_shows_outlet_language_authors_capture_time_url_and_replay_link(archive):
    store, docs = archive
    out = show(store, columns=100)
    for doc in docs.values():
        meta = doc["metadata"]
        assert f"    {doc['final_url']}\n" in out
        assert f"    replay {doc['replay_url']}\n" in out
        captured = doc["fetched_at"][:19].replace("T", " ")
        assert f"captured {captured} UTC" in out
        if meta["authors"]:
            assert f"by {', '.join(meta['authors'])} · captured {captured}" in out
    rows = {re.split(r"\s{2,}", line)[1]: line for line in out.splitlines()
            if re.match(r"\d{4}-\d\d-\d\d", line)}
    assert re.search(r"\ses\s+\d+\s", rows["La Prensa del Caribe"])  # its language column
    assert re.search(r"\sen\s+\d+\s", rows["Meridian Wire"])


def test_a_narrow_terminal_puts_each_title_on_its_own_lines(archive):
    store, docs = archive
    out = show(store, columns=60)
    assert not out.splitlines()[0].endswith("title")
    title = docs[next(iter(docs))]["metadata"]["title"]
    assert title.split()[0] in out
    assert all(len(line) <= 60 for line in out.splitlines() if not is_url_line(line))


def test_counts_are_in_words_a_reader_expects(archive):
    store, docs = archive
    out = show(store)
    assert f"{len(docs)} articles from 1 crawl;" in out
    assert "paragraph clusters" in out


def test_pages_not_kept_are_counted_and_rejected_lists_each_with_its_reason(archive, demo_web):
    store, _ = archive
    out = show(store)
    assert re.search(r"\d+ pages not kept \(.*off-topic \d+.*\): `storyarchive show demo-dock-strike "
                     r"--rejected` lists them", out.replace("\n  ", " "))
    listed = show(store, "--rejected")
    pdf = demo_web.url("meridian", "/documents/2025/12/statement.pdf")
    assert re.search(rf"  {re.escape(pdf)}\n      not-html: application/pdf\n", listed)
    assert "      off-topic: excluded term: baseball\n" in listed
    assert "      out-of-window" in listed and "      http-404" in listed


def test_json_holds_every_article_field_and_the_rejected_pages(archive):
    store, docs = archive
    info = json.loads(show(store, "--json"))
    assert info["crawls"] == 1 and len(info["articles"]) == len(docs)
    by_url = {a["canonical_url"]: a for a in info["articles"]}
    for url, doc in docs.items():
        row = by_url[url]
        assert row["replay_url"] == doc["replay_url"] and row["url"] == doc["final_url"]
        assert row["captured"] == doc["fetched_at"] and row["language"] == doc["metadata"]["language"]
        assert row["authors"] == doc["metadata"]["authors"] and row["title"] == doc["metadata"]["title"]
    reasons = {r["reason"] for r in info["rejected"]}
    assert "not-html: application/pdf" in reasons and "http-404" in reasons


def test_set_replay_base_url_shows_the_links_on_that_replay_server(archive):
    store, docs = archive
    info = json.loads(show(store, "--json", "--set", "STORYARCHIVE_REPLAY_BASE_URL=http://replay.test:9000"))
    by_url = {a["canonical_url"]: a for a in info["articles"]}
    for url, doc in docs.items():
        expected = doc["replay_url"].replace("http://127.0.0.1:8080/", "http://replay.test:9000/")
        assert by_url[url]["replay_url"] == expected


def test_one_capture_of_one_page_says_1_article_from_1_crawl_and_1_document(demo_web, tmp_path):
    store = tmp_path / "archive"
    summary = run_cli("capture", demo_web.entry_url("g-fixture"), "--story", "one", "--store", str(store),
                      "--set", "STORYARCHIVE_CAPTURE_REQUISITES=False").stdout
    assert "(1 document)" in summary
    out = run_cli("show", "one", "--store", str(store)).stdout
    assert "1 article from 1 crawl;" in out and "1 file," in out
