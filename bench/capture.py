"""Capture-only throughput: our Scrapy recorder vs `wget --warc-file` on the same URLs.

WARC writing on, extraction off: a spider that only fetches a URL list (ITEM_PIPELINES
empty), against a local raw-socket server of article pages (tests/warc/rawserver.py, so
both tools get exactly the same bytes). Scrapy's politeness is switched off for the bench
(no AutoThrottle, 16 concurrent requests per domain, no robots.txt; wget gets
`-e robots=off`), otherwise it would measure the politeness delays.

Rows: pages/s (wall clock of each tool's whole run, process start included), archived
bytes per page on a first crawl, and on a second crawl of the unchanged pages (ours:
revisit records through the digest index; wget: --warc-dedup with the first crawl's CDX).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE_BYTES = 40_000


def _crawl_main(argv: list[str]) -> int:
    """Inner mode (a fresh process per crawl): fetch the URL list with the recorder on."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    p = argparse.ArgumentParser()
    p.add_argument("--store")
    p.add_argument("--urls")
    p.add_argument("--slug")
    a = p.parse_args(argv)
    urls = Path(a.urls).read_text().split()

    class FetchListSpider(scrapy.Spider):
        name = "fetchlist"
        story_slug, crawl_id = a.slug, f"bench-{int(time.time())}"

        def named_urls(self):  # type: ignore[no-untyped-def]
            # the URLs given, as `storyarchive capture` names them: their host (loopback
            # here) may be fetched (storyarchive.addressguard)
            return urls

        async def start(self):  # type: ignore[no-untyped-def]
            for url in urls:
                yield scrapy.Request(url, dont_filter=True)

        def parse(self, response):  # type: ignore[no-untyped-def]
            return None

    s = Settings()
    s.setmodule("settings", priority="project")
    s.setdict(
        {
            "ITEM_PIPELINES": {},
            "EXTENSIONS": {"storyarchive.warc.bodylimit.MaxBodySize": 100},
            "STORYARCHIVE_STORE": a.store,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "LOG_LEVEL": "ERROR",
            "RETRY_ENABLED": False,
        }
    )
    process = CrawlerProcess(s)
    process.crawl(FetchListSpider)
    process.start()
    return 0


def _ours(store: Path, urls: Path, slug: str) -> float:
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.capture",
            "--crawl",
            "--store",
            str(store),
            "--urls",
            str(urls),
            "--slug",
            slug,
        ],
        cwd=ROOT,
        check=True,
    )
    return time.perf_counter() - t


def _wget(out: Path, urls: Path, dedup: Path | None = None) -> float:
    cmd = [
        "wget",
        "-q",
        "-i",
        str(urls),
        f"--warc-file={out}",
        "--warc-cdx",
        "-e",
        "robots=off",
        "-O",
        "/dev/null",
        "--no-verbose",
    ]
    if dedup:
        cmd.append(f"--warc-dedup={dedup}")
    t = time.perf_counter()
    subprocess.run(cmd, cwd=out.parent, check=False)  # exit 8 on server errors is not ours to judge
    return time.perf_counter() - t


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def run(args: argparse.Namespace) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from tests.warc.rawserver import RawServer, article_routes

    if shutil.which("wget") is None:
        return [
            {
                "bench": "capture",
                "metric": "pages/s",
                "ours": None,
                "peer_name": "wget",
                "peer": None,
                "unit": "pages/s",
                "ratio": None,
                "note": "wget not installed (make system-deps)",
            }
        ]
    n = 300 if getattr(args, "quick", False) else 2000
    with (
        tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp,
        RawServer(routes=article_routes(n, size=PAGE_BYTES)) as site,
    ):
        work = Path(tmp)
        urls = work / "urls.txt"
        urls.write_text("\n".join(site.url(f"/a/{i}") for i in range(1, n + 1)) + "\n")
        store = work / "store"
        (work / "wget").mkdir()
        wget_t = _wget(work / "wget" / "first", urls)
        ours_t = _ours(store, urls, "bench")
        ours_first = _size(list((store / "stories/bench/warc").glob("*.warc.gz")))
        wget_first = _size([work / "wget" / "first.warc.gz"])
        before = set((store / "stories/bench/warc").glob("*.warc.gz"))
        _ours(store, urls, "bench")
        ours_second = _size([p for p in (store / "stories/bench/warc").glob("*.warc.gz") if p not in before])
        _wget(work / "wget" / "second", urls, dedup=work / "wget" / "first.cdx")
        wget_second = _size([work / "wget" / "second.warc.gz"])
    note = (
        f"{n} URLs, {PAGE_BYTES // 1000} KB pages, loopback; Scrapy politeness off, "
        "16 concurrent; wget sequential"
    )
    rows = [
        {
            "bench": "capture",
            "metric": "capture throughput",
            "ours": n / ours_t,
            "peer_name": "wget --warc-file",
            "peer": n / wget_t,
            "unit": "pages/s",
            "ratio": wget_t / ours_t,
            "note": note + " (wall clock incl. start)",
        },
        {
            "bench": "capture",
            "metric": "archived bytes/page, first crawl",
            "ours": ours_first / n,
            "peer_name": "wget --warc-file",
            "peer": wget_first / n,
            "unit": "bytes",
            "ratio": ours_first / wget_first,
            "note": "gzip per record, request+response",
        },
        {
            "bench": "capture",
            "metric": "archived bytes/page, unchanged recrawl",
            "ours": ours_second / n,
            "peer_name": "wget --warc-dedup",
            "peer": wget_second / n,
            "unit": "bytes",
            "ratio": ours_second / wget_second,
            "note": "revisit records (identical-payload-digest)",
        },
    ]
    return rows


if __name__ == "__main__":
    if "--crawl" in sys.argv:
        sys.argv.remove("--crawl")
        sys.exit(_crawl_main(sys.argv[1:]))
    print(json.dumps(run(argparse.Namespace(quick="--quick" in sys.argv)), indent=2))
