"""storyarchive.requisites: what a page and a stylesheet need to render."""

from storyarchive.requisites import css_requisites, page_requisites

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
