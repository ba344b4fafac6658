"""storyarchive.requisites: what a page and a stylesheet need to render."""

import itertools

import lxml.html

from storyarchive.requisites import (
    PageLinks,
    _absolute,
    _Resolver,
    css_requisites,
    page_requisites,
    tree_links,
)

BASE = "http://news.example/world/2025/story.html"


def test_page_requisites_lists_stylesheets_icons_scripts_and_images_in_document_order():
    html = """<html><head>
      <link rel="stylesheet" href="/static/site.css">
      <link rel="icon" href="/favicon.ico">
      <link rel="canonical" href="/world/2025/story.html">
      <link rel="alternate" type="application/rss+xml" href="/feed.xml">
      <script src="app.js"></script>
      </head><body><img src="../img/lead.png" alt=""></body></html>"""
    assert page_requisites(html, BASE) == [
        "http://news.example/static/site.css",
        "http://news.example/favicon.ico",
        "http://news.example/world/2025/app.js",
        "http://news.example/world/img/lead.png",
    ]


def test_srcset_picture_sources_and_video_posters_are_requisites():
    html = """<body><picture><source srcset="/a-1x.webp 1x, /a-2x.webp 2x">
      <img src="/a.jpg" srcset="/a-640.jpg 640w,/a-1280.jpg 1280w"></picture>
      <video poster="/poster.jpg"></video></body>"""
    assert page_requisites(html, BASE) == [
        "http://news.example/a-1x.webp", "http://news.example/a-2x.webp",
        "http://news.example/a.jpg", "http://news.example/a-640.jpg",
        "http://news.example/a-1280.jpg", "http://news.example/poster.jpg",
    ]


def test_url_references_in_style_elements_and_style_attributes_are_requisites():
    html = """<head><style>@import "print.css"; body { background: url('/bg.png') }</style></head>
      <body><div style="background-image: url(/hero.jpg)"></div></body>"""
    assert page_requisites(html, BASE) == [
        "http://news.example/world/2025/print.css", "http://news.example/bg.png",
        "http://news.example/hero.jpg",
    ]


def test_data_uris_fragments_and_duplicates_are_skipped():
    html = """<img src="data:image/png;base64,iVBORw0KGgo="><img src="/x.png#frag">
      <img src="/x.png"><img src="javascript:void(0)"><img src="">"""
    assert page_requisites(html, BASE) == ["http://news.example/x.png"]


def test_base_href_changes_where_relative_references_point():
    html = '<head><base href="https://cdn.example/assets/"></head><body><img src="i.png"></body>'
    assert page_requisites(html, BASE) == ["https://cdn.example/assets/i.png"]


def test_preloads_of_fonts_are_requisites_but_preloaded_documents_are_not():
    html = """<link rel="preload" as="font" href="/f.woff2" crossorigin>
      <link rel="preload" as="fetch" href="/api/data.json">"""
    assert page_requisites(html, BASE) == ["http://news.example/f.woff2"]


def test_the_limit_caps_how_many_requisites_one_page_yields():
    html = "".join(f'<img src="/i{n}.png">' for n in range(50))
    assert len(page_requisites(html, BASE, limit=10)) == 10
    assert page_requisites(html, BASE, limit=10)[-1] == "http://news.example/i9.png"


def test_unparseable_or_empty_html_has_no_requisites():
    assert page_requisites("", BASE) == []


def test_css_requisites_are_fonts_images_and_imports_relative_to_the_stylesheet():
    css = """/* url(/commented-out.png) */
      @import url("base.css"); @import 'theme.css';
      @font-face { font-family: X; src: url(../fonts/x.woff2) format("woff2"),
                   url("data:font/woff2;base64,AAAA") format("woff2"); }
      .hero { background: url( '/img/hero.png' ) }"""
    got = css_requisites(css, "http://news.example/static/css/site.css")
    assert got == [
        "http://news.example/static/css/theme.css",
        "http://news.example/static/css/base.css",
        "http://news.example/static/fonts/x.woff2",
        "http://news.example/img/hero.png",
    ]


def test_a_style_attribute_counts_after_its_element_and_before_its_children():
    html = """<body><div style="background: url(/a.png)">
      <img src="/b.png" srcset="/b2.png 2x" style="background: URL('/c.png')">
      <style style="x: url(/e.png)">p { background: url(/d.png) }</style></div></body>"""
    assert page_requisites(html, BASE) == [
        "http://news.example/a.png", "http://news.example/b.png", "http://news.example/b2.png",
        "http://news.example/c.png", "http://news.example/d.png", "http://news.example/e.png",
    ]


def test_a_base_href_anywhere_in_the_page_applies_to_every_reference():
    html = """<body><img src="i.png"><base target="_top"><base href="https://cdn.example/a/">
      <base href="https://other.example/"></body>"""
    assert page_requisites(html, BASE) == ["https://cdn.example/a/i.png"]


def test_the_canonical_link_is_read_in_the_same_pass_even_past_the_limit():
    html = "".join(f'<img src="/i{n}.png">' for n in range(5)) + (
        '<link rel="canonical"><link rel="canonical" href="/story">'
        '<link rel="canonical" href="/other">')
    links = tree_links(lxml.html.document_fromstring(html), BASE, limit=2)
    assert links == PageLinks(["http://news.example/i0.png", "http://news.example/i1.png"], "/story")
    assert tree_links(lxml.html.document_fromstring("<p>no links</p>"), BASE) == PageLinks([], None)


_BASES = ["http://news.example/world/2025/story.html?x=1#top", "https://h.example", "HTTPS://H.example:8443",
          "http://[::1]:8080/a/b/", "ftp://files.example/pub/", "http:///nohost", "", "http://[bad/x"]
_SCHEMES = ["", "/", "//", "http://", "https://", "HTTP://", "ftp://", "./", "../", " ", "\t/", "data:",
            "http:", "#"]
_HOSTS = ["", "h.example", "u@h.example:81", "[::1]", "[bad", "bücher.example", "a℀c.example", "?"]
_PATHS = ["", "/", "/a", "/a/./b", "/a/../../b", "/.x", "/a;p", "/a;", "/a b", "/é", "//a", "a/\nb"]
_QUERIES = ["", "?", "?q", "??", "?a=/."]
_FRAGMENTS = ["", "#", "#f"]


def _outcome(resolve, *args):
    try:
        return resolve(*args)
    except ValueError as exc:
        return f"ValueError: {exc}"


def test_references_resolve_exactly_as_urljoin_and_urldefrag_do():
    """The resolver's shortcuts for plain references give what urljoin gives, on
    generated references of every shape (including the ones urljoin refuses)."""
    refs = ["".join(parts) for parts in itertools.product(_SCHEMES, _HOSTS, _PATHS, _QUERIES, _FRAGMENTS)]
    for base in _BASES:
        resolver = _Resolver(base)
        got = [_outcome(resolver, ref) for ref in refs]
        assert got == [_outcome(_absolute, ref, base) for ref in refs], base
    plain = _Resolver(_BASES[0])
    assert [plain(ref) for ref in ("/a?q", "//h.example/a", "https://h.example", "b.png")] == [
        "http://news.example/a?q", "http://h.example/a", "https://h.example",
        "http://news.example/world/2025/b.png"]
    assert list(plain.resolved) == ["b.png"]  # only the relative path needed urljoin
