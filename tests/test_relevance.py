"""Relevance scoring: whole words, any case or accent, title > URL > text."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyarchive.relevance import fold, score_relevance, url_words
from storyarchive.story import StoryDefinition, load_story, parse_story

STORY = parse_story("""
slug = "venezuela-dock-strike"
title = "US strike on a Venezuelan dock"
[terms]
required = ["venezuela | venezuelan | venezolano", "strike | attack | ataque"]
optional = ["CIA", "dock | muelle", "Maduro", "Tren de Aragua"]
excluded = ["baseball | béisbol"]
min_score = 2.0
""", "stories/test.toml")

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "000_e8344a3bda362c86.txt"
REPO = Path(__file__).resolve().parent.parent


def story_with(terms: str) -> StoryDefinition:
    return parse_story(f'slug = "t"\ntitle = "T"\n[terms]\n{terms}\n', "stories/t.toml")


def test_fold_lowercases_and_strips_accents() -> None:
    assert fold("ATAQUE en Perú, Bombardeó Ñandú") == "ataque en peru, bombardeo nandu"
    assert fold("Straße") == "strasse"


def test_url_words_come_from_the_path_only() -> None:
    assert url_words("https://venezuela-news.example/2025/12/cia_strike-on-dock.html?id=venezuela") == (
        "2025 12 cia strike on dock html")
    assert url_words("https://x.example/mundo/ataque-en-per%C3%BA") == "mundo ataque en perú"


def test_english_article_matches_in_every_field() -> None:
    rel = score_relevance(STORY, "CIA strike hit a dock in Venezuela",
                          "https://news.example/2025/12/30/cia-strike-venezuela-dock",
                          "The CIA carried out a drone strike on Venezuelan territory. Maduro ...")
    assert rel.relevant is True and rel.reason is None
    assert rel.matched == {
        "title": ["venezuela", "strike", "CIA", "dock"],
        "url": ["venezuela", "strike", "CIA", "dock"],
        "text": ["venezuelan", "strike", "CIA", "Maduro"],
    }
    # 4 entries in the title (x3), 4 in the URL (x2), 4 in the text (x1)
    assert rel.score == 4 * 3 + 4 * 2 + 4 * 1


def test_spanish_article_matches_without_accents_or_case() -> None:
    rel = score_relevance(STORY, "ATAQUE de la CIA contra un MUELLE",
                          "https://diario.example/mundo/ataque-cia-muelle",
                          "Un ataque atribuido a la CIA destruyó un muelle; el gobierno venezolano "
                          "denunció la agresión.")
    assert rel.relevant is True
    assert rel.matched["title"] == ["ataque", "CIA", "muelle"]
    assert rel.matched["text"] == ["venezolano", "ataque", "CIA", "muelle"]


def test_accents_fold_both_ways() -> None:
    story = story_with('required = ["bombardeó", "Peru"]')
    rel = score_relevance(story, "Bombardeo en PERÚ", "", "")
    assert rel.relevant is True
    assert rel.matched["title"] == ["bombardeó", "Peru"]


@pytest.mark.parametrize(("text", "matches"), [
    ("The port was hit.", True),
    ("A report was filed.", False),  # 'port' inside 'report'
    ("Portland", False),
    ("sports", False),
    ("port-side cranes", True),  # a hyphen is a word boundary
    ("(port)", True),
    ("PORT", True),
    ("port_authority", False),  # underscore is part of a word in text
])
def test_whole_words_only(text: str, matches: bool) -> None:
    rel = score_relevance(story_with('required = ["port"]'), "", "", text)
    assert rel.relevant is matches
    assert rel.matched["text"] == (["port"] if matches else [])


def test_a_word_does_not_match_its_longer_forms_unless_asked_with_a_star() -> None:
    plain = story_with('required = ["venezuela", "strike"]')
    rel = score_relevance(plain, "", "", "Venezuelan officials denied the strikes.")
    assert rel.relevant is False
    assert rel.reason == "missing required terms: venezuela; strike"
    starred = story_with('required = ["venezuel*", "strike*"]')
    rel = score_relevance(starred, "", "", "Venezuelan officials denied the strikes.")
    assert rel.relevant is True
    assert rel.matched["text"] == ["venezuel*", "strike*"]


@pytest.mark.parametrize("text", ["members of Tren de Aragua", "members of Tren\n de   Aragua",
                                  "TREN-DE-ARAGUA", "members of Tren de\u00a0Aragua"])
def test_phrases_match_across_whitespace_and_hyphens(text: str) -> None:
    rel = score_relevance(story_with('required = ["Tren de Aragua"]'), "", "", text)
    assert rel.matched["text"] == ["Tren de Aragua"]


def test_phrase_words_must_be_adjacent() -> None:
    rel = score_relevance(story_with('required = ["Tren de Aragua"]'), "", "", "the tren de la Aragua")
    assert rel.relevant is False


def test_phrase_matches_url_slug_words() -> None:
    rel = score_relevance(story_with('required = ["Tren de Aragua"]'), "",
                          "https://x.example/world/tren_de_aragua-gang", "")
    assert rel.matched["url"] == ["Tren de Aragua"] and rel.score == 2


def test_excluded_term_rejects_even_when_everything_else_matches() -> None:
    rel = score_relevance(STORY, "Venezuela strike: CIA dock", "https://x.example/a",
                          "The Venezuelan attack... and the baseball season goes on.")
    assert rel.relevant is False
    assert rel.reason == "excluded term: baseball"


def test_excluded_term_in_the_url_rejects() -> None:
    rel = score_relevance(STORY, "Venezuela strike", "https://x.example/sport/beisbol/venezuela-strike", "")
    assert rel.relevant is False
    assert rel.reason == "excluded term: béisbol"


def test_hard_negative_venezuelan_baseball_article_is_rejected() -> None:
    rel = score_relevance(
        STORY, "Venezuelan slugger's strike-out streak ends as Caracas win",
        "https://sports.example/2025/12/29/venezuela-baseball-strike-out-streak",
        "The Venezuelan outfielder struck out twice before a late attack of hits sealed the game. "
        "Baseball fans in Caracas celebrated at the port of La Guaira.")
    assert rel.relevant is False
    assert rel.reason == "excluded term: baseball"
    # it matched the required terms: only the exclusion stopped it
    assert "venezuelan" in rel.matched["title"] and "strike" in rel.matched["title"]


def test_missing_required_term_is_named_as_written() -> None:
    rel = score_relevance(STORY, "Venezuela's oil output rises", "https://x.example/oil",
                          "Venezuelan crude exports grew in December, Maduro said.")
    assert rel.relevant is False
    assert rel.reason == "missing required term: strike | attack | ataque"
    assert rel.matched["text"] == ["venezuelan", "Maduro"]
    assert rel.score == 3 + 2  # "Venezuela's" in the title (x3); two entries in the text (x1)


def test_score_below_min_score_is_rejected_with_the_numbers() -> None:
    story = story_with('required = ["venezuela", "strike"]\nmin_score = 3')
    rel = score_relevance(story, "", "", "Venezuela: the strike.")
    assert rel.score == 2.0
    assert rel.relevant is False
    assert rel.reason == "score 2 below min_score 3"
    assert score_relevance(story, "Strike", "", "Venezuela: the strike.").relevant is True  # 3 + 2


def test_each_term_counts_once_per_field() -> None:
    story = story_with('required = ["strike"]\noptional = ["dock | muelle"]')
    once = score_relevance(story, "", "", "strike dock")
    many = score_relevance(story, "", "", "strike strike strike dock muelle dock")
    assert once.score == many.score == 2.0
    assert many.matched["text"] == ["strike", "dock", "muelle"]  # every alternative found is listed


def test_field_weights_title_over_url_over_text() -> None:
    story = story_with('required = ["strike"]')
    assert score_relevance(story, "strike", "", "").score == 3.0
    assert score_relevance(story, "", "https://x.example/strike", "").score == 2.0
    assert score_relevance(story, "", "", "strike").score == 1.0
    assert score_relevance(story, "strike", "https://x.example/strike", "strike").score == 6.0


def test_host_and_query_are_not_url_evidence() -> None:
    story = story_with('required = ["venezuela"]')
    rel = score_relevance(story, "", "https://venezuela.example/news?topic=venezuela", "")
    assert rel.relevant is False and rel.matched["url"] == []


def test_missing_inputs_are_empty_fields() -> None:
    rel = score_relevance(STORY, None, None, None)
    assert rel.relevant is False
    assert rel.score == 0.0
    assert rel.matched == {"title": [], "url": [], "text": []}
    assert rel.reason == ("missing required terms: venezuela | venezuelan | venezolano; "
                          "strike | attack | ataque")


def test_fixture_article_is_accepted_with_its_matched_terms() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    rel = score_relevance(STORY, "CIA carried out drone strike on Venezuelan dock, official says",
                          "https://news.example/2025/12/30/cia-drone-strike-venezuela-dock", text)
    assert rel.relevant is True and rel.reason is None
    assert rel.matched["title"] == ["venezuelan", "strike", "CIA", "dock"]
    assert rel.matched["url"] == ["venezuela", "strike", "CIA", "dock"]
    assert rel.matched["text"] == ["venezuela", "venezuelan", "strike", "attack", "CIA", "dock", "Maduro",
                                   "Tren de Aragua"]
    assert rel.score == 4 * 3 + 4 * 2 + 6 * 1


def test_fixture_article_is_accepted_by_the_shipped_example_story() -> None:
    story = load_story(REPO / "stories" / "venezuela-dock-strike.toml")
    rel = score_relevance(story, "", "https://news.example/a", FIXTURE.read_text(encoding="utf-8"))
    assert rel.relevant is True
    assert {"venezuel*", "strike", "dock", "port facility", "CIA", "Maduro", "Tren de Aragua"} <= set(
        rel.matched["text"])


def test_example_story_rejects_a_dockworkers_strike() -> None:
    story = load_story(REPO / "stories" / "venezuela-dock-strike.toml")
    rel = score_relevance(story, "Venezuelan port paralysed as dockworkers strike over pay",
                          "https://news.example/b", "The strike at the port of Puerto Cabello entered its "
                          "third day; Venezuelan officials called it an attack on the economy.")
    assert rel.relevant is False
    assert rel.reason == "excluded term: dockworkers strike"
