"""Normalization: NFKC, case folding, punctuation and whitespace folded, numbers kept."""

from storyarchive.dedup.normalize import normalize, tokens


def test_formatting_variants_normalize_to_the_same_text():
    a = normalize("Trump's comments suggest that he authorized the \"CIA\" operation.")
    b = normalize("  TRUMP’S  comments\nsuggest that he authorized the “CIA” operation ")
    assert a.key == b.key
    assert a.tokens == ("trumps", "comments", "suggest", "that", "he", "authorized", "the",
                        "cia", "operation")


def test_nfkc_folds_full_width_digits_and_ligatures():
    assert tokens("ﬁnal ２３００ ＣＩＡ") == ["final", "2300", "cia"]


def test_numbers_are_never_folded():
    assert normalize("Stocks rose 2.1% on Tuesday").key != normalize("Stocks rose 21% on Tuesday").key
    assert normalize("Stocks rose 2.1% on Tuesday").key != normalize("Stocks rose 0.4% on Tuesday").key
    assert tokens("2,1 and 2.1") == ["2,1", "and", "2.1"]


def test_thousands_comma_is_one_number():
    assert tokens("4,500 officers and 1,234,567 votes") == ["4500", "officers", "and",
                                                           "1234567", "votes"]


def test_punctuation_only_block_has_no_tokens():
    n = normalize(" *** — … ")
    assert n.tokens == () and n.key == 0
