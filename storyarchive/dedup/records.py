"""The dedup index's compact binary records: the index is an append-only log of them.

    M  meta:  b"M" + JSON of the LSH parameters (first record; checked on load)
    T  text:  b"T" + key u64 + numbers bloom u64 + words u16 + band keys (bands x u32)
    D  doc:   b"D" + doc_id (10 bytes) + wire u8 + n u16 + published, site (u8-length utf-8)
              + canonical URL (u16-length utf-8) + n x (key u64, block index u16)

    E  edge:  b"E" + key u64 + key u64     two texts verified as near copies (cluster links)

A backend stores them as rows of the log: a row is one record, or a batch of records
(`pack_records`: b"B" + count u32 + each record's length u32 + the records), so that a
crawl's records cost a few rows, not tens of thousands.

A later D record for the same doc_id replaces the earlier one (a recrawl). Texts are
content-addressed, so a T record never goes stale. No block text is stored: candidates
found in the index are verified against the block text in the archive's JSON documents.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np

_TEXT_HEAD = struct.Struct("<QQH")
_DOC_HEAD = struct.Struct("<10sBH")
_EDGE = struct.Struct("<QQ")
_OCC = np.dtype([("key", "<u8"), ("index", "<u2")])


class IndexFormatError(Exception):
    """The index holds records this version cannot read or built with other parameters."""


@dataclass(frozen=True)
class TextRecord:
    key: int
    bloom: int  # Fingerprinter.number_bloom of its numbers
    words: int
    band_keys: np.ndarray  # (bands,) uint32


@dataclass(frozen=True)
class DocRecord:
    doc_id: str  # 20 hex digits
    canonical_url: str
    site: str
    published: str  # sortable UTC ISO string, "" if unknown
    wire: bool
    keys: np.ndarray  # (n,) uint64, text key of each indexed block
    indexes: np.ndarray  # (n,) uint16, block index in the document


def encode_meta(params: dict[str, object]) -> bytes:
    return b"M" + json.dumps(params, sort_keys=True).encode()


def encode_text(key: int, bloom: int, words: int, band_keys: np.ndarray) -> bytes:
    return (b"T" + _TEXT_HEAD.pack(key, bloom, min(words, 0xFFFF))
            + band_keys.astype("<u4").tobytes())


def text_dtype(bands: int) -> np.dtype:
    """The layout of a T record as a numpy structured type (for decoding many at once)."""
    return np.dtype([("kind", "S1"), ("key", "<u8"), ("bloom", "<u8"), ("words", "<u2"),
                     ("bands", "<u4", (bands,))])


def encode_texts(keys: np.ndarray, blooms: np.ndarray, words: np.ndarray,
                 band_keys: np.ndarray) -> list[bytes]:
    """T records of many texts at once, byte for byte those of `encode_text`."""
    return texts_to_records(text_array(keys, blooms, words, band_keys))


def text_array(keys: np.ndarray, blooms: np.ndarray, words: np.ndarray,
               band_keys: np.ndarray) -> np.ndarray:
    """Many texts as one `text_dtype` array: the T records' bytes, and what the index
    holds of them."""
    arr = np.empty(len(keys), dtype=text_dtype(band_keys.shape[1]))
    arr["kind"] = b"T"
    arr["key"] = keys
    arr["bloom"] = blooms
    arr["words"] = np.minimum(words, 0xFFFF)
    arr["bands"] = band_keys
    return arr


def texts_to_records(arr: np.ndarray) -> list[bytes]:
    """The T records (bytes) of a `text_dtype` array."""
    raw = arr.tobytes()
    size = arr.dtype.itemsize
    return [raw[i:i + size] for i in range(0, len(raw), size)]


def decode_texts(raws: list[bytes], bands: int) -> np.ndarray:
    """Many T records (all of `bands` band keys) as one structured array (`text_dtype`).
    IndexFormatError if one has another size."""
    dt = text_dtype(bands)
    data = b"".join(raws)
    if len(data) != dt.itemsize * len(raws):
        raise IndexFormatError(f"dedup index text records are not of {bands} bands; rebuild "
                               "the index with `storyarchive dedup <slug> --rebuild`")
    return np.frombuffer(data, dtype=dt)


def encode_edge(a: int, b: int) -> bytes:
    return b"E" + _EDGE.pack(min(a, b), max(a, b))


def _short(s: str, limit: int) -> bytes:
    b = s.encode("utf-8")[:limit]
    return bytes([len(b)]) + b if limit <= 255 else struct.pack("<H", len(b)) + b


def encode_doc(rec: DocRecord) -> bytes:
    occ = np.empty(len(rec.keys), dtype=_OCC)
    occ["key"] = rec.keys
    occ["index"] = rec.indexes
    return b"".join((
        b"D", _DOC_HEAD.pack(bytes.fromhex(rec.doc_id), int(rec.wire), len(occ)),
        _short(rec.published, 255), _short(rec.site, 255), _short(rec.canonical_url, 65535),
        occ.tobytes(),
    ))


def decode(data: bytes) -> dict[str, object] | TextRecord | DocRecord | tuple[int, int]:
    """Decode one record. IndexFormatError if it is not one of ours."""
    kind = data[:1]
    if kind == b"E":
        a, b = _EDGE.unpack_from(data, 1)
        return (a, b)
    if kind == b"T":
        key, bloom, words = _TEXT_HEAD.unpack_from(data, 1)
        bands = np.frombuffer(data, dtype="<u4", offset=1 + _TEXT_HEAD.size).astype(np.uint32)
        return TextRecord(key, bloom, words, bands)
    if kind == b"D":
        raw_id, wire, n = _DOC_HEAD.unpack_from(data, 1)
        pos = 1 + _DOC_HEAD.size
        fields = []
        for width in (1, 1, 2):
            ln = data[pos] if width == 1 else struct.unpack_from("<H", data, pos)[0]
            pos += width
            fields.append(data[pos:pos + ln].decode("utf-8", "replace"))
            pos += ln
        occ = np.frombuffer(data, dtype=_OCC, count=n, offset=pos)
        return DocRecord(raw_id.hex(), fields[2], fields[1], fields[0], bool(wire),
                         occ["key"].astype(np.uint64), occ["index"].astype(np.int64))
    if kind == b"M":
        return json.loads(data[1:])
    raise IndexFormatError(f"unknown dedup index record type {kind!r}; rebuild the index "
                           "with `storyarchive dedup <slug> --rebuild`")


_BATCH_BYTES = 4 << 20  # a batch row holds up to about this much (Redis and SQLite take far more)
_COUNT = struct.Struct("<I")


def pack_records(records: list[bytes]) -> list[bytes]:
    """Records as rows of the log: batches of up to about 4 MB, each b"B" + count u32 +
    the records' lengths (u32 each) + the records one after the other. A single record is
    stored as itself."""
    if len(records) <= 1:
        return list(records)
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    ends = np.cumsum(lengths + 4)
    # cut where the running size crosses each multiple of the batch size
    cuts = np.searchsorted(ends, np.arange(_BATCH_BYTES, int(ends[-1]), _BATCH_BYTES),
                           side="left") + 1
    bounds = [0, *sorted(set(cuts.tolist()) - {0, len(records)}), len(records)]
    rows = []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        rows.append(b"".join((b"B", _COUNT.pack(hi - lo), lengths[lo:hi].astype("<u4").tobytes(),
                              *records[lo:hi])))
    return rows


def unpack_rows(rows: list[bytes]) -> list[bytes]:
    """The records of rows of the log (batches or single records), in order.
    IndexFormatError if a batch is cut short."""
    out: list[bytes] = []
    for row in rows:
        if row[:1] != b"B":
            out.append(row)
            continue
        if len(row) < 5:
            raise _cut_short()
        (n,) = _COUNT.unpack_from(row, 1)
        if len(row) < 5 + 4 * n:
            raise _cut_short()
        lengths = np.frombuffer(row, dtype="<u4", count=n, offset=5).astype(np.int64)
        ends = (5 + 4 * n) + np.cumsum(lengths)
        if n and int(ends[-1]) != len(row):
            raise _cut_short()
        starts = (ends - lengths).tolist()
        out.extend(row[a:b] for a, b in zip(starts, ends.tolist(), strict=True))
    return out


def _cut_short() -> IndexFormatError:
    return IndexFormatError("dedup index batch row is cut short; rebuild the index with "
                            "`storyarchive dedup <slug> --rebuild`")
