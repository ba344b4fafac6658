"""`storyarchive store sync` delivers what a killed crawl left, its unfinished WARC included,
without waiting for that story's next crawl."""

from __future__ import annotations

import gzip
import signal
from pathlib import Path

from tests.commands.conftest import GeneratedSite
from tests.commands.crawlproc import GENERATED_SLUG as SLUG
from tests.commands.crawlproc import Cli, settings_args


def test_store_sync_recovers_and_delivers_a_killed_crawls_open_warc(
    generated_site: GeneratedSite, tmp_path: Path
):
    store = tmp_path / "archive"
    cli = Cli(tmp_path / "logs")
    spooled = store / ".spool" / "stories" / SLUG / "warc"
    crawl = cli.start("crawl", str(generated_site.story), "--store", str(store),
                      *settings_args("CONCURRENT_REQUESTS=2"))

    def open_bytes() -> int:
        return sum(f.stat().st_size for f in spooled.glob("*.warc.gz.open")) if spooled.is_dir() else 0

    crawl.wait_until(lambda: open_bytes() > 200_000, "the open WARC held 200 KB")
    crawl.kill(signal.SIGKILL)
    (opened,) = spooled.glob("*.warc.gz.open")
    name = opened.name.removesuffix(".open")
    assert not (store / "stories" / SLUG / "warc" / name).exists()

    out = cli.ok("store", "sync", "--store", str(store)).out
    assert f"recovered {opened.name} -> {name}" in out
    delivered = store / "stories" / SLUG / "warc" / name
    records = gzip.decompress(delivered.read_bytes()).count(b"WARC-Type: response")
    assert records > 5
    index = store / "stories" / SLUG / "indexes" / name.replace(".warc.gz", ".cdxj")
    assert len(index.read_text().splitlines()) >= records  # each response (and revisit) indexed
    assert open_bytes() == 0  # nothing left open in the spool
