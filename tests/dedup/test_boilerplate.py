"""Tier 2: site boilerplate; the hard negative of a quote shared by two articles."""

from storyarchive.dedup import DedupConfig, text_dedup

from .data import BOILERPLATE, CAPITAL, HARBOR, QUOTE, QUOTE_A, QUOTE_B, article, harbor_site_articles


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


# ---- one article at several URLs of one outlet (issue 17, item 11) ------------------------
FILED_TWICE = [
    "Dock workers in Puerto Cabello walked off the job at dawn on Thursday, leaving dozens of "
    "container ships waiting outside the breakwater as talks with the port operator collapsed.",
    "The union says the operator broke a promise made in March to restore night-shift pay, "
    "a claim the company denies in a statement posted to its website late on Wednesday.",
    "Shipping agents said the backlog could take a week to clear even if the strike ends soon, "
    "and that two lines had already diverted vessels to the port of La Guaira instead.",
]


def filed_under_sections() -> list:
    """The Harbor Times' four different articles (each with its newsletter box), and one more
    article filed under three sections: three URLs, the same body, no canonical link."""
    copies = [article(f"http://{HARBOR}/{section}/dock-walkout", [*FILED_TWICE, BOILERPLATE],
                      "2025-12-11T07:00:00Z") for section in ("news", "business", "world")]
    return harbor_site_articles() + copies


def test_an_article_at_three_urls_of_one_outlet_keeps_its_text_on_every_copy(embedded):
    items = filed_under_sections()
    embedded().finalize(items)
    copies = [i for i in items if i.canonical_url.endswith("/dock-walkout")]
    for item in copies:
        kept = text_dedup(item.extraction.blocks)
        assert all(p in kept for p in FILED_TWICE), item.canonical_url
        assert BOILERPLATE not in kept  # the site's box is still boilerplate, also here
        assert [b.relation for b in item.extraction.blocks] == ["site-copy"] * 3 + ["site-boilerplate"]


def test_copies_of_one_article_point_at_one_canonical_copy(embedded):
    items = filed_under_sections()
    embedded().finalize(items)
    copies = sorted((i for i in items if i.canonical_url.endswith("/dock-walkout")),
                    key=lambda i: i.canonical_url)
    canonical = copies[0]  # same outlet and date: the canonical rule falls to URL order
    assert canonical.canonical_url == f"http://{HARBOR}/business/dock-walkout"
    for item in copies:
        synd = item.syndication
        assert synd["canonical"]["canonical_url"] == canonical.canonical_url
        assert synd["is_canonical"] is (item is canonical)
        assert synd["shared_share"] == 0.0  # a copy on its own outlet is not syndication
    clusters = {b.cluster for i in copies for b in i.extraction.blocks if b.relation == "site-copy"}
    assert len(clusters) == 3  # one per paragraph, each with the same canonical copy


def test_copies_of_one_article_do_not_hide_boilerplate_from_different_articles(embedded):
    # the box is on two different articles and on three copies of a third: three articles,
    # so it is boilerplate (counting URLs would say five; counting copies alone, one)
    items = harbor_site_articles()[:2] + [
        article(f"http://{HARBOR}/{s}/dock-walkout", [*FILED_TWICE, BOILERPLATE]) for s in ("a", "b", "c")]
    embedded(config=DedupConfig(boilerplate_min_urls=3)).finalize(items)
    for item in items:
        (box,) = [b for b in item.extraction.blocks if b.text == BOILERPLATE]
        assert box.relation == "site-boilerplate", item.canonical_url


def test_an_article_copied_in_a_later_crawl_keeps_its_text(embedded):
    items = filed_under_sections()
    dedup = embedded()
    dedup.finalize(items[:-1])  # the first crawl saw two of the three URLs
    dedup.finalize(items[-1:])  # the next one the third
    (third,) = items[-1:]
    assert all(p in text_dedup(third.extraction.blocks) for p in FILED_TWICE)
    assert [b.relation for b in third.extraction.blocks][:3] == ["site-copy"] * 3
