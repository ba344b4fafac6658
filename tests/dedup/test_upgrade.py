"""Upgrading to a version that makes dedup keys differently (LSH_VERSION): a story's index
written by the previous version is rebuilt from the archive by the next crawl, which then
gives what it would have given with an index of the current version."""

import json

from storyarchive.dedup.fingerprint import LSH_VERSION
from storyarchive.dedup.index import PriorIndex
from storyarchive.dedup.records import decode, decode_texts, encode_meta
from storyarchive.dedup.story import open_backend

from .data import CAPITAL, clone, wire_story
from .test_index import CONFIG, rels, store_documents


def _as_previous_version(records: list[bytes]) -> list[bytes]:
    """The records as the previous version wrote them: its version in the meta record, and
    other text keys (its hashes were others)."""
    out = []
    for raw in records:
        if raw[:1] == b"M":
            out.append(encode_meta({**json.loads(raw[1:]), "v": LSH_VERSION - 1}))
        elif raw[:1] == b"T":
            out.append(raw[:1] + bytes(b ^ 0x5A for b in raw[1:9]) + raw[9:])
        else:
            out.append(raw)
    return out


def test_an_index_of_the_previous_lsh_version_is_rebuilt_by_the_next_crawl(embedded, store,
                                                                            caplog):
    first = [i for i in wire_story() if CAPITAL not in i.canonical_url]
    later = [i for i in wire_story() if CAPITAL in i.canonical_url]
    embedded("dock-strike", CONFIG).finalize(first)
    store_documents(store, first)
    backend = open_backend("dock-strike", store, None)
    current, _ = backend.read_since(0)
    backend.clear()
    backend.append(_as_previous_version(current))
    backend.close()

    expected = clone(later)
    embedded("reference", CONFIG).finalize(clone(first) + expected)
    summary = embedded("dock-strike", CONFIG).finalize(later)

    assert "cannot be used" in caplog.text and "rebuilding it from the archive" in caplog.text
    assert summary.earlier_documents == len(first)
    assert rels(later) == rels(expected)
    assert any(b.relation == "wire-near" for i in later for b in i.extraction.blocks)
    # the rebuilt index is of the current version and holds the earlier crawl's texts again
    backend = open_backend("dock-strike", store, None)
    records, _ = backend.read_since(0)
    assert decode(records[0]) == CONFIG.index_meta() and CONFIG.index_meta()["v"] == LSH_VERSION
    texts = decode_texts([r for r in records if r[:1] == b"T"], CONFIG.lsh.bands)
    index = PriorIndex(backend, CONFIG.index_meta())
    index.sync()
    assert set(texts["key"].tolist()) == set(index.texts)
    assert len(index.docs) == len(first) + len(later)
    previous = {int.from_bytes(r[1:9], "little") for r in _as_previous_version(current) if r[:1] == b"T"}
    assert previous.isdisjoint(index.texts)
    backend.close()
