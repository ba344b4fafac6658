"""Same input, same output: whatever the order, whichever backend."""

import json
import random
from dataclasses import asdict

from storyarchive.dedup import DedupConfig

from .data import WIRE, clone, harbor_site_articles, wire_story

CONFIG = DedupConfig(wire_sites=frozenset({WIRE}))


def corpus():
    return wire_story() + harbor_site_articles()


def output(items, summary) -> str:
    docs = sorted(({"url": i.canonical_url, "blocks": [asdict(b) for b in i.extraction.blocks],
                    "syndication": i.syndication} for i in items), key=lambda d: d["url"])
    return json.dumps({"docs": docs, "summary": summary.to_dict()}, sort_keys=True)


def test_three_shuffles_give_identical_output(embedded):
    base = corpus()
    reference = output(base, embedded("ref", CONFIG).finalize(base))
    assert '"wire-near"' in reference and '"site-boilerplate"' in reference
    for seed in (1, 2, 3):
        items = clone(corpus())
        random.Random(seed).shuffle(items)
        for it in items:  # arrival also differs in what earlier stages left in the blocks
            for b in it.extraction.blocks:
                b.relation, b.cluster = "unique", None
        assert output(items, embedded(f"shuffle-{seed}", CONFIG).finalize(items)) == reference


def test_embedded_and_redis_backends_give_identical_output(embedded, on_redis):
    a, b = corpus(), corpus()
    out_a = output(a, embedded("dock-strike", CONFIG).finalize(a))
    out_b = output(b, on_redis("dock-strike", CONFIG).finalize(b))
    assert out_a == out_b
    # and the second crawl, seen against each backend's persisted index, too
    a2, b2 = corpus()[:3], corpus()[:3]
    out_a2 = output(a2, embedded("dock-strike", CONFIG).finalize(a2))
    out_b2 = output(b2, on_redis("dock-strike", CONFIG).finalize(b2))
    assert out_a2 == out_b2


def test_splitting_a_crawl_over_workers_gives_the_same_relations(on_redis, store):
    """Two workers share the Redis index, each finalizing half the pages; the pages of the
    second worker see the first worker's blocks (their text read back from the archive)."""
    from storyarchive.document import build_document, write_document

    whole = corpus()
    reference = output(whole, on_redis("whole", CONFIG).finalize(whole))
    ref_docs = json.loads(reference)["docs"]
    items = corpus()
    for it in items:
        it.story = "split"
    first, second = items[::2], items[1::2]
    on_redis("split", CONFIG).finalize(first)
    for it in first:
        write_document(store, build_document(it, crawl_id="w1"))
    summary = on_redis("split", CONFIG).finalize(second)
    assert summary.earlier_documents == len(first) and summary.unverifiable == 0
    ref = {d["url"]: d["blocks"] for d in ref_docs}
    for it in second:
        assert [b.relation for b in it.extraction.blocks] == \
            [b["relation"] for b in ref[it.canonical_url]], it.canonical_url
