"""Tier 1: the fixture page prints its article twice."""

from storyarchive.dedup import DedupConfig, text_dedup

from .data import FIXTURE, article


def fixture_item():
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 15
    return lines, article("http://127.0.0.1:9201/fixture", lines, "2025-12-09")


def test_fixture_text_dedup_holds_each_distinct_paragraph_once_in_order(embedded):
    lines, item = fixture_item()
    embedded().finalize([item])
    distinct = lines[:8]
    assert len(set(distinct)) == 8 and lines[8:] == lines[1:8]
    assert text_dedup(item.extraction.blocks) == "\n\n".join(distinct)


def test_fixture_repeats_point_to_their_first_occurrence(embedded):
    _, item = fixture_item()
    embedded().finalize([item])
    blocks = item.extraction.blocks
    assert [(b.relation, b.of_block) for b in blocks[:8]] == [("unique", None)] * 8
    assert [(b.relation, b.of_block) for b in blocks[8:]] == [
        ("repeat-in-page", i) for i in range(1, 8)]


def test_in_page_repeat_is_found_through_formatting_differences(embedded):
    item = article("http://127.0.0.1:9201/x", [
        "The strike is part of the administration's efforts to weaken Maduro's government.",
        "Short.",
        "THE STRIKE is part of the administration’s efforts to weaken Maduro’s government",
        "Short.",
    ])
    embedded(config=DedupConfig()).finalize([item])
    rel = [(b.relation, b.of_block) for b in item.extraction.blocks]
    # within one page even short blocks are repeats: the min-words rule is across documents
    assert rel == [("unique", None), ("unique", None), ("repeat-in-page", 0),
                   ("repeat-in-page", 1)]
