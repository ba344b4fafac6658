"""`storyarchive capture` tells the user what it could not do: bad lines of a URL file by
line number before fetching anything, a dead host in one line, a URL robots.txt forbids as
a per-URL result with exit status 1; `--ignore-robots` fetches it and says so, in the log
and in the WARC's warcinfo."""

from __future__ import annotations

import re
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.cli import run_cli

SLUG = "on-demand"


def capture(store: Path, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("capture", *args, "--story", SLUG, "--store", str(store), "--set", "RETRY_TIMES=0",
                   "--set", "STORYARCHIVE_CAPTURE_REQUISITES=False", check=False)


def warc_records(store: Path) -> list:  # type: ignore[type-arg]
    """(type, target URI, warcinfo text or None) of every record of the story's WARCs."""
    out = []
    for path in sorted((store / "stories" / SLUG / "warc").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                text = rec.content_stream().read().decode() if rec.rec_type == "warcinfo" else None
                out.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"), text))
    return out


def test_bad_lines_of_a_url_file_are_reported_by_number_and_nothing_is_fetched(fresh_demo_web, tmp_path):
    good = fresh_demo_web.entry_url("g-fixture")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# today's list\n{good}\nnot a url\nftp://files.test/a.pdf\n\nhttp://\n{good}\n")
    proc = capture(tmp_path / "archive", "-i", str(urls))
    assert proc.returncode == 2
    assert f"{urls}:3: not one URL (it has spaces): 'not a url'" in proc.stderr
    assert f"{urls}:4: not an http(s) URL: 'ftp://files.test/a.pdf'" in proc.stderr
    assert f"{urls}:6: no host in URL: 'http://'" in proc.stderr
    assert "storyarchive: error: 3 bad URLs: nothing was fetched" in proc.stderr
    assert ":2:" not in proc.stderr and ":7:" not in proc.stderr
    assert sum(sum(fresh_demo_web.requests(o).values()) for o in fresh_demo_web.outlets) == 0
    assert not (tmp_path / "archive" / "stories").exists()


def test_a_bad_url_on_the_command_line_is_named_by_its_place(tmp_path):
    proc = capture(tmp_path / "archive", "http://127.0.0.1:1/", "www.example.net/story")
    assert proc.returncode == 2
    assert "URL 2 on the command line: not an http(s) URL: 'www.example.net/story'" in proc.stderr


def test_a_dead_host_is_reported_in_one_line_and_the_capture_exits_1(demo_web, dead_url, tmp_path):
    good = demo_web.entry_url("g-fixture")
    proc = capture(tmp_path / "archive", good, dead_url)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    about_it = [line for line in proc.stderr.splitlines() if dead_url in line]
    assert len(about_it) == 1 and "Connection refused" in about_it[0], proc.stderr
    assert "  not captured     1 of 2 URLs\n" in proc.stdout
    assert re.search(rf"    {re.escape(dead_url)}: no answer: .*Connection refused", proc.stdout)
    assert "storyarchive: 1 URL not captured (listed above)" in proc.stderr


def test_a_url_robots_txt_forbids_is_not_fetched_and_is_reported(fresh_demo_web, tmp_path):
    forbidden = fresh_demo_web.url("globe", "/admin/drafts/strike")  # robots.txt: Disallow /admin/
    store = tmp_path / "archive"
    proc = capture(store, forbidden)
    assert proc.returncode == 1
    assert (f"    {forbidden}: forbidden by robots.txt (`capture --ignore-robots` fetches it, if you "
            "have the right to archive it)") in proc.stdout
    assert "rejected         1 (robots.txt 1)" in proc.stdout
    assert fresh_demo_web.requests("globe") == {"/robots.txt": 1}
    assert ("response", forbidden) not in {(t, u) for t, u, _ in warc_records(store)}


def test_ignore_robots_fetches_it_says_so_and_the_warcinfo_records_it(fresh_demo_web, tmp_path):
    forbidden = fresh_demo_web.url("globe", "/admin/drafts/strike")
    store = tmp_path / "archive"
    proc = capture(store, forbidden, "--ignore-robots")
    assert proc.returncode == 0, proc.stderr
    assert ("--ignore-robots: robots.txt is not consulted for 1 URL and what their pages need "
            "(each WARC's warcinfo says 'robots: ignore')") in proc.stderr
    assert fresh_demo_web.requests("globe")["/admin/drafts/strike"] == 1
    assert "/robots.txt" not in fresh_demo_web.requests("globe")
    records = warc_records(store)
    assert ("response", forbidden) in {(t, u) for t, u, _ in records}
    infos = [text for t, _, text in records if t == "warcinfo"]
    assert infos and all("robots: ignore" in text for text in infos)
