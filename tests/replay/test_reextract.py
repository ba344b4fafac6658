"""`storyarchive reextract`: extraction and dedup again over stored WARCs, nothing fetched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from demoweb import DemoWeb
from storyarchive.replay.indexes import read_index
from tests.replay.conftest import SLUG, CrawledArchive, crawl, run_cli

KEPT_FIELDS = ("url", "final_url", "canonical_url", "crawl_id", "fetched_at", "discovered_via",
               "relevance", "spider", "warc", "replay_url", "status")


def versions(root: Path) -> dict[str, bytes]:
    """{relative path: bytes} of every stored document version."""
    base = root / "stories" / SLUG / "articles"
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*.json"))}


def latest(root: Path) -> dict[str, dict]:
    out = {}
    for doc_dir in sorted((root / "stories" / SLUG / "articles").iterdir()):
        out[doc_dir.name] = json.loads(max(doc_dir.glob("*.json")).read_bytes())
    return out


@pytest.fixture(scope="module")
def crawled_then_stopped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(store, story file) of one demo crawl whose demo web is stopped afterwards: any
    fetch would fail (connection refused)."""
    base = tmp_path_factory.mktemp("reextract")
    with DemoWeb(base_port=0) as web:
        story = base / "story.toml"
        story.write_text(web.story_toml(), encoding="utf-8")
        crawl(story, base / "archive")
    return base / "archive", story


def test_reextract_with_the_demo_web_stopped_reproduces_every_document_exactly(
    crawled_then_stopped: tuple[Path, Path], tmp_path: Path
):
    store = tmp_path / "archive"
    shutil.copytree(crawled_then_stopped[0], store)
    before = versions(store)
    assert len(before) >= 10
    out = run_cli("reextract", SLUG, "--store", str(store)).stdout
    assert f"0 new document versions, {len(before)} unchanged" in out
    assert versions(store) == before  # not one byte written


def test_reextract_writes_new_versions_when_the_extractor_settings_change(
    crawled_then_stopped: tuple[Path, Path], tmp_path: Path
):
    store = tmp_path / "archive"
    shutil.copytree(crawled_then_stopped[0], store)
    before, old = versions(store), latest(store)
    run_cli("reextract", SLUG, "--store", str(store), "--set", "STORYARCHIVE_EXTRACT_FURNITURE=false")
    after, new = versions(store), latest(store)
    assert set(before) < set(after)  # old versions kept, new ones added
    assert {k: after[k] for k in before} == before
    changed = [d for d in new if new[d] != old[d]]
    assert changed
    for doc_id in changed:
        assert new[doc_id]["extractor"]["options"]["prune_furniture"] is False
        assert old[doc_id]["extractor"]["options"]["prune_furniture"] is True
        for name in KEPT_FIELDS:
            assert new[doc_id][name] == old[doc_id][name], name
    # some page furniture the default drops is now in the text
    assert any(len(new[d]["blocks"]) > len(old[d]["blocks"]) for d in changed)


def test_pages_archived_without_a_document_get_one_built_from_the_warcs(
    crawled_then_stopped: tuple[Path, Path], tmp_path: Path
):
    """A crawl killed before its end wrote WARCs but no JSON and no manifest."""
    store = tmp_path / "archive"
    shutil.copytree(crawled_then_stopped[0], store)
    original = latest(store)
    shutil.rmtree(store / "stories" / SLUG / "articles")
    shutil.rmtree(store / "stories" / SLUG / "crawls")
    run_cli("reextract", SLUG, "--store", str(store), "--story-file", str(crawled_then_stopped[1]))
    rebuilt = latest(store)
    assert set(rebuilt) == set(original)
    indexes = (store / "stories" / SLUG / "indexes").glob("*.cdxj")
    record_timestamps = {(f["filename"], f["offset"]): ts for p in indexes for _k, ts, f in read_index(p)}
    for doc_id, doc in rebuilt.items():
        before = original[doc_id]
        for name in ("final_url", "canonical_url", "status", "metadata", "blocks", "text",
                     "text_dedup", "syndication", "extractor"):
            assert doc[name] == before[name], (doc_id, name)
        assert doc["crawl_id"] == before["crawl_id"]  # from the WARC's warcinfo
        assert doc["warc"]["offset"] == before["warc"]["offset"]
        ts = record_timestamps[(doc["warc"]["filename"], str(doc["warc"]["offset"]))]
        assert doc["replay_url"] == f"http://127.0.0.1:8080/{SLUG}/{ts}/{doc['final_url']}"


def test_reextract_resolves_revisits_to_the_original_payload(two_crawls: CrawledArchive, tmp_path: Path):
    store = tmp_path / "archive"
    shutil.copytree(two_crawls.root, store)
    docs = latest(store)
    assert any(d["warc"]["record_type"] == "revisit" for d in docs.values())
    before = versions(store)
    out = run_cli("reextract", SLUG, "--store", str(store)).stdout
    assert "0 new document versions" in out
    assert versions(store) == before
