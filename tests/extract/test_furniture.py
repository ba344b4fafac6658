"""Furniture rules: generic, multilingual, and never a real paragraph."""

import pytest

from storyarchive.extract.furniture import drop_furniture, is_furniture
from storyarchive.items import Block

FURNITURE = [
    "Share this article", "Share on Facebook", "Compartir en WhatsApp", "Partager sur X",
    "Copy link", "Read more: Why fast rail keeps stalling", "Lee también: Trump dice que...",
    "À lire aussi : Réforme des retraites", "Photo: EFE/Henry Chirinos",
    "Wendell Price in his store. (AP Photo/Kevin Marsh)", "Photograph: Getty Images",
    "Advertisement", "Publicidad", "Story continues below advertisement",
    "Sign up for our free weekday newsletter", "Published September 2, 2025",
    "Updated: Jan. 23, 2025 at 11:02 AM EST", "Copyright 2025 WNEX. All rights reserved.",
    "<< Back to Local News", "By Walter Simms, Staff Writer",
]
ARTICLE = [
    "Published in 1987, the report was ignored.",
    "Advertisement spending rose 4% last year.",
    "Copyright law experts disagree.",
    "Back to the drawing board",
    "By Tuesday, Congress had gone home.",
    "Share prices fell 3% on Monday after the announcement.",
    "Read the full statement on the ministry's website, officials said.",
]


@pytest.mark.parametrize("text", FURNITURE)
def test_furniture_is_recognised(text):
    assert is_furniture(text)


@pytest.mark.parametrize("text", ARTICLE)
def test_article_sentences_are_kept(text):
    assert not is_furniture(text)


def test_long_paragraph_is_never_furniture():
    text = "Share " + "prices rose again as investors weighed the news from the port. " * 5
    assert not is_furniture(text)


def _blocks(*texts):
    return [Block(index=i, kind="paragraph", text=t) for i, t in enumerate(texts)]


def test_title_and_byline_repeats_are_dropped_and_blocks_reindexed():
    kept = drop_furniture(
        _blocks("Mine wins approval", "By Hannah Lindqvist", "The board voted 5-2.",
                "Hannah Lindqvist", "The board voted 5-2."),
        title="Mine Wins Approval", authors=["Hannah Lindqvist"],
    )
    assert [b.text for b in kept] == ["The board voted 5-2.", "The board voted 5-2."]
    assert [b.index for b in kept] == [0, 1]


def test_comment_section_title_ends_the_article():
    kept = drop_furniture(_blocks("The vote was 7 to 4.", "Comentarios", "Un comentario."))
    assert [b.text for b in kept] == ["The vote was 7 to 4."]
