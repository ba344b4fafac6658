"""URL canonicalization: one article, one URL."""

from __future__ import annotations

import pytest

from storyarchive.urls import (
    amp_to_canonical_guess,
    canonical_from_page,
    canonicalize_url,
    is_tracking_param,
)

CANONICAL = [
    # scheme and host case, default ports, empty path, fragment
    ("HTTP://Example.COM/News/Story", "http://example.com/News/Story"),
    ("https://example.com", "https://example.com/"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:443/a", "http://example.com:443/a"),  # not the default port for http
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("http://127.0.0.1:08401/a", "http://127.0.0.1:8401/a"),
    ("https://example.com/a#comments", "https://example.com/a"),
    ("https://example.com/a?#", "https://example.com/a"),
    ("https://example.com/a?", "https://example.com/a"),
    ("https://example.com./a", "https://example.com/a"),
    ("  https://example.com/a \n", "https://example.com/a"),
    # tracking parameters go, others stay, sorted by name (stable for repeats)
    ("https://example.com/a?utm_source=tw&utm_medium=social&id=7", "https://example.com/a?id=7"),
    ("https://example.com/a?UTM_Campaign=x&fbclid=IwAR0&gclid=1&dclid=2&msclkid=3",
     "https://example.com/a"),
    ("https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&ref_src=twsrc&_ga=2.1&yclid=4&twclid=5",
     "https://example.com/a"),
    ("https://example.com/a?pk_campaign=x&mtm_source=y&xtor=RSS-1&smid=nytcore", "https://example.com/a"),
    ("https://example.com/a?page=2&b=1&a=3", "https://example.com/a?a=3&b=1&page=2"),
    ("https://example.com/a?tag=z&tag=a", "https://example.com/a?tag=z&tag=a"),  # repeats keep order
    ("https://example.com/a?x=1&&y=&z", "https://example.com/a?x=1&y=&z"),
    ("https://example.com/a?utm_source=rss", "https://example.com/a"),
    ("https://example.com/a?utm%5Fsource=rss&q=1", "https://example.com/a?q=1"),  # encoded name
    # percent-encoding: unreserved decoded, hex upper-cased, reserved kept encoded
    ("https://example.com/%7Euser/%61rticle", "https://example.com/~user/article"),
    ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
    ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
    ("https://example.com/café", "https://example.com/caf%C3%A9"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/100%", "https://example.com/100%25"),
    ("https://example.com/s?q=a%26b&r=%3d", "https://example.com/s?q=a%26b&r=%3D"),
    ("https://example.com/s?q=caf%C3%A9+noir", "https://example.com/s?q=caf%C3%A9+noir"),
    ("https://example.com/s?q=peri%C3%B3dico", "https://example.com/s?q=peri%C3%B3dico"),
    # dot segments
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/../../a", "https://example.com/a"),
    ("https://example.com/a/b/..", "https://example.com/a/"),
    ("https://example.com/a/%2E%2E/b", "https://example.com/b"),
    # trailing slash is significant and kept
    ("https://example.com/a/", "https://example.com/a/"),
    # IDN host -> punycode
    ("https://Bücher.de/a", "https://xn--bcher-kva.de/a"),
    ("https://el-periódico.com.ve/nota", "https://xn--el-peridico-web.com.ve/nota"),
    # IPv6 (user info: test_user_info_is_dropped)
    ("http://[::1]:80/x", "http://[::1]/x"),
    ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
    ("https://Example.com/x", "https://example.com/x"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize("url", [c[1] for c in CANONICAL])
def test_canonical_form_is_a_fixed_point(url: str) -> None:
    assert canonicalize_url(url) == url


@pytest.mark.parametrize("url", ["https://user@Example.com/x", "https://user:s3cret@example.com/x",
                                 "https://:s3cret@example.com:443/x", "https://a%40b:p%3Aw@example.com/x"])
def test_user_info_is_dropped(url: str) -> None:
    assert canonicalize_url(url) == "https://example.com/x"


def test_tracking_variants_of_one_article_collapse_to_one_url() -> None:
    variants = [
        "https://news.example.com/2025/12/30/cia-strike-venezuela-dock",
        "https://NEWS.example.com:443/2025/12/30/cia-strike-venezuela-dock#top",
        "https://news.example.com/2025/12/30/cia-strike-venezuela-dock?utm_source=twitter&utm_medium=social",
        "https://news.example.com/2025/12/30/cia-strike-venezuela-dock?fbclid=IwAR2xyz",
        "https://news.example.com/2025/12/30/./cia-strike-venezuela-dock?",
    ]
    assert {canonicalize_url(u) for u in variants} == {
        "https://news.example.com/2025/12/30/cia-strike-venezuela-dock"}


@pytest.mark.parametrize("url", ["mailto:desk@example.com", "javascript:void(0)", "/relative/path",
                                 "ftp://example.com/a", "http://[::1/x", "http://example.com:99999/x", ""])
def test_non_http_or_broken_urls_come_back_stripped_not_raising(url: str) -> None:
    assert canonicalize_url(f" {url} ") == url


@pytest.mark.parametrize(("name", "tracking"), [
    ("utm_source", True), ("UTM_TERM", True), ("fbclid", True), ("gclid", True), ("_ga", True),
    ("hsa_cam", True), ("id", False), ("page", False), ("q", False), ("amp", False), ("utm", False),
])
def test_is_tracking_param(name: str, tracking: bool) -> None:
    assert is_tracking_param(name) is tracking


AMP = [
    ("https://www.example.com/2025/12/story/amp/", "https://www.example.com/2025/12/story/"),
    ("https://www.example.com/2025/12/story/amp", "https://www.example.com/2025/12/story"),
    ("https://www.example.com/amp/2025/12/story", "https://www.example.com/2025/12/story"),
    ("https://www.example.com/story?amp=1", "https://www.example.com/story"),
    ("https://www.example.com/story?amp", "https://www.example.com/story"),
    ("https://www.example.com/story?id=4&amp=true", "https://www.example.com/story?id=4"),
    ("https://www.example.com/story?outputType=amp", "https://www.example.com/story"),
    ("https://www.example.com/news/story.amp.html", "https://www.example.com/news/story.html"),
    ("https://www.example.com/news/story.amp", "https://www.example.com/news/story"),
    ("https://amp.example.com/news/story", "https://www.example.com/news/story"),
    ("https://amp.example.com/news/story?utm_source=x#a", "https://www.example.com/news/story"),
    ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/amp/story",
     "https://www.example.com/news/story"),
    ("https://www-example-com.cdn.ampproject.org/c/www.example.com/news/story.amp.html",
     "http://www.example.com/news/story.html"),
    ("https://www.google.com/amp/s/www.example.com/news/story", "https://www.example.com/news/story"),
    ("http://127.0.0.1:8403/amp/world/strike", "http://127.0.0.1:8403/world/strike"),
]


@pytest.mark.parametrize(("url", "expected"), AMP)
def test_amp_guess(url: str, expected: str) -> None:
    assert amp_to_canonical_guess(url) == expected


@pytest.mark.parametrize("url", [
    "https://www.example.com/news/story",
    "https://www.example.com/news/ampere-record",  # 'amp' inside a word is not a segment
    "https://www.example.com/news/example?amp=0",
    "https://amp.com/news/story",  # the registrable domain itself, not an amp. subdomain
    "https://amp.co.uk/news/story",  # likewise, under a two-label public suffix
    "https://www.example.com/news/amped.html",
    "mailto:desk@example.com",
])
def test_no_amp_guess_for_regular_urls(url: str) -> None:
    assert amp_to_canonical_guess(url) is None


CANONICAL_FROM_PAGE = [
    # usable: absolute, relative, scheme change, www/amp host of the same site, port kept
    ("https://www.example.com/story/amp", "https://www.example.com/story", "https://www.example.com/story"),
    ("https://www.example.com/story/amp", "/story?utm_source=amp", "https://www.example.com/story"),
    ("https://www.example.com/a/b/amp/", "../", "https://www.example.com/a/b/"),
    ("http://www.example.com/story", "https://www.example.com/story", "https://www.example.com/story"),
    ("https://amp.example.com/story", "https://www.example.com/story", "https://www.example.com/story"),
    ("https://m.example.com/story", "https://example.com/story", "https://example.com/story"),
    ("https://edition.example.co.uk/s", "https://www.example.co.uk/s", "https://www.example.co.uk/s"),
    ("http://127.0.0.1:8401/world/strike/amp", "/world/strike", "http://127.0.0.1:8401/world/strike"),
    ("https://m.foo.blogspot.com/2025/a.html", "https://foo.blogspot.com/2025/a.html",
     "https://foo.blogspot.com/2025/a.html"),
    ("https://news.bücher.de/a", "https://www.Bücher.de/a", "https://www.xn--bcher-kva.de/a"),
    ("http://localhost:8401/a/amp", "http://localhost:8401/a", "http://localhost:8401/a"),
    ("https://www.example.com/story", "  https://www.example.com/story#x  ", "https://www.example.com/story"),
    # rejected: the page's own URL instead
    ("https://www.example.com/story?utm_source=x", "https://other.org/story", "https://www.example.com/story"),
    ("https://a.co.uk/story", "https://b.co.uk/story", "https://a.co.uk/story"),
    # two blogs of one hosting platform (a private suffix of the Public Suffix List)
    ("https://foo.blogspot.com/2025/a.html", "https://bar.blogspot.com/2025/a.html",
     "https://foo.blogspot.com/2025/a.html"),
    ("https://foo.github.io/a", "https://github.io/a", "https://foo.github.io/a"),
    ("https://news.bücher.de/a", "https://bucher.de/a", "https://news.xn--bcher-kva.de/a"),
    ("http://localhost:8401/a", "http://127.0.0.1:8401/a", "http://localhost:8401/a"),
    ("http://127.0.0.1:8401/story", "http://127.0.0.1:8402/story", "http://127.0.0.1:8401/story"),
    ("http://127.0.0.1:8401/story", "http://127.0.0.2:8401/story", "http://127.0.0.1:8401/story"),
    ("https://www.example.com/story", "https://www.example.com/", "https://www.example.com/story"),
    ("https://www.example.com/story", "/", "https://www.example.com/story"),
    ("https://www.example.com/story", "", "https://www.example.com/story"),
    ("https://www.example.com/story", "{{canonical_url}}", "https://www.example.com/story"),
    ("https://www.example.com/story", "https://www.example.com/%7B%7Burl%7D%7D", "https://www.example.com/story"),
    ("https://www.example.com/story", "javascript:void(0)", "https://www.example.com/story"),
    ("https://www.example.com/story", "mailto:desk@example.com", "https://www.example.com/story"),
    ("https://www.example.com/story", "https://www.example.com/" + "a" * 3000, "https://www.example.com/story"),
    ("https://www.example.com/story", "http://[::1", "https://www.example.com/story"),
    # the home page may be its own canonical
    ("https://www.example.com/", "https://www.example.com/", "https://www.example.com/"),
]


@pytest.mark.parametrize(("page", "href", "expected"), CANONICAL_FROM_PAGE)
def test_canonical_from_page(page: str, href: str, expected: str) -> None:
    assert canonical_from_page(page, href) == expected


def test_canonical_from_page_without_href_is_the_page_url_canonicalized() -> None:
    assert canonical_from_page("https://Example.com/a?fbclid=1#x", None) == "https://example.com/a"
