"""`verify`: check closed WARC files — record structure, block and payload digests, the
warcinfo-first rule, request/response links, and agreement with the CDXJ index; that each
revisit's original is in the collection (`OriginalFinder`); and that a document's WARC
pointer names a record that is there (`pointer_problem`).

Every problem names the file and the record offset, so a user can look at the record
(`warcio extract FILE OFFSET`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyarchive.warc.cdxj import INDEXED_TYPES, CdxjEntry, mime_of, read_cdxj, url_key
from storyarchive.warc.records import REVISIT_PROFILE

_READ = 1 << 20
REVISIT_MIME = "warc/revisit"
# read(filename, offset, length) -> the bytes of that record of the collection (KeyError if
# the file is not there)
RecordReader = Callable[[str, int, int], bytes]


@dataclass(frozen=True)
class Problem:
    file: str
    offset: int | None
    message: str

    def __str__(self) -> str:
        where = f" at offset {self.offset}" if self.offset is not None else ""
        return f"{self.file}{where}: {self.message}"


@dataclass
class FileReport:
    file: str
    records: int
    problems: list[Problem]


@dataclass(frozen=True)
class Revisit:
    """A revisit record and the original it names."""

    offset: int
    refers_to_uri: str
    refers_to_date: str
    refers_to: str | None  # the original's WARC-Record-ID, when given
    digest: str | None  # WARC-Payload-Digest (the original's)


@dataclass
class _ScanResult:
    count: int = 0
    entries: list[CdxjEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    revisits: list[Revisit] = field(default_factory=list)


def record_id_at(data: bytes) -> tuple[str | None, str | None]:
    """(WARC-Type, WARC-Record-ID) of the record that `data` (one gzip member) holds;
    (None, None) if it holds none."""
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            return record.rec_type, record.rec_headers.get_header("WARC-Record-ID")
    except (ArchiveLoadFailed, EOFError, OSError, ValueError):
        pass
    return None, None


class OriginalFinder:
    """Finds a revisit's original in a collection: through the collection's merged, sorted
    CDXJ (`index`: a binary search, nothing held in memory) a response record of
    WARC-Refers-To-Target-URI at WARC-Refers-To-Date with the same payload digest; and, when
    the revisit names the original's record id (WARC-Refers-To), that record read back with
    `read` carries it."""

    def __init__(self, index: Path, read: RecordReader) -> None:
        self._index = index
        self._size = index.stat().st_size
        self._read = read

    def _lines_from(self, prefix: str) -> Iterable[str]:
        """The index's lines starting with `prefix` (bytewise sorted file: binary search)."""
        key = prefix.encode()
        with open(self._index, "rb") as f:
            lo, hi = 0, self._size
            while lo < hi:  # the first line start whose line is >= key
                mid = (lo + hi) // 2
                _line_start_at_or_after(f, mid)
                line = f.readline()
                if line and line < key:
                    lo = mid + 1
                else:
                    hi = mid
            _line_start_at_or_after(f, lo)
            for line in f:
                if not line.startswith(key):
                    if line > key:
                        break
                    continue
                yield line.decode("utf-8")

    def problem(self, rev: Revisit) -> str | None:
        """None when the original is found, else what is wrong."""
        ts = "".join(c for c in rev.refers_to_date if c.isdigit())[:14]
        what = f"revisit of {rev.refers_to_uri} at {rev.refers_to_date}"
        candidates = []
        for line in self._lines_from(f"{url_key(rev.refers_to_uri)} {ts} "):
            fields: dict[str, Any] = json.loads(line.split(" ", 2)[2])
            if fields.get("mime") == REVISIT_MIME or fields.get("url") != rev.refers_to_uri:
                continue
            if rev.digest and fields.get("digest") != rev.digest:
                continue
            candidates.append(fields)
        if not candidates:
            return f"{what}: the original (payload {rev.digest}) is not in this collection"
        if not rev.refers_to:
            return None
        for fields in candidates:
            try:
                data = self._read(fields["filename"], int(fields["offset"]), int(fields["length"]))
            except (KeyError, ValueError):
                continue
            if record_id_at(data)[1] == rev.refers_to:
                return None
        return f"{what}: no record {rev.refers_to} where the index puts the original"


def _line_start_at_or_after(f: Any, pos: int) -> None:
    """Seek `f` to the first line start at or after byte `pos`."""
    if pos == 0:
        f.seek(0)
        return
    f.seek(pos - 1)
    f.readline()  # the rest of the line holding byte pos-1 (just "\n" if pos starts a line)


def pointer_problem(warc: dict[str, Any] | None, size_of: Callable[[str], int | None],
                    read: RecordReader) -> str | None:
    """What is wrong with a document's WARC pointer ({filename, offset, length, record_id}),
    or None when it names a response/revisit record with that id, whole, in a stored WARC.
    `size_of(filename)` is the WARC's size (None if the store has no such file)."""
    if not warc:
        return "it has no WARC pointer"
    name, offset, length = warc.get("filename"), warc.get("offset"), warc.get("length")
    if not isinstance(name, str) or not isinstance(offset, int) or not isinstance(length, int):
        return f"its WARC pointer is incomplete: {warc}"
    where = f"{name} at offset {offset} ({length} bytes)"
    size = size_of(name)
    if size is None:
        return f"it points into {name}, which is not in the store"
    if offset < 0 or length <= 0 or offset + length > size:
        return f"it points to {where}, outside the file ({size} bytes)"
    try:
        rtype, record_id = record_id_at(read(name, offset, length))
    except (KeyError, ValueError):  # absent, or not a name a store holds
        return f"it points into {name}, which is not in the store"
    if rtype is None:
        return f"it points to {where}, where there is no whole WARC record"
    if rtype not in INDEXED_TYPES:
        return f"it points to {where}, a {rtype} record"
    if warc.get("record_id") and record_id != warc["record_id"]:
        return f"it points to {where}, record {record_id}, not {warc['record_id']}"
    return None


def _scan(path: Path, name: str) -> _ScanResult:
    """Record count, index entries, problems and revisits of one WARC file, in one pass.
    `name` is how problems name the file; index entries use its base name (as the CDXJ
    does)."""
    filename = Path(name).name
    result = _ScanResult()
    problems = result.problems
    entries = result.entries
    count = 0
    offset: int | None = 0
    with open(path, "rb") as f:
        it = ArchiveIterator(f, check_digests=True)
        try:
            for record in it:
                offset = it.get_record_offset()
                rtype = record.rec_type
                h = record.rec_headers
                if count == 0 and rtype != "warcinfo":
                    problems.append(Problem(name, offset, f"first record is {rtype}, not warcinfo"))
                count += 1
                while record.raw_stream.read(_READ):
                    pass
                it.read_to_end(record)
                if record.digest_checker.passed is False:
                    problems += [Problem(name, offset, p) for p in record.digest_checker.problems]
                for field in ("WARC-Record-ID", "WARC-Date"):
                    if not h.get_header(field):
                        problems.append(Problem(name, offset, f"{rtype} record without {field}"))
                if rtype in ("request", "response", "revisit") and not h.get_header("WARC-Target-URI"):
                    problems.append(Problem(name, offset, f"{rtype} record without WARC-Target-URI"))
                if rtype == "revisit" and (
                    h.get_header("WARC-Profile") != REVISIT_PROFILE
                    or not h.get_header("WARC-Refers-To-Target-URI")
                    or not h.get_header("WARC-Refers-To-Date")
                ):
                    problems.append(
                        Problem(
                            name,
                            offset,
                            "revisit without identical-payload-digest "
                            "profile or WARC-Refers-To-Target-URI/-Date",
                        )
                    )
                elif rtype == "revisit":
                    result.revisits.append(Revisit(
                        offset, h.get_header("WARC-Refers-To-Target-URI") or "",
                        h.get_header("WARC-Refers-To-Date") or "", h.get_header("WARC-Refers-To"),
                        h.get_header("WARC-Payload-Digest")))
                if rtype in INDEXED_TYPES:
                    http = record.http_headers
                    entries.append(
                        CdxjEntry(
                            url=h.get_header("WARC-Target-URI") or "",
                            timestamp="".join(c for c in h.get_header("WARC-Date") or "" if c.isdigit())[:14],
                            mime=mime_of(http.get_header("Content-Type") if http else None, rtype),
                            status=http.get_statuscode() if http else None,
                            digest=h.get_header("WARC-Payload-Digest"),
                            length=it.get_record_length(),
                            offset=offset,
                            filename=filename,
                        )
                    )
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            problems.append(Problem(name, offset, f"unreadable record: {exc}".strip()))
    if count == 0 and not problems:
        problems.append(Problem(name, None, "no records"))
    result.count = count
    return result


def _compare_index(name: str, entries: list[CdxjEntry], index: Path) -> list[Problem]:
    problems: list[Problem] = []
    try:
        lines = [(k, ts, f) for k, ts, f in read_cdxj(index) if f.get("filename") == Path(name).name]
    except (OSError, ValueError) as exc:
        return [Problem(name, None, f"index {index} unreadable: {exc}")]
    indexed = {int(f["offset"]): (k, ts, f) for k, ts, f in lines}
    for e in entries:
        got = indexed.pop(e.offset, None)
        if got is None:
            problems.append(Problem(name, e.offset, f"{e.url} is not in the index {index.name}"))
            continue
        k, ts, f = got
        expected = e.line().split(" ", 2)
        if (k, ts) != (expected[0], expected[1]) or f != json.loads(expected[2]):
            problems.append(Problem(name, e.offset, f"index entry disagrees with the record: {f}"))
    for off, (_, _, f) in sorted(indexed.items()):
        problems.append(Problem(name, off, f"index {index.name} lists a record that is not there: {f}"))
    return problems


def index_path_for(warc: Path) -> Path | None:
    """The CDXJ of `warc`: the store layout's ../indexes/STEM.cdxj, else STEM.cdxj beside it."""
    stem = warc.name.removesuffix(".gz").removesuffix(".warc")
    for candidate in (warc.parent.parent / "indexes" / f"{stem}.cdxj", warc.parent / f"{stem}.cdxj"):
        if candidate.is_file():
            return candidate
    return None


def verify_file(
    path: Path, index: Path | None = None, *, name: str | None = None, require_index: bool = True,
    originals: OriginalFinder | None = None,
) -> FileReport:
    """Check one WARC file (and its CDXJ, found with index_path_for when not given); with
    `originals`, also that every revisit's original is in the collection."""
    name = name or path.name
    scanned = _scan(path, name)
    problems = scanned.problems
    index = index or index_path_for(path)
    if index is None:
        if require_index:
            problems.append(Problem(name, None, "no CDXJ index found (../indexes/<stem>.cdxj)"))
    else:
        problems += _compare_index(name, scanned.entries, index)
    if originals is not None:
        for rev in scanned.revisits:
            wrong = originals.problem(rev)
            if wrong:
                problems.append(Problem(name, rev.offset, wrong))
    return FileReport(name, scanned.count, problems)


def warc_files(paths: Iterable[Path]) -> list[Path]:
    """The WARC files named by `paths` (files, or directories searched recursively)."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.name.endswith((".warc.gz", ".warc")))
        else:
            found.append(p)
    return found
