"""Server-side request forgery: a feed (or a redirect) cannot make the crawler fetch this
machine's other services, a private network or a cloud metadata address. The story names
server A (a feed on 127.0.0.1); server B is another service on this machine, which only
the feed's links and a redirect point at."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile import web
from tests.hostile.conftest import Crawl, crawl, run, story_toml

METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
METADATA_MAPPED = "http://[::ffff:169.254.169.254]/latest/meta-data/"


@dataclass
class Servers:
    named: web.HostileServer  # the story's feed and articles
    other: web.HostileServer  # another loopback service, never named


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    with web.HostileServer() as a, web.HostileServer() as b:
        a.routes.update({
            "/feed.xml": web.page(web.rss([a.url("/article/1"), b.url("/secret"), METADATA,
                                           METADATA_MAPPED, a.url("/redirect")]),
                                  "application/rss+xml"),
            "/article/1": web.page(web.article_html(1)),
            "/redirect": web.redirect(b.url("/via-redirect")),
        })
        b.routes.update({"/secret": web.page(web.article_html(2)),
                         "/via-redirect": web.page(web.article_html(3)),
                         "/page": web.page(web.article_html(4))})
        yield Servers(a, b)


def story(servers: Servers) -> str:
    return story_toml(feeds=[servers.named.url("/feed.xml")])


@pytest.fixture(scope="module")
def guarded(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    before = len(servers.other.hits)
    result = crawl(tmp_path_factory.mktemp("guarded"), story(servers), verbose=True)
    assert len(servers.other.hits) == before  # (checked here: the next crawl hits it)
    return result


def test_links_and_redirects_to_an_unnamed_loopback_service_are_never_fetched(
        guarded: Crawl, servers: Servers):
    assert guarded.result.code == 0, guarded.log[-3000:]
    assert not any(r.uri.startswith(servers.other.base) for r in guarded.records)
    (secret,) = guarded.rejected(servers.other.url("/secret"))
    assert secret["reason"] == (
        "forbidden-address: 127.0.0.1 is loopback: not fetched for a discovered URL (allow it "
        "with STORYARCHIVE_ALLOW_NETWORKS, or name the host in the story file)")
    (redirected,) = guarded.rejected(servers.other.url("/via-redirect"))
    assert redirected["reason"].startswith("forbidden-address: 127.0.0.1 is loopback")
    assert redirected["redirected_from"] == servers.named.url("/redirect")
    # the redirect itself was archived: it crossed the wire
    (hop,) = guarded.responses(servers.named.url("/redirect"))
    assert hop.status == "302"


def test_a_link_to_a_cloud_metadata_address_is_refused_before_any_connection(guarded: Crawl):
    for url in (METADATA, METADATA_MAPPED):
        (entry,) = guarded.rejected(url)
        assert "is a cloud metadata service" in entry["reason"], entry
    assert not any("169.254.169.254" in r.uri for r in guarded.records)
    assert guarded.stat("storyarchive/addresses/refused") == 4
    assert "DownloadTimeoutError" not in guarded.log and "ConnectionRefused" not in guarded.log


def test_the_named_host_is_fetched_and_the_decision_logged(guarded: Crawl, servers: Servers):
    assert servers.named.url("/article/1") in {d["url"] for d in guarded.documents()}
    assert (f"127.0.0.1:{servers.named.port} resolves to 127.0.0.1 (loopback): allowed, named by "
            "the user (story file or capture)") in guarded.log


def test_networks_the_user_allows_are_fetched_and_metadata_still_is_not(
        servers: Servers, tmp_path: Path):
    before = servers.other.requested("/secret"), servers.other.requested("/via-redirect")
    allowed = crawl(tmp_path, story(servers), "STORYARCHIVE_ALLOW_NETWORKS=127.0.0.0/8")
    assert allowed.result.code == 0, allowed.log[-3000:]
    assert servers.other.requested("/secret") == before[0] + 1
    assert servers.other.requested("/via-redirect") == before[1] + 1
    kept = {d["url"] for d in allowed.documents()}
    assert servers.other.url("/secret") in kept
    assert [e["reason"] for e in allowed.rejected(METADATA)][0].startswith(
        "forbidden-address: 169.254.169.254 is a cloud metadata service")


def test_a_url_given_to_capture_is_fetched_and_the_decision_logged(servers: Servers, tmp_path: Path):
    before = servers.other.requested("/page")
    captured = run(tmp_path, ["capture", servers.other.url("/page"), "--story", "hostile-capture"],
                   slug="hostile-capture", verbose=True)
    assert captured.result.code == 0, captured.log[-3000:]
    assert servers.other.requested("/page") == before + 1
    assert f"127.0.0.1:{servers.other.port} resolves to 127.0.0.1 (loopback): allowed" in captured.log


def test_a_bad_allowed_network_is_refused_before_fetching(servers: Servers, tmp_path: Path):
    before = len(servers.named.hits)
    result = crawl(tmp_path, story(servers), "STORYARCHIVE_ALLOW_NETWORKS=10.0.0.0/8,intranet")
    assert result.result.code == 2
    assert ("storyarchive: error: STORYARCHIVE_ALLOW_NETWORKS: 'intranet' is not a network "
            "(CIDR like 10.0.0.0/8, or one address)") in result.log
    assert len(servers.named.hits) == before
