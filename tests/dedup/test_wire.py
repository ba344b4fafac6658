"""Tiers 3-4 on a wire story republished with edits at three outlets."""

from dataclasses import replace

from storyarchive import layout
from storyarchive.dedup import DedupConfig, text_dedup

from .data import (
    ATLANTIC,
    CAPITAL,
    HARBOR,
    WIRE,
    WIRE_PARAS,
    article,
    blocks_of,
    wire_story,
)

WIRE_CONFIG = DedupConfig(wire_sites=frozenset({WIRE}))


def test_edited_paragraphs_are_wire_near_and_verbatim_ones_wire_exact(embedded):
    items = wire_story()
    embedded(config=WIRE_CONFIG).finalize(items)
    harbor = blocks_of(items, HARBOR)
    assert [b.relation for b in harbor] == [
        "wire-exact", "wire-near", "wire-exact", "wire-near", "unique", "wire-exact", "wire-exact"]
    atlantic = blocks_of(items, ATLANTIC)
    assert [b.relation for b in atlantic] == [
        "wire-exact", "wire-exact", "wire-near", "wire-exact", "wire-exact", "wire-near"]
    capital = blocks_of(items, CAPITAL)
    assert [b.relation for b in capital] == [
        "wire-near", "wire-exact", "wire-exact", "wire-exact", "unique", "wire-exact"]
    for b in harbor + atlantic + capital:
        if b.relation == "wire-near":
            assert 0.6 <= b.similarity < 1.0, b
        elif b.relation == "wire-exact":
            assert b.similarity == 1.0


def test_each_edited_copy_joins_the_cluster_of_its_original_paragraph(embedded):
    items = wire_story()
    embedded(config=WIRE_CONFIG).finalize(items)
    wire = blocks_of(items, WIRE)
    harbor, atlantic, capital = (blocks_of(items, s) for s in (HARBOR, ATLANTIC, CAPITAL))
    assert harbor[1].cluster == wire[1].cluster  # two words changed
    assert harbor[3].cluster == wire[3].cluster  # last clause cut (containment)
    assert atlantic[2].cluster == wire[2].cluster  # one word added
    assert capital[0].cluster == wire[0].cluster  # three words changed
    assert len({b.cluster for b in wire}) == 6  # six different paragraphs, six clusters


def test_sentences_an_outlet_added_stay_unique_and_in_its_text(embedded):
    items = wire_story()
    embedded(config=WIRE_CONFIG).finalize(items)
    for site in (HARBOR, CAPITAL):
        added = blocks_of(items, site)[4]
        assert added.relation == "unique" and added.cluster is None
    (harbor,) = [i for i in items if HARBOR in i.canonical_url]
    text = text_dedup(harbor.extraction.blocks)
    assert "Dockworkers in Puerto Cabello told the Harbor Times" in text
    assert WIRE_PARAS[0] in text  # wire copy is kept: the article stays whole


def test_wire_outlet_is_canonical_even_when_another_copy_is_older(embedded):
    items = wire_story()
    summary = embedded(config=WIRE_CONFIG).finalize(items)
    wire_id = layout.doc_id(f"http://{WIRE}/world/cia-dock-strike")
    assert len(summary.clusters) == 6
    assert {c.canonical.doc_id for c in summary.clusters} == {wire_id}
    by_url = {i.canonical_url: i.syndication for i in items}
    assert by_url[f"http://{WIRE}/world/cia-dock-strike"]["is_canonical"] is True
    harbor = by_url[f"http://{HARBOR}/news/venezuela-dock"]
    assert harbor["is_canonical"] is False
    assert harbor["canonical"] == {"doc_id": wire_id,
                                   "canonical_url": f"http://{WIRE}/world/cia-dock-strike"}
    assert 0.8 < harbor["shared_share"] < 1.0  # one added paragraph of its own


def test_without_a_wire_outlet_the_earliest_published_copy_is_canonical(embedded):
    items = wire_story()
    summary = embedded(config=replace(WIRE_CONFIG, wire_sites=frozenset(),
                                      wire_names=frozenset())).finalize(items)
    # The Harbor Times published at 09:30Z, before the agency (10:00Z); the Capital
    # Courier's 12:15+01:00 is 11:15Z.
    harbor_id = layout.doc_id(f"http://{HARBOR}/news/venezuela-dock")
    capital_id = layout.doc_id(f"http://{CAPITAL}/2025/12/09/cia-venezuela")
    canon = {c.canonical.doc_id for c in summary.clusters}
    # the Harbor copy carries all six wire paragraphs (two of them edited), so it is the
    # earliest member of every cluster
    assert canon == {harbor_id}
    assert capital_id not in canon


def test_wire_agency_is_recognised_by_its_publisher_name(embedded):
    items = wire_story()
    config = replace(WIRE_CONFIG, wire_sites=frozenset(),
                     wire_names=frozenset({"meridian wire"}))
    summary = embedded(config=config).finalize(items)
    wire_id = layout.doc_id(f"http://{WIRE}/world/cia-dock-strike")
    assert {c.canonical.doc_id for c in summary.clusters} == {wire_id}


def test_same_date_the_most_complete_copy_then_url_order_wins(embedded):
    items = wire_story()
    for it in items:
        it.extraction.published = "2025-12-09"
    config = replace(WIRE_CONFIG, wire_sites=frozenset(), wire_names=frozenset())
    summary = embedded(config=config).finalize(items)
    by_cluster = {c.cluster: c for c in summary.clusters}
    wire = blocks_of(items, WIRE)
    # paragraph 3: Harbor's copy is cut short, the others are complete: among the complete
    # (equal word count) copies the smallest canonical URL wins
    c3 = by_cluster[wire[3].cluster]
    complete = sorted(m.canonical_url for m in c3.members if HARBOR not in m.canonical_url)
    assert c3.canonical.canonical_url == complete[0]
    # paragraph 2: Atlantic added a word ("criminal"), so its copy is the most complete
    c2 = by_cluster[wire[2].cluster]
    assert ATLANTIC in c2.canonical.canonical_url


def test_short_blocks_are_never_collapsed_across_documents(embedded):
    items = wire_story()
    for it in items:
        from storyarchive.items import Block

        it.extraction.blocks.append(Block(len(it.extraction.blocks), "paragraph",
                                          "Reporting by Meridian Wire staff."))
    embedded(config=WIRE_CONFIG).finalize(items)
    for it in items:
        last = it.extraction.blocks[-1]
        assert (last.relation, last.cluster) == ("unique", None)


def test_near_copies_within_one_outlet_are_not_verified_or_chained(embedded):
    """Two edited versions of one paragraph on two pages of one outlet are no tier of
    their own: the pair is not even verified. Another outlet's edit of one of them is
    caught, and does not pull in the outlet's other version, which it does not match."""
    p = WIRE_PARAS[3]
    a = p  # Harbor, page 1
    b = (p.replace("in a series of vague remarks over several days",  # Harbor, page 2
                   "in several vague remarks over recent days").replace("refused to", "declined to"))
    c = (p.replace("saying the United States had hit an area where boats load drugs",  # Capital
                   "saying the US had struck an area where boats load drugs")
         .replace("whether the CIA", "if the CIA"))
    # (shingle Jaccard: a-b 0.68, a-c 0.71, b-c 0.46: a chain through a would join b and c)
    items = [article(f"http://{HARBOR}/news/a", [a]), article(f"http://{HARBOR}/news/b", [b])]
    summary = embedded().finalize(items)
    assert summary.candidates == 0
    assert [bl.relation for i in items for bl in i.extraction.blocks] == ["unique", "unique"]

    items = [article(f"http://{HARBOR}/news/a", [a]), article(f"http://{HARBOR}/news/b", [b]),
             article(f"http://{CAPITAL}/news/c", [c])]
    embedded(slug="other").finalize(items)
    assert [bl.relation for i in items for bl in i.extraction.blocks] == [
        "wire-near", "unique", "wire-near"]
