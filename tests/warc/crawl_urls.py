"""Run a real Scrapy crawl of a URL list with the WARC recorder on (a subprocess per run,
so each crawl gets a fresh reactor). Writes one JSON line per response to --out:
{url, status, flags, warc: WarcRef}.

    python tests/warc/crawl_urls.py --store DIR --slug SLUG --urls FILE --out FILE [--set K=V]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


class UrlListSpider(scrapy.Spider):
    name = "urllist"

    def __init__(self, urls: list[str], out: str, slug: str, **kw: object) -> None:
        super().__init__(**kw)
        self.urls, self.out_path = urls, out
        self.story_slug, self.crawl_id = slug, "test-crawl"
        self._out = open(out, "a", encoding="utf-8")  # noqa: SIM115

    async def start(self):  # type: ignore[no-untyped-def]
        for url in self.urls:
            yield scrapy.Request(url, self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response):  # type: ignore[no-untyped-def]
        ref = response.meta.get("storyarchive_warc")
        self._out.write(
            json.dumps(
                {
                    "url": response.request.url,
                    "status": response.status,
                    "flags": response.flags,
                    "truncated": response.meta.get("storyarchive_truncated"),
                    "warc": asdict(ref) if ref else None,
                }
            )
            + "\n"
        )
        self._out.flush()

    def failed(self, failure):  # type: ignore[no-untyped-def]
        request = failure.request
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.parse(response.replace(request=request) if response.request is None else response)


def crawl_settings(store: str, overrides: dict[str, str]) -> Settings:
    settings = Settings()
    settings.setmodule("settings", priority="project")
    settings.set("ITEM_PIPELINES", {})
    settings.set("EXTENSIONS", {"storyarchive.warc.bodylimit.MaxBodySize": 100})
    settings.set("DOWNLOADER_MIDDLEWARES", {"storyarchive.warc.middleware.WarcRecorderMiddleware": 950})
    settings.set("STORYARCHIVE_STORE", store)
    settings.set("AUTOTHROTTLE_ENABLED", False)
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16)
    settings.set("RETRY_ENABLED", False)
    settings.set("LOG_LEVEL", "WARNING")
    settings.set("HTTPERROR_ALLOW_ALL", True)
    for k, v in overrides.items():
        settings.set(k, v)
    return settings


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--store", required=True)
    p.add_argument("--slug", required=True)
    p.add_argument("--urls", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--set", action="append", default=[])
    a = p.parse_args()
    urls = [u for u in Path(a.urls).read_text().split() if u]
    overrides = dict(kv.split("=", 1) for kv in a.set)
    process = CrawlerProcess(crawl_settings(a.store, overrides))
    process.crawl(UrlListSpider, urls=urls, out=a.out, slug=a.slug)
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
