"""The Northgate Globe serves the shared fixture article verbatim, paragraphs printed twice."""

from __future__ import annotations

from pathlib import Path

from tests.demoweb.helpers import page

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "000_e8344a3bda362c86.txt"


def _fixture_lines() -> list[str]:
    from demoweb.fixture_text import PARAGRAPHS

    if FIXTURE.exists():  # the repository's copy of the shared original
        assert FIXTURE.read_text(encoding="utf-8").split("\n") == list(PARAGRAPHS)
    return list(PARAGRAPHS)


def test_fixture_page_holds_the_15_paragraphs_verbatim_and_in_order(demo_web):
    lines = _fixture_lines()
    assert len(lines) == 15 and lines[8:] == lines[1:8]
    doc = page(demo_web.entry_url("g-fixture"))
    paragraphs = [p.text_content() for p in doc.xpath("//div[@class='article-body']/p")]
    assert paragraphs[:15] == lines
    assert paragraphs[15:] == [
        "The Northgate Globe is committed to accuracy. If you spot an error in this story, write to "
        "corrections@northgateglobe.example and our standards editor will review it within one business day."]


def test_fixture_page_has_title_byline_and_date_in_markup(demo_web):
    doc = page(demo_web.entry_url("g-fixture"))
    assert doc.xpath("//h1[@class='headline']/text()") == [
        "CIA drone strike on Venezuelan territory marks new escalation against Maduro"]
    assert doc.xpath("//span[@class='byline']/text()") == ["By Martin Keane"]
    assert doc.xpath("//meta[@name='author']/@content") == ["Martin Keane"]
    assert doc.xpath("//time/@datetime") == ["2025-12-31T09:15:00-05:00"]
    assert doc.xpath("//meta[@property='article:published_time']/@content") == ["2025-12-31T09:15:00-05:00"]
