"""The dedup stage inside a real story crawl of the demo news web: the doubled fixture page,
each outlet's boilerplate, the wire story at four outlets and the shared-quote hard negative."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from demoweb.content_coverage import SHARED_QUOTE
from demoweb.outlets import OUTLET_SPECS
from tests.cli import latest_documents, run_cli

SLUG = "demo-dock-strike"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "000_e8344a3bda362c86.txt"


@pytest.fixture(scope="module")
def docs(demo_web, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dedup-crawl")
    story = tmp / "demo.toml"
    story.write_text(demo_web.story_toml(), encoding="utf-8")
    run_cli("crawl", str(story), "--store", str(tmp / "archive"), "--set", "AUTOTHROTTLE_ENABLED=False")
    return latest_documents(tmp / "archive", SLUG)


def test_fixture_page_keeps_each_distinct_paragraph_once_in_order(docs, demo_web):
    doc = docs[demo_web.canonical_url("g-fixture")]
    lines = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]
    distinct = list(dict.fromkeys(lines))
    assert len(distinct) == 8
    assert doc["text_dedup"] == "\n\n".join(distinct)
    repeats = [b for b in doc["blocks"] if b["relation"] == "repeat-in-page"]
    assert len(repeats) == 7
    for b in repeats:
        assert doc["blocks"][b["of_block"]]["text"] == b["text"]
        assert b["of_block"] == lines.index(b["text"])


def test_each_outlets_boilerplate_is_marked_and_left_out_of_text_dedup(docs, demo_web):
    by_site = defaultdict(list)
    for doc in docs.values():
        by_site[urlsplit(doc["canonical_url"]).port].append(doc)
    news = [s for s in OUTLET_SPECS if s.kind == "news"]
    assert news
    for spec in news:
        site_docs = by_site[urlsplit(demo_web.outlets[spec.slug].base_url).port]
        assert len(site_docs) >= 3, spec.slug
        for doc in site_docs:
            marked = [b for b in doc["blocks"] if b["text"] == spec.boilerplate]
            assert [b["relation"] for b in marked] == ["site-boilerplate"], (spec.slug, doc["url"])
            assert spec.boilerplate not in doc["text_dedup"]


def test_wire_copies_cluster_with_the_agency_copy_as_canonical(docs, demo_web):
    wire_ids = [e.id for e in demo_web.catalog if e.wire_cluster and e.kind == "article"]
    assert sorted(wire_ids) == ["a-wire", "c-wire", "h-wire", "m-wire"]
    agency = docs[demo_web.canonical_url("m-wire")]
    assert agency["syndication"]["is_canonical"] is True
    for wid in wire_ids:
        doc = docs[demo_web.canonical_url(wid)]
        canonicals = {c["canonical"]["doc_id"] for c in doc["syndication"]["clusters"]}
        assert canonicals == {agency["doc_id"]}, wid
        assert doc["syndication"]["shared_share"] > 0.8
    # Harbor's copy changed words in paragraph 0: near-duplicate, verified, not exact.
    harbor = docs[demo_web.canonical_url("h-wire")]
    first = harbor["blocks"][0]
    assert first["relation"] == "wire-near" and 0.5 < first["similarity"] < 1.0
    # Paragraph 3 was left alone by every outlet: exact copies in one cluster.
    clusters = {docs[demo_web.canonical_url(w)]["blocks"][3]["cluster"] for w in wire_ids}
    assert len(clusters) == 1
    # Wire copy stays in each article's deduplicated text: the article is still whole.
    assert harbor["blocks"][3]["text"] in harbor["text_dedup"]


def test_a_shared_quote_in_two_different_articles_is_not_collapsed(docs):
    quoting = [(d, b) for d in docs.values() for b in d["blocks"] if SHARED_QUOTE[:60] in b["text"]]
    assert len({d["doc_id"] for d, _ in quoting}) == 2
    assert all(b["relation"] == "unique" for _, b in quoting)


def test_unrelated_articles_share_nothing(docs, demo_web):
    doc = docs[demo_web.canonical_url("g-qa")]
    assert {b["relation"] for b in doc["blocks"]} <= {"unique", "site-boilerplate"}
    assert doc["syndication"]["clusters"] == []


def test_rebuild_without_the_story_file_changes_nothing(demo_web, tmp_path):
    """`dedup --rebuild` reads the wire agencies the crawl used from its manifest, so it
    chooses the same canonical copies and rewrites no document."""
    story = tmp_path / "demo.toml"
    story.write_text(demo_web.story_toml(), encoding="utf-8")
    store = tmp_path / "archive"
    run_cli("crawl", str(story), "--store", str(store), "--set", "AUTOTHROTTLE_ENABLED=False")
    before = latest_documents(store, SLUG)
    out = run_cli("dedup", SLUG, "--rebuild", "--store", str(store)).stdout
    assert f"0 of {len(before)} documents changed" in out
    assert latest_documents(store, SLUG) == before
