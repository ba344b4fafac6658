"""The rotating writer without a crawler: naming, rotation by size and age, spool, verify."""

from __future__ import annotations

import gzip
import random
import re
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyarchive.store import open_store
from storyarchive.warc.records import HttpExchange
from storyarchive.warc.revisits import MemoryDigestIndex
from storyarchive.warc.verify import verify_file
from storyarchive.warc.writer import RotatingWarcWriter, WriterConfig, check_gzip_level, file_name
from tests.warc.conftest import ROOT

NAME = re.compile(r"^pre-\d{17}-\d{5}-testhost\.warc\.gz$")


def exchange(n: int, body: bytes | None = None) -> HttpExchange:
    return HttpExchange(
        f"http://127.0.0.1:1/p/{n}",
        "GET",
        [(b"Accept", b"*/*")],
        b"",
        200,
        "HTTP/1.1",
        [(b"Content-Type", b"text/html")],
        body if body is not None else b"x%d" % n * 2000,
        datetime(2026, 1, 1, 0, 0, n % 60, tzinfo=UTC),
        "127.0.0.1",
    )


def writer(tmp_path: Path, clock=None, **kw) -> RotatingWarcWriter:  # type: ignore[no-untyped-def]
    cfg = WriterConfig(slug="w", crawl_id="c1", prefix="pre", host="testhost", **kw)
    return RotatingWarcWriter(
        open_store(str(tmp_path / "store")), cfg, MemoryDigestIndex(), **({"clock": clock} if clock else {})
    )


def warc_dir(tmp_path: Path) -> Path:
    return tmp_path / "store" / "stories" / "w" / "warc"


def test_file_name_has_prefix_17_digit_timestamp_serial_and_host() -> None:
    when = datetime(2026, 11, 24, 9, 1, 2, 345678, tzinfo=UTC)
    assert file_name("story", when, 7, "my host") == "story-20261124090102345-00007-my-host.warc.gz"


def test_files_rotate_by_size_and_each_gets_warcinfo_and_index(tmp_path: Path) -> None:
    w = writer(tmp_path, max_bytes=20_000)
    for n in range(30):
        w.write_exchange(exchange(n, random.Random(n).randbytes(3000)))
    w.close()
    files = sorted(warc_dir(tmp_path).glob("*.warc.gz"))
    assert len(files) >= 3 and all(NAME.match(f.name) for f in files)
    assert [f.name.split("-")[2] for f in files] == [f"{i:05d}" for i in range(len(files))]
    for f in files:
        report = verify_file(f)
        assert report.problems == [] and report.records >= 3
        first = zlib.decompressobj(31).decompress(f.read_bytes())
        assert b"WARC-Type: warcinfo" in first.split(b"\r\n\r\n", 1)[0]


def test_files_rotate_by_age(tmp_path: Path) -> None:
    now = [0.0]
    w = writer(tmp_path, clock=lambda: now[0], max_age=60)
    w.write_exchange(exchange(1))
    now[0] = 30
    w.rotate_if_due()
    assert list(warc_dir(tmp_path).glob("*.warc.gz")) == []
    now[0] = 61
    w.rotate_if_due()
    w.wait_delivered()  # closed files are uploaded on their own thread
    assert len(list(warc_dir(tmp_path).glob("*.warc.gz"))) == 1
    w.close()


def test_identical_payload_in_the_same_file_becomes_revisit(tmp_path: Path) -> None:
    w = writer(tmp_path)
    first = w.write_exchange(exchange(1, b"same body" * 100))
    second = w.write_exchange(exchange(2, b"same body" * 100))
    empty = [w.write_exchange(exchange(n, b"")) for n in (3, 4)]
    w.close()
    assert (first.record_type, second.record_type) == ("response", "revisit")
    assert [e.record_type for e in empty] == ["response", "response"]  # empty payloads: never revisits


def test_verify_names_file_and_offset_of_a_corrupted_record(tmp_path: Path) -> None:
    w = writer(tmp_path)
    refs = [w.write_exchange(exchange(n)) for n in range(3)]
    w.close()
    path = warc_dir(tmp_path) / refs[1].filename
    data = bytearray(path.read_bytes())
    member = zlib.decompressobj(31).decompress(bytes(data[refs[1].offset : refs[1].offset + refs[1].length]))
    bad = gzip.compress(member.replace(b"x1x1", b"y1x1", 1), mtime=0)
    path.write_bytes(bytes(data[: refs[1].offset]) + bad + bytes(data[refs[1].offset + refs[1].length :]))
    proc = subprocess.run(
        [sys.executable, "-m", "storyarchive", "warc", "verify", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1
    assert f"{path.name} at offset {refs[1].offset}: payload digest failed" in proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "storyarchive",
            "warc",
            "verify",
            "--story",
            "w",
            "--store",
            str(tmp_path / "store"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 1 and "block digest failed" in proc.stderr


def _members(data: bytes) -> list[bytes]:
    """The decompressed gzip members of `data`, one by one (as a CDXJ offset reader sees them)."""
    members = []
    while data:
        d = zlib.decompressobj(31)
        members.append(d.decompress(data) + d.flush())
        assert d.eof, "a gzip member was cut short"
        data = d.unused_data
    return members


@pytest.mark.parametrize("level", [0, 3, 4, 9])
def test_every_level_writes_one_standard_gzip_member_per_record(tmp_path: Path, level: int) -> None:
    """ISA-L's levels (0-3, the default 3) and zlib's (4-9) both write one gzip member a
    record that zlib, gzip and warcio read back with the exact body, and the CDXJ offsets
    point at those members."""
    from warcio.archiveiterator import ArchiveIterator

    bodies = [b"<p>%d %s</p>" % (n, random.Random(n).randbytes(4000).hex().encode()) for n in range(5)]
    w = writer(tmp_path, gzip_level=level)
    refs = [w.write_exchange(exchange(n, body)) for n, body in enumerate(bodies)]
    w.close()
    [warc] = warc_dir(tmp_path).glob("*.warc.gz")
    data = warc.read_bytes()
    members = _members(data)
    assert gzip.decompress(data) == b"".join(members)
    assert [m.split(b"\r\n", 1)[0] for m in members] == [b"WARC/1.1"] * len(members)
    for ref, body in zip(refs, bodies, strict=True):  # each ref is exactly one record's member
        member = _members(data[ref.offset : ref.offset + ref.length])
        assert len(member) == 1 and body in member[0]
    with warc.open("rb") as f:
        got = [r.content_stream().read() for r in ArchiveIterator(f) if r.rec_type == "response"]
    assert got == bodies
    assert verify_file(warc).problems == []


def test_levels_beyond_both_compressors_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    for level in (-1, 10):
        with pytest.raises(ValueError, match=r"GZIP_LEVEL must be 0-3 \(ISA-L\) or 4-9 \(zlib\)"):
            check_gzip_level(level)
    w = writer(tmp_path, gzip_level=12)
    with pytest.raises(ValueError, match="GZIP_LEVEL"):
        w.write_exchange(exchange(1))
    w.close()
    assert list(warc_dir(tmp_path).glob("*.warc.gz")) == []
