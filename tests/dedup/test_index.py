"""The persisted index: later crawls see earlier blocks; a lost index is rebuilt from the
archive. (How compact it is, index bytes per block, is a figure of `python -m bench dedup`.)"""

import json
from dataclasses import asdict

import numpy as np
import pytest
import redis

from bench.dedup import StreamGenerator
from storyarchive.dedup import BlockDeduplicator, DedupConfig
from storyarchive.dedup.backend import RedisBackend, SqliteBackend
from storyarchive.dedup.index import PriorIndex, flat_band_keys
from storyarchive.dedup.rebuild import rebuild
from storyarchive.dedup.story import open_backend
from storyarchive.document import build_document, iter_latest_documents, write_document

from .data import ATLANTIC, CAPITAL, HARBOR, WIRE, blocks_of, clone, wire_story

CONFIG = DedupConfig(wire_sites=frozenset({WIRE}))


def store_documents(store, items, crawl_id="c1"):
    for it in items:
        write_document(store, build_document(it, crawl_id=crawl_id))


def rels(items):
    return {i.canonical_url: ([asdict(b) for b in i.extraction.blocks], i.syndication)
            for i in items}


def test_a_later_crawl_sees_the_first_crawls_blocks_from_the_persisted_index(embedded, store):
    everything = wire_story()
    embedded("all-at-once", CONFIG).finalize(everything)
    first = [i for i in wire_story() if WIRE in i.canonical_url or HARBOR in i.canonical_url]
    embedded("dock-strike", CONFIG).finalize(first)
    store_documents(store, first)
    # a new process: nothing in memory, only the SQLite file and the archive
    later = [i for i in wire_story() if CAPITAL in i.canonical_url or ATLANTIC in i.canonical_url]
    summary = embedded("dock-strike", CONFIG).finalize(later)
    assert summary.earlier_documents == 2 and summary.unverifiable == 0
    assert summary.verified > 0
    wire_clusters = [b.cluster for b in blocks_of(first, WIRE)]
    capital = blocks_of(later, CAPITAL)
    assert capital[0].relation == "wire-near" and capital[0].cluster == wire_clusters[0]
    assert blocks_of(later, ATLANTIC)[2].cluster == wire_clusters[2]
    # exactly what one crawl of all four pages says about these two
    ref = rels(everything)
    for url, got in rels(later).items():
        assert got == ref[url]
    members = {m.site for c in summary.clusters for m in c.members if m.earlier}
    assert members == {WIRE, HARBOR}


def test_losing_the_redis_index_costs_only_warm_up_and_rebuild_restores_it(on_redis, store,
                                                                           redis_url):
    first = [i for i in wire_story() if CAPITAL not in i.canonical_url]
    on_redis("dock-strike", CONFIG).finalize(first)
    store_documents(store, first)
    later = [i for i in wire_story() if CAPITAL in i.canonical_url]
    expected = rels(clone(later))
    on_redis("dock-strike", CONFIG).finalize(probe := clone(later), persist=False)
    expected = rels(probe)
    assert expected[later[0].canonical_url][0][0]["relation"] == "wire-near"

    redis.Redis.from_url(redis_url).flushall()
    cold = clone(later)
    on_redis("dock-strike", CONFIG).finalize(cold, persist=False)
    assert all(b.relation == "unique" for b in cold[0].extraction.blocks)  # warm-up
    stored_before = [d for _, d in iter_latest_documents(store, "dock-strike")]

    index = PriorIndex(open_backend("dock-strike", store, redis_url), CONFIG.index_meta())
    report = rebuild(store, "dock-strike", CONFIG, index, write=True)
    assert report.documents == 3 and report.changed == []  # what was written stays right
    assert [d for _, d in iter_latest_documents(store, "dock-strike")] == stored_before
    warm = clone(later)
    on_redis("dock-strike", CONFIG).finalize(warm, persist=False)
    assert rels(warm) == expected


def test_an_index_of_another_version_is_rebuilt_from_the_archive_not_a_failed_crawl(
        embedded, store, caplog):
    """After an upgrade that changes how keys are made (or a change of LSH settings), the
    first crawl rebuilds the story's index from its stored documents and goes on."""
    from storyarchive.dedup.records import encode_meta

    first = [i for i in wire_story() if CAPITAL not in i.canonical_url]
    embedded("dock-strike", CONFIG).finalize(first)
    store_documents(store, first)
    backend = open_backend("dock-strike", store, None)
    backend.clear()
    backend.append([encode_meta({**CONFIG.index_meta(), "v": 1})])  # an old index
    backend.close()
    later = [i for i in wire_story() if CAPITAL in i.canonical_url]
    expected = clone(later)
    embedded("reference", CONFIG).finalize(clone(first) + expected)
    summary = embedded("dock-strike", CONFIG).finalize(later)
    assert "rebuilding it from the archive" in caplog.text
    assert summary.earlier_documents == 3
    assert rels(later) == rels(expected)  # as if the index had never been lost
    assert later[0].extraction.blocks[0].relation == "wire-near"


def test_rebuild_rewrites_earlier_documents_whose_canonical_changed(embedded, store):
    copies = [i for i in wire_story() if WIRE not in i.canonical_url]
    embedded("dock-strike", CONFIG).finalize(copies)
    store_documents(store, copies)
    wire = [i for i in wire_story() if WIRE in i.canonical_url]
    embedded("dock-strike", CONFIG).finalize(wire)
    store_documents(store, wire, "c2")
    docs = {d["canonical_url"]: d for _, d in iter_latest_documents(store, "dock-strike")}
    harbor_url = next(u for u in docs if HARBOR in u)
    wire_url = next(u for u in docs if WIRE in u)
    assert docs[harbor_url]["syndication"]["canonical"]["canonical_url"] == harbor_url  # stale

    index = PriorIndex(open_backend("dock-strike", store, None), CONFIG.index_meta())
    report = rebuild(store, "dock-strike", CONFIG, index, write=True)
    assert {c.canonical_url for c in report.changed} == {
        u for u in docs if u != wire_url}
    docs = {d["canonical_url"]: d for _, d in iter_latest_documents(store, "dock-strike")}
    assert docs[harbor_url]["syndication"]["canonical"]["canonical_url"] == wire_url
    assert all(c.key and c.key.startswith(f"stories/dock-strike/articles/{c.doc_id}/")
               for c in report.changed)
    # the rebuilt documents equal one crawl of everything
    everything = wire_story()
    embedded("reference", CONFIG).finalize(everything)
    for it in everything:
        d = docs[it.canonical_url]
        assert [(b["relation"], b.get("cluster")) for b in d["blocks"]] == \
            [(b.relation, b.cluster) for b in it.extraction.blocks]
        assert d["syndication"] == it.syndication


def test_index_records_hold_no_block_text(embedded):
    items = wire_story()
    dedup = embedded("dock-strike", CONFIG)
    dedup.finalize(items)
    raw = b"".join(dedup.backend.read_since(0)[0])
    assert b"Tren de Aragua" not in raw and b"drone" not in raw
    assert json.loads(raw[1:raw.index(b"}") + 1]) == CONFIG.index_meta()


def _index_state(ix: PriorIndex):
    """What a PriorIndex holds, independent of the order it learnt it in."""
    occ = {k: sorted((o.doc.doc_id, o.block) for o in v) for k, v in ix.occurrences.items() if v}
    comps = sorted(sorted(m) for m in ix._members.values())
    keys = sorted(ix.texts)
    bands, blooms = ix.text_fingerprints(keys)
    flat = flat_band_keys(bands)
    return (ix._cursor, keys, bands.tolist(), blooms.tolist(), occ, comps,
            {d: (r.site, r.keys.tolist(), r.indexes.tolist()) for d, r in ix.docs.items()},
            sorted(zip(*(a.tolist() for a in ix.candidates(flat, blooms, 1)), strict=True)))


@pytest.mark.parametrize("backend_kind", ["sqlite", "redis"])
def test_a_runs_own_records_applied_from_memory_equal_what_a_reader_decodes(
        backend_kind, tmp_path, redis_url):
    """The index applies a run's own records without reading them back, unless another
    writer appended in between (then it reads everything since its last sync). Either way
    its state equals a new reader's, which decodes the whole log."""
    def backend():
        if backend_kind == "sqlite":
            return SqliteBackend(tmp_path / "log.sqlite")
        return RedisBackend(redis_url, "apply-test")

    docs, _ = StreamGenerator(seed=3).stream(4000)
    part = [docs[i::4] for i in range(4)]
    writer = PriorIndex(backend(), CONFIG.index_meta())
    other = BlockDeduplicator(CONFIG, PriorIndex(backend(), CONFIG.index_meta()))
    reads = []
    real_sync = writer.sync
    writer.sync = lambda: reads.append(writer._cursor) or real_sync()  # type: ignore[method-assign]
    dedup = BlockDeduplicator(CONFIG, writer)

    dedup.finalize(part[0])  # a fresh log (the meta record first); read once, at the start
    assert len(reads) == 1
    reader = PriorIndex(backend(), CONFIG.index_meta())
    reader.sync()
    assert _index_state(writer) == _index_state(reader)

    # another writer appends between this run's start and its append: read back
    real_append = writer.backend.append

    def append_after_the_other(records):
        other.finalize(part[1])
        return real_append(records)

    writer.backend.append = append_after_the_other  # type: ignore[method-assign]
    dedup.finalize(part[2])
    assert len(reads) == 3 and reads[-1] < writer._cursor
    writer.backend.append = real_append  # type: ignore[method-assign]
    reader.sync()
    assert _index_state(writer) == _index_state(reader)
    assert any(k in other.index.docs for k in writer.docs)  # it holds the other's documents

    dedup.finalize(part[3])  # no one else: not read back
    assert len(reads) == 4
    reader.sync()
    assert _index_state(writer) == _index_state(reader)
    assert writer._cursor == backend().read_since(0)[1]


def test_records_are_stored_in_batch_rows_and_read_back_in_order(tmp_path):
    """A crawl's records take a few rows (batches of about 4 MB), single-record rows (as
    an index written before batching holds) read back as before, and a cut batch is a
    clear error, not silently fewer records."""
    from storyarchive.dedup.records import IndexFormatError, pack_records, unpack_rows

    rng = np.random.default_rng(5)
    records = [b"T" + rng.bytes(int(rng.integers(1, 300))) for _ in range(30_000)]
    records.append(b"D" + rng.bytes(5_000_000))  # larger than a batch
    rows = pack_records(records)
    assert 2 <= len(rows) <= 5 and all(r[:1] == b"B" for r in rows)
    assert unpack_rows(rows) == records
    assert pack_records([b"E" + b"x" * 16]) == [b"E" + b"x" * 16]
    backend = SqliteBackend(tmp_path / "log.sqlite")
    backend._append_rows([b"Mold", b"Tone"])  # the earlier layout: a record a row
    span = backend.append(records[:1000])
    assert span == (2, 3)
    got, cursor = backend.read_since(0)
    assert got == [b"Mold", b"Tone", *records[:1000]] and cursor == 3
    assert backend.read_since(2) == (records[:1000], 3)
    cut = rows[0][:-7]
    with pytest.raises(IndexFormatError, match="cut short"):
        unpack_rows([cut])
