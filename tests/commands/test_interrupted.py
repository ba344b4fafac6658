"""A crawl stopped with SIGTERM says so: its summary reads "interrupted" (not "finished in"),
counts what it did, says what is left and which command goes on with it."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from tests.commands.conftest import GeneratedSite
from tests.commands.crawlproc import GENERATED_SLUG, Cli, count_events, journal_path, settings_args

SLUG = GENERATED_SLUG


def test_a_crawl_stopped_with_sigterm_reports_interrupted_and_what_is_left(
        generated_site: GeneratedSite, tmp_path: Path):
    store = tmp_path / "archive"
    cli = Cli(tmp_path / "logs")
    run = cli.start("crawl", str(generated_site.story), "--store", str(store),
                    *settings_args("CONCURRENT_REQUESTS=2", "CONCURRENT_REQUESTS_PER_DOMAIN=2"))
    quarter = generated_site.pages // 4
    run.wait_until(lambda: count_events(journal_path(store / ".state", SLUG), "page") >= quarter,
                   f"{quarter} pages were journaled")
    run.proc.send_signal(signal.SIGTERM)
    stopped = run.result()
    assert stopped.code == 1, stopped.err[-3000:]
    first, *rest = stopped.out.splitlines()
    assert re.fullmatch(rf"storyarchive: crawl \S+ of '{SLUG}' interrupted after \d+\.\d s", first), first
    assert "finished" not in stopped.out
    summary = "\n".join(rest)
    kept = int(re.search(r"articles kept +(\d+) \(journaled; no documents yet\)", summary).group(1))
    assert quarter <= kept < generated_site.pages
    left = re.search(r"left to do +about (\d+) requests? not fetched yet; "
                     rf"`storyarchive resume {SLUG}` fetches them and writes the documents", summary)
    assert left is not None, summary
    # the article pages not handled (less the few in flight at the stop), and the sitemaps
    not_handled = generated_site.pages - kept
    assert not_handled - 4 <= int(left.group(1)) <= not_handled + 20
    files = rf"files +{re.escape(str(store))}/stories/{SLUG}/ \(no documents yet\)"
    assert re.search(files, summary), summary
    assert re.search(r"status +interrupted", summary)
    assert f"run `storyarchive resume {SLUG}`" in stopped.err
