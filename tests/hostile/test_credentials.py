"""Credentials in URLs (`http://user:password@host/`) are sent as an Authorization header to
the URL the user gave them for, and written or logged nowhere: not in the WARC's target
URIs or index, the journal, the manifest, the documents or the log. The WARC request record
keeps the Authorization header as it crossed the wire."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from demoweb import free_port
from tests.commands.test_crawl import cli_env
from tests.hostile import web
from tests.hostile.conftest import Crawl, all_bytes, crawl, run, story_toml
from tests.store.conftest import run_cli

PASSWORD = "S3cret-pw-7f1c"
USER = "alice"
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
OTHER = "mallory:stolen-9e2a"  # user info a feed puts into a link


def authorized(body: bytes, content_type: str = "text/html; charset=utf-8") -> web.Route:
    def route(ex: web.Exchange) -> None:
        if ex.hit.headers.get("authorization") == AUTH:
            ex.respond(body, content_type)
        else:
            ex.respond(b"who are you?", "text/plain", "401 Unauthorized",
                       (("WWW-Authenticate", 'Basic realm="desk"'),))
    return route


@pytest.fixture(scope="module")
def server() -> Iterator[web.HostileServer]:
    with web.HostileServer() as s:
        s.routes.update({
            "/feed.xml": authorized(web.rss([s.url("/article/1"),
                                             f"http://{OTHER}@{s.host}/article/2"]),
                                    "application/rss+xml"),
            "/article/1": web.page(web.article_html(1)),
            "/article/2": web.page(web.article_html(2)),
            "/private": authorized(web.article_html(3)),
        })
        yield s


def with_credentials(server: web.HostileServer, path: str) -> str:
    return f"http://{USER}:{PASSWORD}@{server.host}{path}"


@pytest.fixture(scope="module")
def crawled(server: web.HostileServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    story = story_toml(feeds=[with_credentials(server, "/feed.xml")])
    return crawl(tmp_path_factory.mktemp("credentials"), story, "STORYARCHIVE_JOURNAL_KEEP=True",
                 verbose=True)


def test_a_story_feed_with_credentials_is_fetched_with_them_as_a_header(
        crawled: Crawl, server: web.HostileServer):
    assert crawled.result.code == 0, crawled.log[-3000:]
    feed = [h for h in server.hits if h.target == "/feed.xml"]
    assert feed and all(h.headers.get("authorization") == AUTH for h in feed)
    assert {d["url"] for d in crawled.documents()} == {server.url("/article/1"), server.url("/article/2")}


def test_the_password_of_a_story_source_is_written_and_logged_nowhere(crawled: Crawl):
    everything = all_bytes(crawled.store)  # WARCs, indexes, documents, manifest, journal
    assert (crawled.store / ".state").is_dir()  # (the kept journal is searched too)
    assert PASSWORD.encode() not in everything
    assert f"{USER}:".encode() not in everything
    assert PASSWORD not in crawled.log


def test_the_warc_request_record_keeps_the_authorization_header_sent(
        crawled: Crawl, server: web.HostileServer):
    (request,) = [r for r in crawled.records if r.type == "request" and r.uri.endswith("/feed.xml")]
    assert request.uri == server.url("/feed.xml")
    assert request.http_header("Authorization") == AUTH
    (response,) = crawled.responses(server.url("/feed.xml"))
    assert response.status == "200"


def test_credentials_in_a_discovered_link_are_neither_sent_nor_written(
        crawled: Crawl, server: web.HostileServer):
    (hit,) = [h for h in server.hits if h.target == "/article/2"]
    assert "authorization" not in hit.headers
    # (the feed's payload in the WARC holds the link as it was served: that was received)
    written = all_bytes(crawled.store, skip=lambda p: p.name.endswith(".warc.gz"))
    assert OTHER.encode() not in written
    assert not any(OTHER in r.uri for r in crawled.records)
    assert OTHER not in crawled.log


def test_a_captured_url_with_credentials_is_archived_and_its_password_written_nowhere(
        server: web.HostileServer, tmp_path: Path):
    captured = run(tmp_path, ["capture", with_credentials(server, "/private"), "--story", "private"],
                   "STORYARCHIVE_JOURNAL_KEEP=True", slug="private", verbose=True)
    assert captured.result.code == 0, captured.log[-3000:]
    (doc,) = captured.documents()
    assert doc["url"] == server.url("/private")
    assert doc["canonical_url"] == server.url("/private")
    assert PASSWORD.encode() not in all_bytes(captured.store)
    assert PASSWORD not in captured.log


def test_an_s3_endpoint_with_a_password_is_not_echoed_in_the_error(tmp_path: Path):
    env = {**cli_env(), "AWS_ENDPOINT_URL": f"http://{USER}:{PASSWORD}@127.0.0.1:{free_port()}",
           "AWS_ENDPOINT_URL_S3": f"http://{USER}:{PASSWORD}@127.0.0.1:{free_port()}",
           "STORYARCHIVE_S3_MAX_ATTEMPTS": "1"}
    for command in (["store", "check", "--store", "s3://bucket/prefix"],
                    ["crawl", str(tmp_path / "story.toml"), "--store", "s3://bucket/prefix"]):
        (tmp_path / "story.toml").write_text(story_toml(feeds=["http://127.0.0.1:9/f"]), encoding="utf-8")
        result = run_cli(command, env, tmp_path)
        assert result.code != 0
        assert "127.0.0.1" in result.err  # the error names the endpoint ...
        assert PASSWORD not in result.out + result.err  # ... without its password
        assert f"{USER}:" not in result.out + result.err
