"""Capture now, from the web view: refused without the token (nothing written), run in the
background with it (the document appears on the story page), and a page captured twice
with one sentence edited in between shows two versions and a diff of that sentence."""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demoweb import DemoWeb
from tests.cli import run_cli
from tests.web.conftest import TOKEN, WebServer, clean_env, screenshot, start_web, stop_web

STORY = "desk-captures"
ARTICLE = "c-explainer"
OLD = "The official said the operation was run by the CIA rather than the military"
NEW = "Two officials said the operation was run jointly by the CIA and the military"


def files(root: Path) -> dict[str, int]:
    """Every file under the store (the state directory included) with its size."""
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()} \
        if root.exists() else {}


@pytest.fixture(scope="module")
def site() -> Iterator[DemoWeb]:
    with DemoWeb(base_port=0) as web:
        yield web


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-captures") / "archive"


@pytest.fixture(scope="module")
def web_with_token(store: Path) -> Iterator[WebServer]:
    # the demo web is on loopback: URLs from the web are checked like discovered ones
    server = start_web(str(store), "--set", "STORYARCHIVE_ALLOW_NETWORKS=127.0.0.0/8",
                       env=clean_env(STORYARCHIVE_WEB_TOKEN=TOKEN))
    try:
        yield server
    finally:
        stop_web(server)


def wait_for(server: WebServer, job_id: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = server.json(f"/api/captures/{job_id}")
        if job["status"] not in ("queued", "running"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise AssertionError(f"capture {job_id} still {job['status']} after {timeout} s")


def post_capture(server: WebServer, urls: list[str], story: str = STORY,
                 token: str | None = TOKEN) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return server.post("/api/captures", json.dumps({"urls": urls, "story": story}).encode(), headers)


def post_form(server: WebServer, url: str, token: str) -> int:
    """The status of the story page's capture form posted with `url` and `token`."""
    form = urllib.parse.urlencode({"urls": url, "token": token}).encode()
    return server.post(f"/stories/{STORY}/captures", form,
                       {"Content-Type": "application/x-www-form-urlencoded"})[0]


def test_without_a_configured_token_the_web_view_refuses_captures_and_writes_nothing(
        site: DemoWeb, tmp_path: Path):
    store = tmp_path / "archive"
    server = start_web(str(store), env=clean_env())
    try:
        before = files(store)
        status, _, body = post_capture(server, [site.entry_url(ARTICLE)])
        assert status == 403 and b"read-only" in body
        assert post_form(server, site.entry_url(ARTICLE), TOKEN) == 403
        time.sleep(1)
        assert files(store) == before
    finally:
        stop_web(server)


def test_a_capture_request_without_the_token_or_with_a_wrong_one_is_refused_and_writes_nothing(
        site: DemoWeb, store: Path, web_with_token: WebServer):
    before = files(store)
    for token in (None, "wrong-token-0123456789", TOKEN + "x"):
        status, headers, _ = post_capture(web_with_token, [site.entry_url(ARTICLE)], token=token)
        assert status == 401 and headers["www-authenticate"] == "Bearer"
    assert post_form(web_with_token, site.entry_url(ARTICLE), "nope") == 401
    time.sleep(1)
    assert files(store) == before
    assert not (store / "stories" / STORY).exists()


def test_a_url_from_the_web_never_reaches_this_machine_or_a_private_network_unless_allowed(
        site: DemoWeb, tmp_path: Path):
    """`capture URL` on the command line fetches what its user names; a URL typed into the
    web view is checked like a discovered one, so a token holder cannot make the server read
    its own loopback services, its network or a cloud's metadata service."""
    store = tmp_path / "archive"
    server = start_web(str(store), env=clean_env(STORYARCHIVE_WEB_TOKEN=TOKEN))
    try:
        url = site.entry_url(ARTICLE)
        status, _, body = post_capture(server, [url, "http://169.254.169.254/latest/meta-data/"])
        assert status == 202
        job = wait_for(server, json.loads(body)["id"])
        assert job["status"] == "failed" and job["exit_code"] == 1
        assert job["documents"] == []
        refused = "\n".join(job["not_captured"])
        assert url in refused and "refused" in refused and "loopback" in refused, job
        assert "169.254.169.254" in refused, job
        assert not (store / "stories" / STORY / "articles").exists()
    finally:
        stop_web(server)


def test_a_capture_request_with_bad_urls_or_slug_is_refused_before_anything_runs(
        web_with_token: WebServer, store: Path):
    before = files(store)
    for urls, story in ((["ftp://example.org/x"], STORY), (["http://a b"], STORY), ([], STORY),
                        (["http://127.0.0.1:1/"], "../etc"), ("http://127.0.0.1:1/", STORY)):
        status, _, body = post_capture(web_with_token, urls, story=story)  # type: ignore[arg-type]
        assert status == 400, (urls, story, body)
        assert json.loads(body)["error"]
    assert files(store) == before


def test_with_the_token_a_capture_runs_in_the_background_and_its_article_appears_on_the_story_page(
        site: DemoWeb, web_with_token: WebServer, page: Any):
    url = site.entry_url("g-qa")
    status, headers, body = post_capture(web_with_token, [url])
    assert status == 202
    job = json.loads(body)
    assert headers["location"] == f"/api/captures/{job['id']}" and job["status"] in ("queued", "running")
    done = wait_for(web_with_token, job["id"])
    assert done["status"] == "finished", done["output"]
    assert done["exit_code"] == 0 and done["crawl_id"]
    [doc] = done["documents"]
    page.goto(f"{web_with_token.base}/stories/{STORY}")
    row = page.locator(f'table.articles tr.article[data-doc="{doc["doc_id"]}"]')
    assert row.locator("td").first.inner_text().strip() == doc["title"]
    assert doc["canonical_url"] == url
    history = page.locator("table.crawls").inner_text()
    assert done["crawl_id"] in history and "capture" in history


def test_a_page_edited_between_two_captures_shows_two_versions_and_a_diff_of_the_edited_sentence(
        site: DemoWeb, web_with_token: WebServer, page: Any):
    url = site.entry_url(ARTICLE)
    first = wait_for(web_with_token, json.loads(post_capture(web_with_token, [url])[2])["id"])
    assert first["status"] == "finished", first["output"]
    site.edit(ARTICLE, OLD, NEW)

    # the second capture through the story page's form, as a person would
    page.goto(f"{web_with_token.base}/stories/{STORY}")
    page.fill("form.capture textarea[name=urls]", url)
    page.fill("form.capture input[name=token]", TOKEN)
    page.click("form.capture button[type=submit]")
    assert "/captures/" in page.url
    page.wait_for_selector(".capture-status .status-finished", timeout=180_000)  # the page reloads itself
    page.click("ul.documents a")

    versions = page.locator("#versions .version")
    assert versions.count() == 2
    diff = versions.nth(1).locator(".diff")
    deleted = diff.locator("del").all_inner_texts()
    inserted = diff.locator("ins").all_inner_texts()
    assert deleted and inserted
    # every change lies in the edited sentence, and every word that changed is marked
    assert all(d in OLD for d in deleted) and all(i in NEW for i in inserted)
    assert set(OLD.split()) - set(NEW.split()) <= set(" ".join(deleted).split())
    assert set(NEW.split()) - set(OLD.split()) <= set(" ".join(inserted).split())
    assert NEW in " ".join(page.locator("#text").inner_text().split())
    stat = versions.nth(1).locator(".diffstat").inner_text()
    assert f"{len(' '.join(deleted).split())} words deleted" in stat
    screenshot(page, "versions")


def test_the_capture_command_the_web_view_runs_is_storyarchive_capture(site: DemoWeb, store: Path,
                                                                          web_with_token: WebServer):
    """Its documents are the same as the CLI's: a capture from the web view and one from
    `storyarchive capture` of the same page hold the same text."""
    url = site.entry_url("g-transit")
    done = wait_for(web_with_token, json.loads(post_capture(web_with_token, [url])[2])["id"])
    assert done["status"] == "finished", done["output"]
    other = store.parent / "cli-archive"
    run_cli("capture", url, "--story", STORY, "--store", str(other), env=clean_env())

    def text(root: Path) -> str:
        [doc_dir] = [d for d in (root / "stories" / STORY / "articles").iterdir()
                     if d.name == done["documents"][0]["doc_id"]]
        return json.loads(max(doc_dir.glob("*.json")).read_text())["text"]  # type: ignore[no-any-return]

    assert text(store) == text(other)
