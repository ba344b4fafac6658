"""The generated outlet for the benchmark: deterministic, listed in a sitemap index of
children of at most 1000 URLs, on-topic, and fast to serve; with realistic pages, 150-200 KB
of real-site furniture around the same article, which extracts the same."""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import urlsplit

import pytest
from lxml import html

from demoweb import DemoWeb, DemoWebError
from demoweb.generated import GeneratedSite
from demoweb.outlets import GENERATED_SPEC
from demoweb.site import HTML as HTML_TYPE
from demoweb.site import DemoSite
from demoweb.story import REQUIRED
from storyarchive.extract import ExtractOptions, extract_body
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


# ---------------------------------------------------------------- realistic-size pages

REALISTIC_SAMPLE = range(0, 300, 13)


@pytest.fixture(scope="module")
def realistic_web():
    with DemoWeb(base_port=0, generated_articles=300, realistic_pages=True) as web:
        yield web


def _realistic_site(seed: int = 2025) -> DemoSite:
    return DemoSite((GENERATED_SPEC,), lambda slug, path: f"http://127.0.0.1:8409{path}",
                    GeneratedSite(300, seed), realistic_pages=True)


def test_realistic_pages_weigh_150_to_200_kb_and_vary_per_article(realistic_web):
    urls = realistic_web.generated_urls()
    sizes = []
    for i in REALISTIC_SAMPLE:
        status, headers, body = fetch(urls[i])
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        sizes.append(len(body))
    assert min(sizes) >= 150 * 1024 and max(sizes) <= 200 * 1024
    assert 160_000 <= sum(sizes) / len(sizes) <= 185_000
    assert len(set(sizes)) == len(sizes)


def test_realistic_pages_carry_scripts_state_json_json_ld_menus_and_lists(realistic_web):
    url = realistic_web.generated_urls()[42]
    status, _, body = fetch(url)
    assert status == 200
    doc = html.fromstring(body)
    inline_js = [s.text for s in doc.xpath("//script[not(@src) and not(@type)]")]
    assert len(inline_js) >= 6 and sum(map(len, inline_js)) >= 20_000
    (state,) = doc.xpath("//script[@id='__NEXT_DATA__' and @type='application/json']/text()")
    data = json.loads(state)
    assert len(state) >= 50_000
    article = data["props"]["pageProps"]["article"]
    assert article["canonicalUrl"] == url and len(article["body"]) >= 6
    assert len(data["props"]["pageProps"]["recommended"]) >= 15 and data["runtimeConfig"]["navigation"]
    ld = [json.loads(s) for s in doc.xpath("//script[@type='application/ld+json']/text()")]
    (news,) = [d for d in ld if d["@type"] == "NewsArticle"]
    assert news["headline"] == doc.xpath("//h1/text()")[0] and news["mainEntityOfPage"]["@id"] == url
    assert len(doc.xpath("//nav[@class='mega-menu']//a")) >= 250
    assert len(doc.xpath("//aside[@class='related-coverage']//li")) == 12
    assert doc.xpath("//footer//nav[@class='footer-directory']//a")
    assert len(doc.xpath("//div[contains(@class, 'ad-slot ')]")) == 3


def test_realistic_pages_are_deterministic_per_seed_and_article():
    a, b, other = _realistic_site(), _realistic_site(), _realistic_site(seed=2026)
    paths = [a.generated.meta(i).path for i in (0, 1, 299)]
    assert [a.respond("tidewater", p).body for p in paths] == [b.respond("tidewater", p).body for p in paths]
    other_page = other.respond("tidewater", other.generated.meta(1).path).body
    assert other_page != a.respond("tidewater", paths[1]).body


def test_realistic_page_extracts_like_the_small_page_of_the_same_article(generated_web, realistic_web):
    options = ExtractOptions()
    for i in REALISTIC_SAMPLE:
        small_url, real_url = generated_web.generated_urls()[i], realistic_web.generated_urls()[i]
        small = extract_body(fetch(small_url)[2], None, small_url, options, HTML_TYPE)
        real = extract_body(fetch(real_url)[2], None, real_url, options, HTML_TYPE)
        assert [(b.kind, b.text) for b in real.blocks] == [(b.kind, b.text) for b in small.blocks]
        assert len(real.blocks) >= 7
        assert (real.title, real.authors, real.published, real.site_name, real.description) == (
            small.title, small.authors, small.published, small.site_name, small.description)


def test_default_generated_pages_stay_small(generated_web):
    status, _, body = fetch(generated_web.generated_urls()[42])
    assert status == 200 and len(body) < 20_000 and b"__NEXT_DATA__" not in body


def test_realistic_pages_need_generated_articles():
    with pytest.raises(DemoWebError, match="generated_articles"):
        DemoWeb(base_port=0, realistic_pages=True)


def test_served_counts_responses_and_when_the_first_and_last_were_sent(fresh_demo_web):
    before = time.monotonic()
    assert fresh_demo_web.served("globe").responses == 0
    fetch(fresh_demo_web.url("globe", "/"))
    fetch(fresh_demo_web.url("globe", "/feed/"))
    served = fresh_demo_web.served("globe")
    assert served.responses == 2
    assert served.first_at is not None and served.last_at is not None
    assert before <= served.first_at <= served.last_at <= time.monotonic()
