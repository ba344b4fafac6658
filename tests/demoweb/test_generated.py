"""The generated outlet for the benchmark: deterministic, listed in a sitemap index of
children of at most 1000 URLs, on-topic, and fast to serve."""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlsplit

import pytest

from demoweb import DemoWeb
from demoweb.generated import GeneratedSite
from demoweb.story import REQUIRED
from tests.demoweb.helpers import fetch, matches_term, page, sitemap_entries, xml


@pytest.fixture(scope="module")
def generated_web():
    with DemoWeb(base_port=0, generated_articles=1200) as web:
        yield web


def test_sitemap_index_children_hold_at_most_1000_urls(generated_web):
    index = xml(generated_web.url("tidewater", "/sitemap_index.xml"))
    children = [loc.text for loc in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(children) == 2
    sizes = [len(sitemap_entries(c)) for c in children]
    assert sizes == [1000, 200]
    assert set(sitemap_entries(generated_web.url("tidewater", "/sitemap_index.xml"))) == set(
        generated_web.generated_urls())


def test_generated_urls_serve_articles_in_the_window(generated_web):
    urls = generated_web.generated_urls()
    assert len(urls) == len(set(urls)) == 1200
    for url in urls[::97]:
        doc = page(url)
        published = doc.xpath("//meta[@property='article:published_time']/@content")[0]
        assert "2026-01-01" <= published[:10] <= "2026-01-30"
        paragraphs = doc.xpath("//div[@class='article-body']/p/text()")
        assert len(paragraphs) >= 7  # 6-8 generated paragraphs, then the outlet boilerplate
        assert all(len(p.split()) >= 30 for p in paragraphs[:-1])
        text = " ".join(doc.xpath("//h1/text()") + paragraphs)
        assert all(matches_term(term, text) for term in REQUIRED)


def test_generation_is_deterministic_and_varied():
    a, b = GeneratedSite(50, seed=7), GeneratedSite(50, seed=7)
    assert [a.article(i) for i in range(50)] == [b.article(i) for i in range(50)]
    assert GeneratedSite(50, seed=8).article(3) != a.article(3)
    first_paragraphs = {a.article(i).body[1] for i in range(50)}
    assert len(first_paragraphs) == 50


def test_generated_story_lists_the_generated_sitemap(generated_web):
    assert generated_web.url("tidewater", "/sitemap_index.xml") in generated_web.story_toml()
    hand_written = generated_web.expected_canonical_urls(include_generated=False)
    assert hand_written < generated_web.expected_canonical_urls()


def test_serves_hundreds_of_requests_per_second_with_keep_alive(generated_web):
    urls = generated_web.generated_urls()[:400]
    for url in urls:  # warm the render cache, as a crawl's first pass would
        fetch(url)
    parts = urlsplit(urls[0])
    done = []

    def worker(chunk: list[str]) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        for url in chunk:
            conn.request("GET", urlsplit(url).path)
            resp = conn.getresponse()
            assert resp.status == 200 and len(resp.read()) > 3000
            done.append(url)
        conn.close()

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(urls[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = len(done) / (time.monotonic() - start)
    print(f"demo web: {rate:.0f} requests/s over keep-alive")
    assert len(done) == 400 and rate > 300
