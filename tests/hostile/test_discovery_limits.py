"""A story crawl has a URL budget (STORYARCHIVE_MAX_URLS): a page with 200,000 links and a
sitemap index with 1,000 child sitemaps cannot keep it going for ever."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.hostile import web
from tests.hostile.conftest import Crawl, crawl, story_toml

LINKS = 200_000
CHILDREN = 1_000
BUDGET = 40
MiB = 1 << 20


@dataclass
class Budgeted:
    server: web.HostileServer
    crawl: Crawl
    seconds: float


@pytest.fixture(scope="module")
def budgeted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Budgeted]:
    tmp = tmp_path_factory.mktemp("budget")
    with web.HostileServer() as server:
        server.routes.update({
            "/links": web.page(web.many_links(LINKS)),
            "/many/*": web.page(web.article_html(1)),
            "/sitemap-many.xml": web.page(web.sitemap_index(
                [server.url(f"/child/{i}.xml") for i in range(CHILDREN)]), "application/xml"),
            "/child/*": web.page(web.urlset([]), "application/xml"),
        })
        story = story_toml(seeds=[server.url("/links")], sitemaps=[server.url("/sitemap-many.xml")])
        started = time.monotonic()
        result = crawl(tmp, story, f"STORYARCHIVE_MAX_URLS={BUDGET}")
        yield Budgeted(server, result, time.monotonic() - started)


def test_a_story_crawl_requests_no_more_discovered_urls_than_its_budget(budgeted: Budgeted):
    assert budgeted.crawl.result.code == 0, budgeted.crawl.log[-3000:]
    server = budgeted.server
    assert server.requested_under("/many/") + server.requested_under("/child/") == BUDGET
    assert budgeted.crawl.stat("storyarchive/discovery/over_budget") == LINKS + CHILDREN - BUDGET


def test_each_source_cut_by_the_budget_is_in_the_manifest_with_how_many_it_lost(budgeted: Budgeted):
    reason = f"url-budget: STORYARCHIVE_MAX_URLS={BUDGET} reached"
    entries = [e for e in budgeted.crawl.manifest()["rejected_at_discovery"] if e["reason"] == reason]
    by_source = {e["url"]: e["not_followed"] for e in entries}
    assert budgeted.server.url("/links") in by_source
    requested = {"/links": budgeted.server.requested_under("/many/"),
                 "/sitemap-many.xml": budgeted.server.requested_under("/child/")}
    for path, fetched in requested.items():
        total = LINKS if path == "/links" else CHILDREN
        assert by_source.get(budgeted.server.url(path), 0) == total - fetched
    assert "URL budget reached: STORYARCHIVE_MAX_URLS=40" in budgeted.crawl.log


def test_a_page_with_200000_links_is_read_in_bounded_time_and_memory(budgeted: Budgeted):
    (record,) = budgeted.crawl.responses(budgeted.server.url("/links"))
    assert record.payload == web.many_links(LINKS)
    assert budgeted.crawl.stat("storyarchive/discovery/seed_links") == LINKS
    assert budgeted.seconds < 120
    assert budgeted.crawl.peak_rss < 400 * MiB, f"{budgeted.crawl.peak_rss / MiB:.0f} MiB"
