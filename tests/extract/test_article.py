"""extract_article: metadata and ordered blocks from real-looking pages."""

from pathlib import Path

import pytest

from eval.extraction.score import load_pages
from storyarchive.extract import ExtractOptions, NotHtmlError, extract_article, extract_body

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "000_e8344a3bda362c86.txt"
OPTIONS = ExtractOptions()


def _page(name):
    page = load_pages([name])[0]
    return page, extract_article(page.html, page.url, OPTIONS)


def _doubled_article_html() -> tuple[str, list[str]]:
    paragraphs = [p for p in FIXTURE.read_text(encoding="utf-8").splitlines() if p.strip()]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>CIA drone strike hit Venezuelan dock, official says | Northgate Globe</title>
<meta name="author" content="Daniel Reyes">
<meta property="article:published_time" content="2025-12-30T09:00:00Z">
<link rel="canonical" href="https://northgate.example/world/cia-strike-venezuela-dock"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>CIA drone strike hit Venezuelan dock, official says</h1>
<p class="byline">By Daniel Reyes</p>{body}</article>
<footer>© 2025 Northgate Globe</footer></body></html>"""
    return html, paragraphs


def test_doubled_article_keeps_all_fifteen_paragraphs_in_order():
    html, paragraphs = _doubled_article_html()
    assert len(paragraphs) == 15
    result = extract_article(html, "https://northgate.example/x?utm_source=a", OPTIONS)
    assert [b.text for b in result.blocks] == paragraphs
    assert [b.index for b in result.blocks] == list(range(15))
    assert result.blocks[1].text == result.blocks[8].text  # the repeat is kept, not dropped
    assert result.title == "CIA drone strike hit Venezuelan dock, official says"
    assert result.authors == ["Daniel Reyes"]
    assert (result.published, result.published_offset) == ("2025-12-30T09:00:00Z", "+00:00")
    assert result.canonical_url == "https://northgate.example/world/cia-strike-venezuela-dock"
    assert result.language == "en"


def test_arc_page_metadata_from_json_ld_and_og():
    page, result = _page("arc-port-strike")
    assert result.title == "Dockworkers walk out at three Gulf ports as talks collapse"
    assert result.authors == ["Carlos Whitfield", "Anne Marie Osei"]
    assert (result.published, result.published_offset) == ("2025-12-09T14:05:00Z", "+00:00")
    assert result.modified == "2025-12-09T18:40:00Z"
    assert result.site_name == "The Meridian Post"
    assert result.canonical_url == (
        "https://www.meridianpost.example/business/2025/12/09/dockworkers-walk-out-gulf-ports/"
    )
    texts = [b.text for b in result.blocks]
    assert any(t.startswith("Thousands of dockworkers walked off the job") for t in texts)
    assert texts[-1] == "No new talks were scheduled as of Tuesday night."
    assert not any(t.startswith("Read more") for t in texts)


def test_spanish_page_language_author_and_body():
    page, result = _page("es-muelle-zulia")
    assert result.language == "es"
    assert result.authors == ["María Fernanda Rojas"]
    assert any(b.text.startswith("El Gobierno de Venezuela denunció") for b in result.blocks)
    assert not any("Foto:" in b.text or b.text.startswith("Lee también") for b in result.blocks)


def test_block_kinds_headings_and_list_items():
    page, result = _page("explainer-lists-tariffs")
    kinds = [(b.kind, b.text) for b in result.blocks]
    assert ("heading", "What is being taxed?") in kinds
    assert ("list-item", "Toys and electronics, especially from Asia.") in kinds
    assert sum(1 for k, _ in kinds if k == "list-item") == 6


def test_block_quote_is_a_quote_block():
    page, result = _page("statement-blockquote-recall")
    quotes = [b.text for b in result.blocks if b.kind == "quote"]
    assert len(quotes) == 1 and quotes[0].startswith("The safety of our customers")


def test_comment_section_is_not_body_text():
    page, result = _page("wp-council-budget")
    assert "Eighteen dollars a metre" not in result.text
    assert result.blocks[-1].text.startswith("The council agreed to review the fee")


def test_data_table_rows_become_paragraphs():
    page, result = _page("table-figures-budget")
    assert "Staff pay awards | £3.1bn | 41%" in [b.text for b in result.blocks]


def test_whitespace_is_collapsed_and_no_block_is_empty():
    html = ("<html><body><article>" + "<p>  word \n\n  word\t word  </p><p> </p>" * 6
            + "<p>A much longer paragraph that carries enough text to count as a body for the"
              " extractor, which wants more than a handful of words before it trusts it.</p>"
            + "</article></body></html>")
    result = extract_article(html, "https://x.example/a", OPTIONS)
    assert result.blocks and all(b.text and "  " not in b.text for b in result.blocks)
    assert result.blocks[0].text == "word word word"


def test_bytes_input_is_decoded():
    html, paragraphs = _doubled_article_html()
    result = extract_article(html.encode("utf-8"), "https://northgate.example/x", OPTIONS)
    assert result.blocks[0].text == paragraphs[0]


def test_extractor_records_name_version_and_options():
    _, result = _page("amp-heatwave")
    assert result.extractor["name"] == "trafilatura"
    assert result.extractor["version"].count(".") >= 1
    assert result.extractor["options"]["favor_precision"] is True
    assert result.extractor["options"]["include_comments"] is False


def test_page_without_main_text_keeps_its_metadata():
    html = "<html lang='de'><head><title>Nur ein Titel</title></head><body></body></html>"
    result = extract_article(html, "https://x.example/leer", OPTIONS)
    assert result.blocks == []
    assert result.title == "Nur ein Titel"
    assert result.language == "de"


def test_extract_body_decodes_a_mislabelled_charset():
    html, paragraphs = _doubled_article_html()
    spanish = "<p>El ministro denunció el ataque contra el muelle; «es una agresión», dijo.</p>"
    body = html.replace("</article>", spanish + "</article>").replace('charset="utf-8"', "")
    result = extract_body(body.encode("cp1252", errors="replace"), "utf-8",
                          "https://x.example/a", OPTIONS)
    assert "El ministro denunció el ataque contra el muelle; «es una agresión», dijo." in (
        result.text
    )


@pytest.mark.parametrize("content_type,body,reason", [
    ("application/pdf", b"%PDF-1.7\n...", "pdf"),
    ("text/html", b"", "empty"),
    ("image/png", b"\x89PNG\r\n\x1a\n", "image"),
])
def test_extract_body_refuses_non_html(content_type, body, reason):
    with pytest.raises(NotHtmlError) as info:
        extract_body(body, None, "https://x.example/f", OPTIONS, content_type)
    assert info.value.reason == reason


def test_extract_body_uses_the_content_type_charset_when_no_encoding_is_given():
    html, _ = _doubled_article_html()
    body = html.replace('<meta charset="utf-8">', "").replace(
        "</article>", "<p>Año de tensión en el Caribe, según el ministro de Interior.</p></article>"
    ).encode("utf-8")
    result = extract_body(body, None, "https://x.example/a", OPTIONS,
                          "text/html; charset=ISO-8859-1")
    assert "Año de tensión en el Caribe, según el ministro de Interior." in result.text


def _dated_page(head: str, body: str = "") -> str:
    text = " ".join(["The dock strike went on for a third day as talks stalled again."] * 6)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><title>Dock strike day three</title>{head}</head>"
            f"<body><article><h1>Dock strike day three</h1>{body}<p>{text}</p><p>{text}</p>"
            "</article></body></html>")


def test_published_time_keeps_its_time_in_utc_with_the_page_offset():
    html = _dated_page('<meta property="article:published_time" content="2025-12-31T09:15:00-05:00">')
    result = extract_article(html, "https://h.example/a", OPTIONS)
    assert (result.published, result.published_offset) == ("2025-12-31T14:15:00Z", "-05:00")


def test_json_ld_gives_published_modified_image_keywords_and_section():
    ld = ('{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Herald"},'
          ' {"@type": "NewsArticle", "datePublished": "2025-12-31T09:15:00.000-05:00",'
          ' "dateModified": "2026-01-02T10:00:00Z",'
          ' "image": {"@type": "ImageObject", "url": "/img/lead.jpg"},'
          ' "keywords": "dock strike, Venezuela", "articleSection": "World"}]}')
    html = _dated_page(f'<script type="application/ld+json">{ld}</script>')
    result = extract_article(html, "https://h.example/news/a", OPTIONS)
    assert (result.published, result.published_offset) == ("2025-12-31T14:15:00Z", "-05:00")
    assert (result.modified, result.modified_offset) == ("2026-01-02T10:00:00Z", "+00:00")
    assert result.image == "https://h.example/img/lead.jpg"
    assert result.tags == ["dock strike", "Venezuela"]
    assert result.categories == ["World"]


def test_meta_tags_give_tags_lead_image_and_section():
    html = _dated_page('<meta property="og:image" content="https://cdn.h.example/lead.jpg">'
                       '<meta property="article:section" content="Business">'
                       '<meta property="article:tag" content="ports">'
                       '<meta property="article:tag" content="strikes">')
    result = extract_article(html, "https://h.example/a", OPTIONS)
    assert result.image == "https://cdn.h.example/lead.jpg"
    assert result.tags == ["ports", "strikes"]
    assert result.categories == ["Business"]


def test_a_dateline_time_element_gives_the_day_its_time():
    html = _dated_page("", '<p class="meta">By Ana Ruiz, <time datetime="2025-07-22T09:30:00+01:00">'
                           "22 July 2025</time></p>")
    result = extract_article(html, "https://h.example/a", OPTIONS)
    assert (result.published, result.published_offset) == ("2025-07-22T08:30:00Z", "+01:00")


def test_a_date_without_time_stays_a_date():
    html = _dated_page('<meta property="article:published_time" content="2025-12-31">')
    result = extract_article(html, "https://h.example/a", OPTIONS)
    assert (result.published, result.published_offset, result.modified) == ("2025-12-31", None, None)
    assert (result.image, result.tags, result.categories) == (None, [], [])
