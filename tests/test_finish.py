"""The finish stage (storyarchive.finish): dedup -> documents -> manifest from a journal."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import redis

from storyarchive.dedup.config import config_from_settings
from storyarchive.dedup.records import unpack_rows
from storyarchive.document import iter_latest_documents, page_record
from storyarchive.finish import FinishError, FinishOptions, finish_crawl, options_from_settings
from storyarchive.journal import JOURNAL, CrawlJournal, crawl_dir
from storyarchive.store.identity import store_id
from storyarchive.store.local import LocalStore
from tests.crawlers import settings_with_defaults
from tests.dedup.data import HARBOR, WIRE, wire_story

SLUG = "dock-strike"


def journal_crawl(store: LocalStore, crawl_id: str, items, *, seed: int | None = None,
                  fetch_done: bool = True) -> Path:
    """Write the journal a crawl of `items` would have left (pages in a shuffled order
    when `seed` is given)."""
    path = crawl_dir(store, SLUG, crawl_id) / JOURNAL
    journal = CrawlJournal(path)
    journal.append("run", spider="story", pid=1, started="2025-12-10T12:00:00Z", wire_sites=[WIRE])
    pages = [page_record(i, crawl_id=crawl_id) for i in items]
    if seed is not None:
        random.Random(seed).shuffle(pages)
    for page in pages:
        journal.append("page", page=page)
    journal.append("skip", url="http://127.0.0.1:9102/video", status=200, reason="not-html: video/mp4",
                   warc=None)
    if fetch_done:
        journal.append("end", reason="finished", at="2025-12-10T12:01:00Z", seconds=60.0,
                       stats={"response_received_count": len(items) + 1})
    journal.close()
    return path


def documents(store: LocalStore) -> dict[str, bytes]:
    out = {}
    for key, doc in iter_latest_documents(store, SLUG):
        out[doc["doc_id"]] = store.get_bytes(key)
    return out


def test_finish_writes_each_document_with_its_relations_and_the_manifest(tmp_path):
    store = LocalStore(tmp_path / "a")
    journal_crawl(store, "c1", wire_story())
    report = finish_crawl(store, SLUG, "c1", FinishOptions())
    assert len(report.documents) == len(wire_story()) and report.status == "finished"
    docs = {json.loads(b)["canonical_url"]: json.loads(b) for b in documents(store).values()}
    harbor = next(d for u, d in docs.items() if HARBOR in u)
    assert [b["relation"] for b in harbor["blocks"]][1] == "wire-near"
    wire = next(d for u, d in docs.items() if WIRE in u)
    assert harbor["syndication"]["canonical"]["canonical_url"] == wire["canonical_url"]
    manifest = json.loads(store.get_bytes(f"stories/{SLUG}/crawls/c1.json"))
    assert manifest["status"] == "finished" and manifest["dedup_wire_sites"] == [WIRE]
    assert {d["doc_id"] for d in manifest["documents"]} == set(documents(store))
    assert manifest["skipped"] == [{"url": "http://127.0.0.1:9102/video", "status": 200,
                                    "reason": "not-html: video/mp4", "warc": None}]
    assert (store.root / ".state" / SLUG / "dedup.sqlite").stat().st_size > 0
    # a finished crawl's working state is removed
    assert not crawl_dir(store, SLUG, "c1").exists()


def test_a_kept_journal_says_the_crawl_is_done(tmp_path):
    store = LocalStore(tmp_path / "a")
    journal_crawl(store, "c1", wire_story())
    finish_crawl(store, SLUG, "c1", FinishOptions(keep_journal=True))
    events = (crawl_dir(store, SLUG, "c1") / JOURNAL).read_text().splitlines()
    assert json.loads(events[-1]) == {"t": "done", "manifest": f"stories/{SLUG}/crawls/c1.json",
                                      "at": json.loads(events[-1])["at"]}


def test_documents_do_not_depend_on_arrival_order_at_any_batch_size(tmp_path):
    results = []
    for n, (seed, batch) in enumerate([(None, 5000), (1, 5000), (2, 5000)]):
        store = LocalStore(tmp_path / f"s{n}")
        journal_crawl(store, "c1", wire_story(), seed=seed)
        finish_crawl(store, SLUG, "c1", FinishOptions(batch_documents=batch))
        results.append(documents(store))
    assert results[0] == results[1] == results[2]
    # batches of one: the same for every arrival order too (batches follow doc ids)
    batched = []
    for seed in (3, 4):
        store = LocalStore(tmp_path / f"b{seed}")
        journal_crawl(store, "c1", wire_story(), seed=seed)
        finish_crawl(store, SLUG, "c1", FinishOptions(batch_documents=1))
        batched.append(documents(store))
    assert batched[0] == batched[1]
    assert any(json.loads(v)["blocks"] for v in batched[0].values())


class FailingStore(LocalStore):
    """A local store whose disk fills after `budget` more document puts (OSError ENOSPC);
    the put that fails has written its document already (the error came after the data,
    as when a process dies between writing a document and logging it)."""

    budget = 10**9

    def put_bytes(self, key, data, **kw):  # type: ignore[no-untyped-def]
        if "/articles/" not in key:
            return super().put_bytes(key, data, **kw)
        FailingStore.budget -= 1
        result = super().put_bytes(key, data, **kw)
        if FailingStore.budget < 0:
            raise OSError(28, "No space left on device")
        return result


def test_a_failed_finish_is_completed_by_the_next_one_without_writing_anything_twice(tmp_path):
    reference = LocalStore(tmp_path / "ref")
    journal_crawl(reference, "c1", wire_story())
    finish_crawl(reference, SLUG, "c1", FinishOptions(batch_documents=1))

    store = FailingStore(tmp_path / "a")
    journal_crawl(store, "c1", wire_story())
    FailingStore.budget = 2
    with pytest.raises(FinishError, match="No space left on device"):
        finish_crawl(store, SLUG, "c1", FinishOptions(batch_documents=1, writers=1))
    assert len(list(store.list_keys(f"stories/{SLUG}/articles/"))) == 3  # the last unlogged
    assert not store.exists(f"stories/{SLUG}/crawls/c1.json")
    FailingStore.budget = 10**9
    report = finish_crawl(store, SLUG, "c1", FinishOptions(batch_documents=1))
    # one version per document, and the same documents as a finish that never failed
    keys = list(store.list_keys(f"stories/{SLUG}/articles/"))
    assert len(keys) == len(wire_story())
    assert documents(store) == documents(reference)
    assert report.status == "failed" and report.finish_failures
    manifest = json.loads(store.get_bytes(f"stories/{SLUG}/crawls/c1.json"))
    assert manifest["status"] == "failed" and "No space left" in manifest["finish_failures"][0]
    # the dedup index was taken back to where the first attempt began: the same summary
    expected = json.loads(reference.get_bytes(f"stories/{SLUG}/crawls/c1.json"))["dedup"]
    assert manifest["dedup"] == expected


def test_a_crawl_stopped_before_fetching_everything_finishes_as_interrupted(tmp_path):
    store = LocalStore(tmp_path / "a")
    journal_crawl(store, "c1", wire_story()[:2], fetch_done=False)
    report = finish_crawl(store, SLUG, "c1", FinishOptions())
    assert report.status == "interrupted" and len(report.documents) == 2


def test_redis_url_puts_the_story_index_in_redis(tmp_path, redis_url):
    store = LocalStore(tmp_path / "a")
    journal_crawl(store, "c1", wire_story())
    options = options_from_settings(settings_with_defaults({"STORYARCHIVE_DEDUP_REDIS_URL": redis_url}))
    finish_crawl(store, SLUG, "c1", options)
    key = f"sa:dd:{store_id(store)}:{SLUG}"  # scoped to the store's identity
    records = unpack_rows(redis.Redis.from_url(redis_url).lrange(key, 0, -1))
    assert sum(rec[:1] == b"D" for rec in records) == len(wire_story())
    assert not (store.root / ".state" / SLUG / "dedup.sqlite").exists()


def test_dedup_settings_out_of_range_are_refused_with_the_setting_name():
    with pytest.raises(ValueError, match="STORYARCHIVE_DEDUP_JACCARD"):
        config_from_settings(settings_with_defaults({"STORYARCHIVE_DEDUP_JACCARD": 1.5}))
    with pytest.raises(ValueError, match="STORYARCHIVE_FINISH_BATCH_DOCUMENTS"):
        options_from_settings(settings_with_defaults({"STORYARCHIVE_FINISH_BATCH_DOCUMENTS": 0}))


def test_dedup_disabled_writes_documents_without_relations(tmp_path):
    store = LocalStore(tmp_path / "a")
    journal_crawl(store, "c1", wire_story())
    options = options_from_settings(settings_with_defaults({"STORYARCHIVE_DEDUP_ENABLED": False}))
    report = finish_crawl(store, SLUG, "c1", options)
    assert report.dedup is None
    assert all({b["relation"] for b in json.loads(v)["blocks"]} == {"unique"}
               for v in documents(store).values())
