"""Exports (storyarchive.export, `storyarchive export`): JSONL, CSV and Parquet of a crawled
demo story read back with pyarrow give one row per article with the documents' own text,
metadata, syndication and WARC pointer; --all-versions; standard output; bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest

from storyarchive import export
from storyarchive.export import (
    COLUMNS,
    CONTENT_TYPES,
    FORMATS,
    NoDocumentsError,
    arrow_schema,
    export_chunks,
    write_export,
)
from storyarchive.store.local import LocalStore
from tests.cli import REPO, run_cli
from tests.search.documents import SLUG, put_document


def read_back(data: bytes, fmt: str) -> list[dict[str, Any]]:
    """The rows of an export as pyarrow reads the file."""
    if fmt == "parquet":
        table = pq.read_table(io.BytesIO(data))
    elif fmt == "jsonl":
        table = pajson.read_json(io.BytesIO(data),
                                 parse_options=pajson.ParseOptions(explicit_schema=arrow_schema()))
    else:
        strings = {c.name: pa.string() for c in COLUMNS if c.kind in ("str", "list")}
        table = pacsv.read_csv(io.BytesIO(data),
                               parse_options=pacsv.ParseOptions(newlines_in_values=True),
                               convert_options=pacsv.ConvertOptions(column_types=strings,
                                                                    strings_can_be_null=True))
    assert table.column_names == [c.name for c in COLUMNS]
    rows = table.to_pylist()
    if fmt == "csv":  # lists are JSON arrays in CSV
        for row in rows:
            for c in COLUMNS:
                if c.kind == "list":
                    row[c.name] = json.loads(row[c.name])
    return rows


def exported(store: LocalStore, fmt: str, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    n = write_export(store, SLUG, fmt, out, **kwargs)
    assert n > 0
    return out.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_read_back_gives_one_row_per_article_with_the_documents_text(
        demo_archive, demo_documents, fmt):
    rows = read_back(exported(LocalStore(demo_archive), fmt), fmt)
    assert len(rows) == len(demo_documents)
    assert [r["doc_id"] for r in rows] == sorted(demo_documents)
    for row in rows:
        doc = demo_documents[row["doc_id"]]
        meta = doc["metadata"]
        assert row["text"] == doc["text"] and row["text_dedup"] == doc["text_dedup"]
        assert (row["title"], row["published"], row["language"]) == (
            meta["title"], meta["published"], meta["language"])
        assert (row["outlet"], row["authors"]) == (meta["site_name"], meta["authors"])
        assert (row["url"], row["canonical_url"], row["fetched_at"]) == (
            doc["url"], doc["canonical_url"], doc["fetched_at"])
        assert row["word_count"] == doc["word_count"] and row["word_count_dedup"] == doc["word_count_dedup"]
        assert row["relevance_score"] == doc["relevance"]["score"]
        assert (row["warc_filename"], row["warc_offset"], row["warc_length"], row["warc_record_id"]) == (
            doc["warc"]["filename"], doc["warc"]["offset"], doc["warc"]["length"], doc["warc"]["record_id"])
        synd = doc["syndication"]
        assert row["syndication_is_canonical"] == synd["is_canonical"]
        assert row["syndication_shared_share"] == pytest.approx(synd["shared_share"])
        assert row["syndication_clusters"] == [c["cluster"] for c in synd["clusters"]]
        assert row["syndication_canonical_doc_id"] == (synd["canonical"] or {}).get("doc_id")
        assert row["replay_url"] == doc["replay_url"]
        assert (demo_archive / row["document_key"]).exists()
    # the demo story has syndicated wire copy: some rows point at another canonical copy
    assert any(r["syndication_canonical_doc_id"] not in (None, r["doc_id"]) for r in rows)


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_chunks_are_the_same_export(demo_archive, fmt):
    store = LocalStore(demo_archive)
    chunked = b"".join(export_chunks(store, SLUG, fmt))
    assert read_back(chunked, fmt) == read_back(exported(store, fmt), fmt)
    assert fmt in CONTENT_TYPES


def test_all_versions_gives_one_row_per_stored_version(archive_copy, demo_documents):
    store = LocalStore(archive_copy)
    doc_id = sorted(demo_documents)[0]
    edited = {**demo_documents[doc_id], "text": "An edited text.", "text_dedup": "An edited text."}
    new_key = put_document(store, edited)
    latest = read_back(exported(store, "jsonl"), "jsonl")
    assert len(latest) == len(demo_documents)
    row = next(r for r in latest if r["doc_id"] == doc_id)
    assert (row["text"], row["document_key"]) == ("An edited text.", new_key)

    every = read_back(exported(store, "parquet", all_versions=True), "parquet")
    assert len(every) == len(demo_documents) + 1
    versions = [r for r in every if r["doc_id"] == doc_id]
    assert [r["text"] for r in versions] == [demo_documents[doc_id]["text"], "An edited text."]
    assert versions[0]["version"] < versions[1]["version"]


def test_rows_are_written_as_documents_are_read(demo_archive, monkeypatch):
    """Streaming: a row (JSONL) or a row group (Parquet) is out before the next documents
    are read, so memory never holds the whole story."""
    reads: list[int] = []

    class CountingStore(LocalStore):
        def get_bytes(self, key: str) -> bytes:
            reads.append(1)
            return super().get_bytes(key)

    class Recorder(io.BytesIO):
        def __init__(self) -> None:
            super().__init__()
            self.reads_at_write: list[int] = []

        def write(self, data: Any) -> int:
            self.reads_at_write.append(len(reads))
            return super().write(data)

    store = CountingStore(demo_archive)
    out = Recorder()
    n = write_export(store, SLUG, "jsonl", out)
    assert out.reads_at_write[:3] == [1, 2, 3] and len(reads) == n
    monkeypatch.setattr(export, "PARQUET_ROW_GROUP", 5)
    reads.clear()
    out = Recorder()
    write_export(store, SLUG, "parquet", out)
    assert min(out.reads_at_write) <= 5 < n  # the first row group went out after 5 documents


def test_an_unknown_story_writes_nothing_and_says_so(demo_archive):
    out = io.BytesIO()
    with pytest.raises(NoDocumentsError, match="'no-such-story' has no documents"):
        write_export(LocalStore(demo_archive), "no-such-story", "csv", out)
    assert out.getvalue() == b""
    with pytest.raises(ValueError, match="unknown export format"):
        write_export(LocalStore(demo_archive), SLUG, "xlsx", out)
    with pytest.raises(ValueError, match="story slug"):
        write_export(LocalStore(demo_archive), "../etc", "csv", out)


# ---------------------------------------------------------------------- the command
def test_the_export_command_writes_a_file(demo_archive, demo_documents, tmp_path):
    target = tmp_path / "out" / "demo.parquet"
    target.parent.mkdir()
    proc = run_cli("export", SLUG, "--store", str(demo_archive), "--format", "parquet", "-o", str(target))
    assert f"exported {len(demo_documents)} articles of {SLUG} to {target}" in proc.stderr
    assert len(read_back(target.read_bytes(), "parquet")) == len(demo_documents)
    assert [p.name for p in target.parent.iterdir()] == ["demo.parquet"]  # no temporary left


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_export_command_writes_to_standard_output(demo_archive, demo_documents, fmt):
    proc = subprocess.run([sys.executable, "-m", "storyarchive", "export", SLUG, "--store", str(demo_archive),
                           "--format", fmt, "-o", "-"], cwd=REPO, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = read_back(proc.stdout, fmt)
    assert sorted(r["doc_id"] for r in rows) == sorted(demo_documents)
    assert {r["doc_id"]: r["text"] for r in rows} == {d: doc["text"] for d, doc in demo_documents.items()}


def test_the_export_command_refuses_an_unknown_story(demo_archive, tmp_path):
    target = tmp_path / "x.jsonl"
    proc = run_cli("export", "no-such-story", "--store", str(demo_archive), "-o", str(target), check=False)
    assert proc.returncode == 2
    assert "story 'no-such-story' has no documents" in proc.stderr
    assert not target.exists()
    proc = run_cli("export", "../etc", "--store", str(demo_archive), "-o", str(target), check=False)
    assert proc.returncode == 2 and "story slug '../etc'" in proc.stderr
    proc = run_cli("export", SLUG, "--store", str(demo_archive), "--format", "xlsx", check=False)
    assert proc.returncode == 2 and "invalid choice: 'xlsx'" in proc.stderr


def test_a_failed_export_leaves_no_partial_file(demo_archive, tmp_path):
    broken = tmp_path / "archive"
    import shutil

    shutil.copytree(demo_archive, broken)
    victim = sorted((broken / "stories" / SLUG / "articles").glob("*/*.json"))[-1]
    victim.write_text("{ not json", encoding="utf-8")
    target = tmp_path / "demo.csv"
    proc = run_cli("export", SLUG, "--store", str(broken), "--format", "csv", "-o", str(target), check=False)
    assert proc.returncode == 1
    assert "export of demo-dock-strike failed" in proc.stderr and f"{target} was not written" in proc.stderr
    assert list(tmp_path.glob("*.csv")) == [] and list(tmp_path.glob(".demo.csv.*")) == []


def test_export_from_an_s3_store(demo_archive, demo_documents, s3_server, s3_bucket, s3_env, tmp_path):
    from storyarchive.store import open_store
    from tests.fixtures.s3server import store_options

    uri = f"s3://{s3_bucket}/archive"
    s3 = open_store(uri, **store_options(s3_server.endpoint))
    local = LocalStore(demo_archive)
    for key in local.list_keys(f"stories/{SLUG}/articles/"):
        s3.put_bytes(key, local.get_bytes(key))
    target = tmp_path / "demo.jsonl"
    run_cli("export", SLUG, "--store", uri, "-o", str(target), env=s3_env)
    rows = read_back(target.read_bytes(), "jsonl")
    assert {r["doc_id"]: r["text_dedup"] for r in rows} == {
        d: doc["text_dedup"] for d, doc in demo_documents.items()}


def test_readme_documents_every_column():
    readme = (Path(REPO) / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exports", 1)[1].split("\n## ", 1)[0]
    missing = [c.name for c in COLUMNS if f"`{c.name}`" not in section]
    assert missing == []
