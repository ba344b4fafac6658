"""Tier 2: site boilerplate; the hard negative of a quote shared by two articles."""

from storyarchive.dedup import DedupConfig, text_dedup

from .data import BOILERPLATE, CAPITAL, HARBOR, QUOTE, QUOTE_A, QUOTE_B, harbor_site_articles


def test_block_on_every_page_of_a_site_is_site_boilerplate_and_left_out_of_text_dedup(embedded):
    items = harbor_site_articles()
    embedded().finalize(items)
    harbor = [i for i in items if HARBOR in i.canonical_url]
    assert len(harbor) == 4
    for item in harbor:
        (box,) = [b for b in item.extraction.blocks if b.text == BOILERPLATE]
        assert box.relation == "site-boilerplate"
        assert BOILERPLATE not in text_dedup(item.extraction.blocks)
        others = [b for b in item.extraction.blocks if b.text != BOILERPLATE]
        assert all(b.text in text_dedup(item.extraction.blocks) for b in others)


def test_two_articles_quoting_the_same_official_are_not_collapsed(embedded):
    items = harbor_site_articles()
    embedded().finalize(items)
    quoting = [b for i in items for b in i.extraction.blocks if QUOTE in b.text]
    assert [b.text for b in quoting] == [QUOTE_A, QUOTE_B]
    assert [(b.relation, b.cluster) for b in quoting] == [("unique", None)] * 2
    capital = [i for i in items if CAPITAL in i.canonical_url][0]
    assert capital.syndication["shared_share"] == 0.0
    assert capital.syndication["clusters"] == []


def test_a_block_on_fewer_urls_than_the_threshold_is_not_boilerplate(embedded):
    items = harbor_site_articles()[:2]
    embedded(config=DedupConfig(boilerplate_min_urls=3)).finalize(items)
    assert all(b.relation == "unique" for i in items for b in i.extraction.blocks)


def test_boilerplate_counts_pages_from_earlier_crawls(embedded):
    items = harbor_site_articles()
    dedup = embedded()
    dedup.finalize(items[:2])  # two pages: not yet boilerplate
    assert all(b.relation == "unique" for i in items[:2] for b in i.extraction.blocks)
    dedup.finalize(items[2:3])  # the third page of the site carries it too
    (box,) = [b for b in items[2].extraction.blocks if b.text == BOILERPLATE]
    assert box.relation == "site-boilerplate"
