"""`verify`: check closed WARC files — record structure, block and payload digests, the
warcinfo-first rule, request/response links, and agreement with the CDXJ index.

Every problem names the file and the record offset, so a user can look at the record
(`warcio extract FILE OFFSET`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyarchive.warc.cdxj import INDEXED_TYPES, CdxjEntry, mime_of, read_cdxj
from storyarchive.warc.records import REVISIT_PROFILE

_READ = 1 << 20


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


def _scan(path: Path, name: str) -> tuple[int, list[CdxjEntry], list[Problem]]:
    """(record count, index entries, problems) of one WARC file, in one pass. `name` is
    how problems name the file; index entries use its base name (as the CDXJ does)."""
    filename = Path(name).name
    problems: list[Problem] = []
    entries: list[CdxjEntry] = []
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
    return count, entries, problems


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
    path: Path, index: Path | None = None, *, name: str | None = None, require_index: bool = True
) -> FileReport:
    """Check one WARC file (and its CDXJ, found with index_path_for when not given)."""
    name = name or path.name
    count, entries, problems = _scan(path, name)
    index = index or index_path_for(path)
    if index is None:
        if require_index:
            problems.append(Problem(name, None, "no CDXJ index found (../indexes/<stem>.cdxj)"))
    else:
        problems += _compare_index(name, entries, index)
    return FileReport(name, count, problems)


def warc_files(paths: Iterable[Path]) -> list[Path]:
    """The WARC files named by `paths` (files, or directories searched recursively)."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.name.endswith((".warc.gz", ".warc")))
        else:
            found.append(p)
    return found
