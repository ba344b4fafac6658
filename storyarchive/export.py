"""Exports of a story's articles as one table: JSON Lines, CSV or Parquet.

    n = write_export(store, "demo-dock-strike", "parquet", out)      # rows written
    for chunk in export_chunks(store, slug, "csv"): ...              # the same, as bytes

One row per article (the latest version of each; with `all_versions`, one per stored
version), in doc-id order (then version order). The columns are COLUMNS, the same in every
format, documented in README.md ("Exports"): the metadata, the relevance score, `text` and
`text_dedup`, the syndication facts and the pointer to the WARC record the article came
from. Lists (authors, tags, ...) are lists in JSONL and Parquet and JSON arrays in CSV.

Memory: documents are read one at a time; JSONL and CSV rows are written as they are read,
Parquet rows in row groups of PARQUET_ROW_GROUP.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from storyarchive import layout
from storyarchive.document import read_document, version_keys
from storyarchive.store.base import ArchiveStore
from storyarchive.storyview import outlet_of

FORMATS = ("jsonl", "csv", "parquet")
CONTENT_TYPES: dict[str, str] = {
    "jsonl": "application/x-ndjson; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}
PARQUET_ROW_GROUP = 1000  # rows per Parquet row group: what an export holds in memory
CHUNK_BYTES = 1 << 16  # export_chunks yields about this much at a time


class ExportError(Exception):
    """The export could not be made; the message says why."""


class NoDocumentsError(ExportError):
    """The story has no stored documents (an unknown slug, or nothing kept yet)."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # str | int | float | bool | list (of str)
    get: Callable[[dict[str, Any]], Any]


def _meta(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda d: (d.get("metadata") or {}).get(name)


def _meta_list(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda d: list((d.get("metadata") or {}).get(name) or [])


def _part(part: str, name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda d: (d.get(part) or {}).get(name)


def _canonical(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda d: ((d.get("syndication") or {}).get("canonical") or {}).get(name)


COLUMNS: tuple[Column, ...] = (
    Column("story", "str", lambda d: d.get("story")),
    Column("doc_id", "str", lambda d: d.get("doc_id")),
    Column("version", "str", lambda d: layout.article_version(d["_key"])),
    Column("document_key", "str", lambda d: d["_key"]),
    Column("schema_version", "int", lambda d: d.get("schema_version")),
    Column("crawl_id", "str", lambda d: d.get("crawl_id")),
    Column("spider", "str", lambda d: d.get("spider")),
    Column("url", "str", lambda d: d.get("url")),
    Column("final_url", "str", lambda d: d.get("final_url")),
    Column("canonical_url", "str", lambda d: d.get("canonical_url")),
    Column("fetched_at", "str", lambda d: d.get("fetched_at")),
    Column("status", "int", lambda d: d.get("status")),
    Column("content_type", "str", lambda d: d.get("content_type")),
    Column("discovered_via", "list", lambda d: list(d.get("discovered_via") or [])),
    Column("title", "str", _meta("title")),
    Column("authors", "list", _meta_list("authors")),
    Column("published", "str", _meta("published")),
    Column("published_offset", "str", _meta("published_offset")),
    Column("published_source", "str", _meta("published_source")),
    Column("modified", "str", _meta("modified")),
    Column("modified_offset", "str", _meta("modified_offset")),
    Column("outlet", "str", outlet_of),
    Column("site_name", "str", _meta("site_name")),
    Column("language", "str", _meta("language")),
    Column("description", "str", _meta("description")),
    Column("image", "str", _meta("image")),
    Column("tags", "list", _meta_list("tags")),
    Column("categories", "list", _meta_list("categories")),
    Column("relevance_score", "float", _part("relevance", "score")),
    Column("relevant", "bool", _part("relevance", "relevant")),
    Column("word_count", "int", lambda d: d.get("word_count")),
    Column("word_count_dedup", "int", lambda d: d.get("word_count_dedup")),
    Column("text", "str", lambda d: d.get("text")),
    Column("text_dedup", "str", lambda d: d.get("text_dedup")),
    Column("syndication_shared_share", "float", _part("syndication", "shared_share")),
    Column("syndication_is_canonical", "bool", _part("syndication", "is_canonical")),
    Column("syndication_canonical_doc_id", "str", _canonical("doc_id")),
    Column("syndication_canonical_url", "str", _canonical("canonical_url")),
    Column("syndication_clusters", "list",
           lambda d: [c["cluster"] for c in (d.get("syndication") or {}).get("clusters") or []]),
    Column("warc_filename", "str", _part("warc", "filename")),
    Column("warc_offset", "int", _part("warc", "offset")),
    Column("warc_length", "int", _part("warc", "length")),
    Column("warc_record_id", "str", _part("warc", "record_id")),
    Column("warc_record_type", "str", _part("warc", "record_type")),
    Column("replay_url", "str", lambda d: d.get("replay_url")),
)


def export_row(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """The export row (COLUMNS, in order) of document `doc` stored at `key`."""
    d = {**doc, "_key": key}
    return {c.name: _typed(c, c.get(d)) for c in COLUMNS}


def _typed(column: Column, value: Any) -> Any:
    """`value` as the column's type (an old document may hold, say, a number as a string)."""
    if value is None:
        return None
    if column.kind == "list":
        return [str(v) for v in value]
    cast: dict[str, Callable[[Any], Any]] = {"str": str, "int": int, "float": float, "bool": bool}
    return cast[column.kind](value)


# ---------------------------------------------------------------------- documents
def iter_documents(store: ArchiveStore, slug: str, all_versions: bool = False
                   ) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, document) of story `slug`: the latest version of each article, or every
    version with `all_versions`, in doc-id (then version) order, one at a time.
    ValueError for an invalid slug, DocumentReadError for a document that is not JSON."""
    prefix = f"{layout.story_prefix(slug)}articles/"
    stored = sorted(version_keys(store, prefix).items())
    keys = [k for _ident, ks in stored for k in (ks if all_versions else ks[-1:])]
    for key in keys:
        yield key, read_document(store, key)


def has_documents(store: ArchiveStore, slug: str) -> bool:
    """Whether story `slug` has any stored document (one listing, stopped at the first).
    ValueError for an invalid slug."""
    prefix = f"{layout.story_prefix(slug)}articles/"
    return any(layout.article_version(k) is not None for k in store.list_keys(prefix))


def _rows(store: ArchiveStore, slug: str, all_versions: bool) -> Iterator[dict[str, Any]]:
    """Export rows; NoDocumentsError before anything if the story has no document."""
    documents = iter_documents(store, slug, all_versions)
    first = next(documents, None)
    if first is None:
        raise NoDocumentsError(f"story {slug!r} has no documents in {store.uri} "
                               "(`storyarchive show <slug>` lists a story's articles)")
    yield export_row(first[1], first[0])
    for key, doc in documents:
        yield export_row(doc, key)


# ---------------------------------------------------------------------- formats
def write_export(store: ArchiveStore, slug: str, fmt: str, out: BinaryIO, all_versions: bool = False) -> int:
    """Write story `slug`'s export in format `fmt` (one of FORMATS) to the binary stream
    `out` (left open). Returns the rows written. Raises ValueError for an unknown format or
    an invalid slug, NoDocumentsError (before writing anything) when the story has no
    document, StoreError when the store cannot be read, DocumentReadError for a stored
    document that is not JSON."""
    n = 0
    for n in _write(store, slug, fmt, out, all_versions):  # noqa: B007 - the last count
        pass
    return n


def export_chunks(store: ArchiveStore, slug: str, fmt: str, all_versions: bool = False) -> Iterator[bytes]:
    """The same export as write_export, as chunks of bytes (for a streamed HTTP response).
    The errors of write_export come from the first next() (NoDocumentsError before any
    byte)."""
    sink = _Sink()
    for _n in _write(store, slug, fmt, sink, all_versions):  # type: ignore[arg-type]
        if sink.pending() >= CHUNK_BYTES:
            yield sink.take()
    if sink.pending():
        yield sink.take()


def _write(store: ArchiveStore, slug: str, fmt: str, out: BinaryIO, all_versions: bool) -> Iterator[int]:
    """Write the export to `out`, yielding the count of rows written after each step."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}")
    rows = _rows(store, slug, all_versions)
    if fmt == "jsonl":
        yield from _write_jsonl(rows, out)
    elif fmt == "csv":
        yield from _write_csv(rows, out)
    else:
        yield from _write_parquet(rows, out)


def _write_jsonl(rows: Iterator[dict[str, Any]], out: BinaryIO) -> Iterator[int]:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        n += 1
        yield n


def _write_csv(rows: Iterator[dict[str, Any]], out: BinaryIO) -> Iterator[int]:
    first = next(rows)  # NoDocumentsError before the header is written
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([c.name for c in COLUMNS])
        n = 0
        for row in _chain(first, rows):
            writer.writerow([_csv_cell(c, row[c.name]) for c in COLUMNS])
            n += 1
            yield n
        text.flush()
    finally:
        text.detach()  # `out` stays open: it is the caller's


def _csv_cell(column: Column, value: Any) -> Any:
    if column.kind == "list":
        return json.dumps(value, ensure_ascii=False)
    if column.kind == "bool" and value is not None:
        return "true" if value else "false"
    return "" if value is None else value


def arrow_schema() -> Any:
    """The export's columns as a pyarrow schema (the Parquet file's; give it to
    pyarrow.json.read_json as `explicit_schema` to read JSONL back with the same types)."""
    import pyarrow as pa

    kinds = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "list": pa.list_(pa.string())}
    return pa.schema([pa.field(c.name, kinds[c.kind]) for c in COLUMNS])


def _write_parquet(rows: Iterator[dict[str, Any]], out: BinaryIO) -> Iterator[int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    first = next(rows)  # NoDocumentsError before the file is begun
    n = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[dict[str, Any]] = []
        for row in _chain(first, rows):
            batch.append(row)
            if len(batch) >= PARQUET_ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
                yield n
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    yield n


def _chain(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


class _Sink(io.RawIOBase):
    """A write-only stream that keeps what is written until take() (export_chunks)."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._size = 0
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._size += len(chunk)
        self._pos += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._pos

    def pending(self) -> int:
        return self._size

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts, self._size = [], 0
        return data
