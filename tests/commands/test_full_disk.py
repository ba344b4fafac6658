"""A crawl whose WARC spool is on a disk that fills up, and frees again, during the crawl:
the crawl stops with exit status 1 saying what it could not write and to resume; `resume`
completes it; every WARC passes `warc verify` and `warcio check`, every document points to
its record, and every exchange fetched is archived or was fetched again (the counts match).

The store is S3 (moto) so that only the spool is on the small disk: the crawl's journal
(the state directory) stays writable, and what fails is the WARC writer alone."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from storyarchive.store import open_store
from tests.commands.conftest import GeneratedSite, Reference
from tests.commands.crawlproc import GENERATED_SLUG, Cli, access_log, manifest, settings_args
from tests.commands.test_resume import assert_complete_archive
from tests.fixtures.s3server import MotoServer, store_options, subprocess_env
from tests.fixtures.smalldisk import fill
from tests.warc.conftest import VENV_BIN

SLUG = GENERATED_SLUG


def journaled_fetches(state: Path) -> int:
    journals = list(state.glob(f"*/{SLUG}/crawls/*/journal.jsonl"))
    return sum(journal.read_bytes().count(b'{"t":"fetch"') for journal in journals)


def archived(uri: str, options: dict, tmp_path: Path) -> Counter[str]:  # type: ignore[type-arg]
    """URL -> response and revisit records in the store's WARCs, each file passing
    `warcio check`."""
    store = open_store(uri, **options)
    out: Counter[str] = Counter()
    for key in store.list_keys(f"stories/{SLUG}/warc/"):
        local = tmp_path / key.rsplit("/", 1)[1]
        local.write_bytes(store.get_bytes(key))
        check = subprocess.run([str(VENV_BIN / "warcio"), "check", str(local)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
        with open(local, "rb") as f:
            out.update(r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f)
                       if r.rec_type in ("response", "revisit"))
    return out


def test_a_disk_full_then_freed_during_a_crawl_stops_it_and_resume_archives_everything(
    generated_site: GeneratedSite, reference: Callable[..., Reference], small_disk: Path,
    tmp_path: Path, s3_server: MotoServer, s3_bucket: str
):
    expected = reference().documents
    uri = f"s3://{s3_bucket}/archive"
    state = tmp_path / "state"
    env = subprocess_env(s3_server.endpoint, STORYARCHIVE_SPOOL_DIR=str(small_disk / "spool"),
                         STORYARCHIVE_STATE_DIR=str(state))
    cli = Cli(tmp_path / "logs", env)
    before = access_log(generated_site.web)
    # small WARC files (some are delivered, and leave the spool, while the crawl runs)
    run = cli.start("crawl", str(generated_site.story), "--store", uri,
                    *settings_args("STORYARCHIVE_WARC_MAX_BYTES=150000", "STORYARCHIVE_JOURNAL_KEEP=True"))
    run.wait_until(lambda: journaled_fetches(state) >= 40, "40 exchanges were archived", poll=0.02)
    filler = small_disk / "filler"
    fill(filler)
    deadline = time.monotonic() + 60
    while "not archived" not in run.err_path.read_text() and run.proc.poll() is None:
        assert time.monotonic() < deadline, "no write failed on the full disk"
        fill(filler, again=True)  # a delivered WARC leaves the spool and frees its room
        time.sleep(0.01)
    filler.unlink()  # free again while the crawl stops
    crawl = run.result()
    assert crawl.code == 1, crawl.err[-3000:]
    step = [line for line in crawl.err.splitlines() if line.startswith("storyarchive: ")]
    assert len(step) == 1, crawl.err[-3000:]
    assert "No space left on device" in step[0] and "not archived" in step[0], step[0]
    assert f"run `storyarchive resume {SLUG}`" in step[0], step[0]
    assert "Traceback" not in crawl.err

    cli.ok("resume", SLUG, "--store", uri)
    options = store_options(s3_server.endpoint)
    assert_complete_archive(uri, cli, expected, **options)  # warc verify: every pointer resolves
    assert not [p for p in (small_disk / "spool").rglob("*") if p.is_file()], "files left in the spool"
    fetched = access_log(generated_site.web) - before
    records = archived(uri, options, tmp_path)
    assert set(records) == set(fetched), "fetched, never archived"
    m = manifest(open_store(uri, **options), SLUG)
    lost = m["stats"].get("storyarchive/warc/not_archived", 0)
    assert lost >= 1, m["stats"]
    # every exchange fetched is a record, but for those the full disk lost (fetched again)
    assert sum(records.values()) + lost == sum(fetched.values())
    assert sum(records.values()) == journaled_fetches(state)  # the crawl's own count agrees
    assert [r["ended"] for r in m["runs"]][0] == "warc-write-error"
