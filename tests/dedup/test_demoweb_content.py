"""The dedup stage on the demo web's own article content (demoweb/): its wire story at three
outlets, every outlet's boilerplate box and the quote shared by two articles.

Built from the demo web's content modules, not over HTTP (the end-to-end crawl test is the
backbone's): each article becomes an item whose blocks are its paragraphs, its credit
lines and its outlet's boilerplate box, as they are printed in the page."""

import pytest

from demoweb.catalog import entry
from demoweb.content_coverage import COVERAGE_ARTICLES, SHARED_QUOTE
from demoweb.content_wire import WIRE_ARTICLES, WIRE_ORIGINAL
from demoweb.outlets import OUTLET_SPECS
from storyarchive.dedup import DedupConfig, text_dedup
from storyarchive.dedup.normalize import normalize

from .data import article

SPECS = {s.slug: s for s in OUTLET_SPECS}
SITE = {slug: f"127.0.0.1:{8401 + i}" for i, slug in enumerate(sorted(SPECS))}


def items_for(articles):
    items = {}
    for a in articles:
        e = entry(a.id)
        spec = SPECS[e.outlet]
        body = [*a.paragraphs(), *a.tail] + ([spec.boilerplate] if spec.boilerplate else [])
        items[a.id] = article(f"http://{SITE[e.outlet]}{e.path}", body, e.published, a.title,
                              spec.name)
    return items


@pytest.fixture
def demo(embedded):
    items = items_for([*WIRE_ARTICLES, *COVERAGE_ARTICLES])
    config = DedupConfig(wire_sites=frozenset({SITE["meridian"]}))
    summary = embedded("demo", config).finalize(list(items.values()))
    return items, summary


def test_edited_wire_paragraphs_are_wire_near_in_the_originals_cluster(demo):
    items, _ = demo
    original = items[WIRE_ORIGINAL.id].extraction.blocks
    by_key = {normalize(b.text).key: b for b in original}
    checked = 0
    for copy in WIRE_ARTICLES[1:]:
        for b in items[copy.id].extraction.blocks[:len(copy.paragraphs())]:
            same = by_key.get(normalize(b.text).key)
            if same is not None:
                assert b.relation == "wire-exact" and b.cluster == same.cluster
            else:
                assert b.relation == "wire-near", (copy.id, b.text)
                assert b.cluster in {o.cluster for o in original}
                checked += 1
    assert checked >= 5  # every copy has edited paragraphs


def test_credit_lines_the_outlets_added_stay_unique(demo):
    items, _ = demo
    for copy in WIRE_ARTICLES[1:]:
        blocks = items[copy.id].extraction.blocks
        n = len(copy.paragraphs())
        for b, line in zip(blocks[n:n + len(copy.tail)], copy.tail, strict=True):
            assert b.text == line and b.relation == "unique"


def test_the_wire_agency_copy_is_canonical_for_every_wire_cluster(demo):
    items, summary = demo
    wire_item = items[WIRE_ORIGINAL.id]
    wire_clusters = {b.cluster for b in wire_item.extraction.blocks if b.cluster}
    assert len(wire_clusters) == len(WIRE_ORIGINAL.paragraphs())
    for c in summary.clusters:
        if c.cluster in wire_clusters:
            assert c.canonical.canonical_url == wire_item.canonical_url
            assert len(c.sites) >= 3
    for copy in WIRE_ARTICLES[1:]:
        synd = items[copy.id].syndication
        assert synd["canonical"]["canonical_url"] == wire_item.canonical_url
        assert synd["is_canonical"] is False and synd["shared_share"] > 0.8


def test_every_outlets_boilerplate_box_is_removed_from_text_dedup(demo):
    items, _ = demo
    outlets_checked = set()
    for a_id, item in items.items():
        spec = SPECS[entry(a_id).outlet]
        pages = sum(1 for other in items if entry(other).outlet == spec.slug)
        if not spec.boilerplate or pages < 3:
            continue
        box = item.extraction.blocks[-1]
        assert box.text == spec.boilerplate and box.relation == "site-boilerplate"
        assert spec.boilerplate not in text_dedup(item.extraction.blocks)
        outlets_checked.add(spec.slug)
    assert len(outlets_checked) >= 3


def test_paragraphs_sharing_the_senators_quote_are_not_collapsed(demo):
    items, _ = demo
    quoting = [b for i in items.values() for b in i.extraction.blocks if SHARED_QUOTE in b.text]
    assert len(quoting) == 2
    assert all(b.relation == "unique" and b.cluster is None for b in quoting)
