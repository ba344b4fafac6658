"""A crawl killed with SIGKILL: closed files stay valid, the `.open` file is recovered."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from storyarchive.store import open_store
from storyarchive.warc.recover import complete_members, recover_spool
from tests.warc.conftest import ROOT, VENV_BIN
from tests.warc.rawserver import RawServer, article_routes


def count_records(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in ArchiveIterator(f))


def warcio_check(path: Path) -> None:
    proc = subprocess.run([str(VENV_BIN / "warcio"), "check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_sigkill_mid_crawl_leaves_closed_files_valid_and_open_file_recoverable(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    with RawServer(routes=article_routes(400, size=20_000), delay=0.05) as site:
        urls = tmp_path / "urls.txt"
        urls.write_text("\n".join(site.url(f"/a/{n}") for n in range(1, 401)))
        proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests/warc/crawl_urls.py"),
                "--store",
                str(store_dir),
                "--slug",
                "kill",
                "--urls",
                str(urls),
                "--out",
                str(tmp_path / "out.jsonl"),
                "--set",
                "STORYARCHIVE_WARC_MAX_BYTES=60000",
                "--set",
                "CONCURRENT_REQUESTS=4",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        warc_dir = store_dir / "stories" / "kill" / "warc"
        deadline = time.monotonic() + 60
        spool = store_dir / ".spool"
        # kill while at least 3 files are closed and another one is being written
        while len(list(warc_dir.glob("*.warc.gz"))) < 3 or not list(spool.rglob("*.warc.gz.open")):
            assert proc.poll() is None and time.monotonic() < deadline, "crawl ended before the kill"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    closed = sorted(warc_dir.glob("*.warc.gz"))
    for path in closed:
        warcio_check(path)
        index = Path("stories", "kill", "indexes", path.name.replace(".warc.gz", ".cdxj"))
        # a kill between the two deliveries leaves the index in the spool, not lost
        assert (store_dir / index).exists() or (store_dir / ".spool" / index).exists()
    open_files = sorted((store_dir / ".spool").rglob("*.warc.gz.open"))
    assert len(open_files) == 1
    # make the unfinished file end in a cut record, as a kill during a write would
    with open(open_files[0], "ab") as f:
        f.write(gzip.compress(b"WARC/1.1\r\n" + os.urandom(5000))[:700])
    reports = recover_spool(open_store(str(store_dir)), "kill")
    assert len(reports) == 1 and reports[0].cut_bytes == 700 and reports[0].delivered
    recovered = warc_dir / reports[0].final_name
    warcio_check(recovered)
    assert count_records(recovered) == reports[0].kept_members >= 1
    assert not list((store_dir / ".spool").rglob("*.open"))
    index = store_dir / "stories" / "kill" / "indexes" / recovered.name.replace(".warc.gz", ".cdxj")
    assert index.read_text().count("\n") == sum(
        1 for r in ArchiveIterator(open(recovered, "rb")) if r.rec_type == "response"
    )


def test_complete_members_stops_at_a_cut_member(tmp_path: Path) -> None:
    a, b = gzip.compress(b"WARC/1.1\r\n" + b"first" * 1000), gzip.compress(b"WARC/1.1\r\n" + b"second" * 1000)
    path = tmp_path / "x.gz"
    path.write_bytes(a + b + gzip.compress(b"WARC/1.1\r\nthird")[:10])
    assert complete_members(path) == (len(a) + len(b), 2)


def test_open_file_locked_by_a_live_writer_is_left_alone(tmp_path: Path) -> None:
    from storyarchive.warc.writer import WarcFile

    store = open_store(str(tmp_path / "store"))
    folder = tmp_path / "store" / ".spool" / "stories" / "live" / "warc"
    live = WarcFile(folder / "live-1.warc.gz.open")
    try:
        assert recover_spool(store, "live") == []
        assert (folder / "live-1.warc.gz.open").exists()
    finally:
        live._f.close()
    shutil.rmtree(tmp_path / "store")


def test_closed_file_left_in_the_spool_without_index_is_indexed_and_delivered(tmp_path: Path) -> None:
    from storyarchive.warc.writer import RotatingWarcWriter, WriterConfig
    from tests.warc.test_writer import exchange

    store = open_store(str(tmp_path / "store"))
    w = RotatingWarcWriter(store, WriterConfig(slug="left", crawl_id="c"), None)
    w.write_exchange(exchange(1))
    assert w._file is not None
    w._file.sync()
    spooled = w._file.path.with_name(w._file.path.name.removesuffix(".open"))
    w._file.close(spooled)  # as if killed right after the rename, before index and delivery
    w._file = None
    assert recover_spool(store, "left") == []
    stored = tmp_path / "store" / "stories" / "left" / "warc" / spooled.name
    index = tmp_path / "store" / "stories" / "left" / "indexes" / spooled.name.replace(".warc.gz", ".cdxj")
    assert stored.exists() and not spooled.exists()
    assert [line.split(" ")[0] for line in index.read_text().splitlines()] == ["1,0,0,127:1)/p/1"]
    warcio_check(stored)


def test_an_index_left_in_the_spool_after_its_warc_was_delivered_is_delivered(tmp_path: Path) -> None:
    from storyarchive.layout import cdxj_key, warc_key
    from storyarchive.store.spool import deliver, spool_path
    from storyarchive.warc.writer import RotatingWarcWriter, WriterConfig, write_index
    from tests.warc.test_writer import exchange

    store = open_store(str(tmp_path / "store"))
    w = RotatingWarcWriter(store, WriterConfig(slug="left", crawl_id="c"), None)
    w.write_exchange(exchange(1))
    assert w._file is not None
    w._file.sync()
    name = w._file.path.name.removesuffix(".open")
    write_index(store, "left", name, w._entries)
    w._file.close(w._file.path.with_name(name))
    w._file = None
    # killed between the two deliveries of deliver_closed: the WARC went, its index did not
    assert deliver(store, warc_key("left", name), spool_path(store, warc_key("left", name)))
    spooled_index = spool_path(store, cdxj_key("left", name))
    assert spooled_index.exists() and not store.exists(cdxj_key("left", name))
    assert recover_spool(store, "left") == []
    assert store.exists(cdxj_key("left", name)) and not spooled_index.exists()
    index = tmp_path / "store" / cdxj_key("left", name)
    assert [line.split(" ")[0] for line in index.read_text().splitlines()] == ["1,0,0,127:1)/p/1"]


def test_an_index_whose_warc_is_still_being_written_stays_in_the_spool(tmp_path: Path) -> None:
    from storyarchive.layout import cdxj_key
    from storyarchive.store.spool import spool_path
    from storyarchive.warc.writer import RotatingWarcWriter, WriterConfig, write_index
    from tests.warc.test_writer import exchange

    store = open_store(str(tmp_path / "store"))
    w = RotatingWarcWriter(store, WriterConfig(slug="live", crawl_id="c"), None)
    w.write_exchange(exchange(1))
    assert w._file is not None
    name = w._file.path.name.removesuffix(".open")
    write_index(store, "live", name, w._entries)  # a live writer closing its file: index first
    try:
        assert recover_spool(store, "live") == []  # the .open file is locked by its writer
        assert spool_path(store, cdxj_key("live", name)).exists()
        assert not store.exists(cdxj_key("live", name))
    finally:
        w._file.close(w._file.path.with_name(name))


def test_recovery_scans_past_damage_and_keeps_every_complete_record_after_it(tmp_path: Path) -> None:
    """A hole in the middle of an unfinished file (a write that failed part way, then more
    records): every complete record after it is kept, and the report says what was skipped."""
    from storyarchive.layout import warc_key
    from storyarchive.store.spool import spool_path
    from storyarchive.warc.recover import scan_members
    from storyarchive.warc.writer import RotatingWarcWriter, WriterConfig
    from tests.warc.test_writer import exchange

    source = open_store(str(tmp_path / "source"))
    w = RotatingWarcWriter(source, WriterConfig(slug="hole", crawl_id="c", host="h"), None)
    refs = [w.write_exchange(exchange(n)) for n in range(12)]
    w.close()
    written = tmp_path / "source" / warc_key("hole", refs[0].filename)
    whole = written.read_bytes()
    members = [(start, end) for _whole, start, end in scan_members(written)]
    assert len(members) == 1 + 2 * 12  # warcinfo, then request and response of each exchange
    hole_at = members[9][0]  # before the request record of exchange 4
    torn = whole[members[9][0]:members[9][1]][:300]  # a record cut short by a failed write
    tail = whole[members[3][0]:members[3][1]][:200]  # and an unfinished last record
    damaged = whole[:hole_at] + torn + whole[hole_at:] + tail

    store = open_store(str(tmp_path / "store"))
    path = spool_path(store, warc_key("hole", refs[0].filename + ".open"))
    path.parent.mkdir(parents=True)
    path.write_bytes(damaged)
    reports = recover_spool(store, "hole")

    assert len(reports) == 1
    report = reports[0]
    assert report.skipped == [(hole_at, 300)] and report.cut_bytes == 200
    assert report.kept_members == len(members) and report.kept_bytes == len(whole)
    assert "skipped damaged bytes (300 bytes at offset" in report.summary()
    recovered = tmp_path / "store" / warc_key("hole", report.final_name or "")
    assert recovered.read_bytes() == whole  # every complete record, the damage gone
    warcio_check(recovered)
    with open(recovered, "rb") as f:
        ids = [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(f)
               if r.rec_type == "response"]
    assert ids == [ref.record_id for ref in refs]
    index = tmp_path / "store" / "stories" / "hole" / "indexes" / recovered.name.replace(".warc.gz", ".cdxj")
    assert index.read_text().count("\n") == 12
