"""The WARC writer on a real file system that fills up and frees again: a write that fails
never leaves a hole, the file it was going into is cut back to its last whole record and
closed (or left for recovery), nothing is appended to it again, and once there is room the
writer goes on in a new file. Every record it said it wrote is where it said."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from storyarchive.layout import warc_key
from storyarchive.store import open_store
from storyarchive.warc.recover import recover_spool
from storyarchive.warc.revisits import MemoryDigestIndex
from storyarchive.warc.verify import record_id_at, verify_file
from storyarchive.warc.writer import RotatingWarcWriter, WarcWriteError, WriterConfig
from tests.fixtures.smalldisk import fill
from tests.warc.test_recovery import warcio_check
from tests.warc.test_writer import exchange

SLUG = "full"


def body(n: int) -> bytes:
    return random.Random(n).randbytes(40_000)  # incompressible: each record needs the room


def test_a_full_disk_cuts_the_failed_record_and_the_writer_goes_on_in_a_new_file(small_disk: Path):
    store = open_store(str(small_disk / "archive"))
    writer = RotatingWarcWriter(store, WriterConfig(slug=SLUG, crawl_id="c", host="h"), MemoryDigestIndex())
    written = {}
    for n in range(10):
        written[n] = writer.write_exchange(exchange(n, body(n)))
    filler = small_disk / "filler"
    fill(filler)
    failed = []
    for n in range(10, 14):  # the disk is full: nothing of these is archived
        with pytest.raises(WarcWriteError, match="fetched but not archived|cannot"):
            writer.write_exchange(exchange(n, body(n)))
        failed.append(n)
    filler.unlink()
    for n in range(14, 24):  # room again: a new file
        written[n] = writer.write_exchange(exchange(n, body(n)))
    writer.close()
    assert writer.failures, "the failed writes are reported"
    # the file the failure cut short was closed, or left open for recovery: recover it
    recover_spool(store, SLUG)
    assert not list((small_disk / "archive" / ".spool").rglob("*.open"))

    warcs = sorted((small_disk / "archive" / "stories" / SLUG / "warc").glob("*.warc.gz"))
    assert len({ref.filename for ref in written.values()}) >= 2, "no new file after the failure"
    archived = set()
    for path in warcs:
        warcio_check(path)
        assert verify_file(path).problems == []
        with open(path, "rb") as f:
            archived |= {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f)
                         if r.rec_type == "response"}
    assert archived == {exchange(n).url for n in written}  # the failed ones are not, the rest are
    for ref in written.values():  # every pointer the writer handed out resolves
        data = store.get_range(warc_key(SLUG, ref.filename), ref.offset, ref.length)
        assert record_id_at(data) == ("response", ref.record_id)
