"""Hostile input to the web view: paths that climb out of the store, malformed ids, huge or
markup-laden queries, and article text that is HTML. Each is refused or escaped; nothing
outside the store (or the package's static files) is ever served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyarchive.document import document_from_page, write_document
from storyarchive.items import Block
from storyarchive.store.local import LocalStore
from tests.web.conftest import SLUG, WebServer, request, start_web, stop_web

EVIL_SLUG = "evil-markup"
EVIL_TITLE = '<script>document.title="pwned"</script>Dock <b>strike</b>'
EVIL_TEXT = '<img src=x onerror="document.title=\'pwned\'"> workers & "dockers" said <i>no</i>.'
SECRET = "this-file-is-outside-the-store"


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose one document has HTML in its title, text and URL, and a secret file
    beside the store that nothing may serve."""
    base = tmp_path_factory.mktemp("web-hostile")
    (base / "secret.txt").write_text(SECRET)
    root = base / "archive"
    url = 'http://127.0.0.1:9/a?x="><script>alert(1)</script>'
    page = {
        "doc_id": "0123456789abcdef0123", "story": EVIL_SLUG, "crawl_id": "20260101T000000Z-abcdef",
        "spider": "capture", "url": url, "final_url": url, "canonical_url": url,
        "fetched_at": "2026-01-01T00:00:00Z", "status": 200, "content_type": "text/html",
        "metadata": {"title": EVIL_TITLE, "site_name": "<b>Outlet</b>", "published": "2026-01-01T10:00:00Z",
                     "authors": ["<svg onload=alert(1)>"]},
        "relevance": None, "extractor": {"name": "test"}, "warc": None,
    }
    blocks = [Block(0, "paragraph", EVIL_TEXT), Block(1, "paragraph", "</div></section><h1>fake</h1>")]
    doc = document_from_page(page, blocks, syndication=None, discovered_via=[], replay_url=None)
    write_document(LocalStore(root), doc)
    return root


@pytest.fixture(scope="module")
def evil_web(evil_store: Path) -> Iterator[WebServer]:
    server = start_web(str(evil_store))
    try:
        yield server
    finally:
        stop_web(server)


def test_html_in_an_article_is_shown_as_text_and_never_runs(evil_web: WebServer, page: Any):
    for path in (f"/stories/{EVIL_SLUG}", f"/stories/{EVIL_SLUG}/articles/0123456789abcdef0123"):
        page.goto(evil_web.base + path)
        assert page.title() != "pwned"
        assert page.locator("main script, main img, main svg[onload], main b, main i").count() == 0
        assert EVIL_TITLE in page.locator("main").inner_text()
    assert EVIL_TEXT in page.locator("#text").inner_text()
    assert page.locator("#text .block").count() == 2
    status, headers, body = evil_web.get(f"/stories/{EVIL_SLUG}/articles/0123456789abcdef0123")
    assert b"<script>document" not in body and b"&lt;script&gt;document" in body
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none': no script at all
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "/stories/..%2F..%2Fsecret.txt",
    "/stories/../secret.txt",
    "/stories/%2e%2e",
    "/stories/%2E%2E%2Fsecret.txt/articles/0123456789abcdef0123",
    f"/stories/{EVIL_SLUG}/articles/..%2F..%2F..%2Fsecret.txt",
    f"/stories/{EVIL_SLUG}/articles/0123456789abcdef0123/versions/..%2F..%2Fsecret/warc",
    "/static/..%2F..%2F..%2Fsecret.txt",
    "/static/../app.py",
    "/static/%2e%2e/app.py",
    "/api/stories/..%2Fsecret.txt",
    "/stories/UPPER",
    "/stories/" + "a" * 200,
    f"/stories/{EVIL_SLUG}/export.txt",
])
def test_paths_that_leave_the_store_or_name_nothing_are_refused(evil_web: WebServer, path: str):
    status, _, body = evil_web.get(path)
    assert status in (400, 404), (path, status)
    assert SECRET.encode() not in body and b"def create_app" not in body


def test_an_unknown_story_or_article_is_a_404_in_html_and_json(evil_web: WebServer):
    assert evil_web.get("/stories/no-such-story")[0] == 404
    status, headers, body = evil_web.get("/api/stories/no-such-story")
    assert status == 404 and headers["content-type"] == "application/json"
    assert "nothing for story 'no-such-story'" in json.loads(body)["error"]
    assert evil_web.get(f"/stories/{EVIL_SLUG}/articles/ffffffffffffffffffff")[0] == 404


def test_query_strings_are_checked_and_echoed_escaped(evil_web: WebServer):
    for query in ("page=-1", "page=abc", "page=99999999999999", "sort=__class__", "order=sideways"):
        status, _, _ = evil_web.get(f"/stories/{EVIL_SLUG}?{query}")
        assert status in (200, 400), query
    assert evil_web.get(f"/stories/{EVIL_SLUG}?sort=__class__")[0] == 400
    assert evil_web.get(f"/stories/{EVIL_SLUG}?page=abc")[0] == 400
    status, _, body = evil_web.get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert status == 200 and b"<script>alert(1)" not in body and b"&lt;script&gt;alert(1)" in body
    assert evil_web.get("/search?q=x&story=..%2F..%2Fetc")[0] == 400


def test_a_huge_query_is_refused_without_searching(evil_web: WebServer):
    status, _, body = evil_web.get("/search?q=" + "dock+" * 20_000)
    assert status == 400 and b"too long" in body
    status, _, body = evil_web.get("/api/search?q=" + "x" * 501)
    assert status == 400 and "too long" in json.loads(body)["error"]


def test_writes_on_a_read_only_view_are_refused_and_other_methods_not_allowed(evil_web: WebServer,
                                                                               evil_store: Path):
    before = sorted(p for p in evil_store.rglob("*") if p.is_file())
    status, _, _ = evil_web.post("/api/captures", b'{"urls": ["http://127.0.0.1:9/"], "story": "x"}',
                                 {"Content-Type": "application/json"})
    assert status == 403
    assert request(evil_web.base + f"/stories/{SLUG}", data=b"x")[0] == 405
    assert sorted(p for p in evil_store.rglob("*") if p.is_file()) == before
