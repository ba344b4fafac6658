"""StorePipeline: writes each kept article as cleaned JSON, and the crawl's manifest.

Documents are written when the crawl ends, after the dedup stage has finalized its
clusters over the whole crawl: relations and canonical choices then depend only on the set
of pages, never on the order they arrived in. The WARC files are the source of truth while
the crawl runs; a crawl killed before its end loses no fetched byte, and
`storyarchive reextract` rebuilds the JSON from the WARCs.
"""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from storyarchive import layout
from storyarchive.document import build_document, write_document
from storyarchive.items import ArticleItem
from storyarchive.replay.urls import DEFAULT_REPLAY_BASE_URL, replay_url
from storyarchive.store import open_store, resolve_store_uri, spool
from storyarchive.store.base import ArchiveStore

logger = logging.getLogger(__name__)
# Documents written at once when the crawl ends (S3 round trips overlap; local fsyncs too).
DOCUMENT_WRITERS = 8


class _NotStored(DropItem):
    """Dropped here because it is not an article (already recorded in the manifest)."""


@dataclass
class CrawlRecord:
    """What the manifest says about one crawl; also the source of the end-of-crawl summary."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    dedup: dict[str, Any] | None = None
    spooled: list[str] = field(default_factory=list)


class StorePipeline:
    def __init__(self, crawler: Crawler, store: ArchiveStore) -> None:
        self.crawler = crawler
        self.store = store
        self.items: list[ArticleItem] = []
        self.record = CrawlRecord()
        self.started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.replay_base = DEFAULT_REPLAY_BASE_URL
        self.started_monotonic = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        uri = resolve_store_uri(None, crawler.settings.get("STORYARCHIVE_STORE"))
        pipeline = cls(crawler, open_store(uri, settings=crawler.settings))
        pipeline.replay_base = crawler.settings.get("STORYARCHIVE_REPLAY_BASE_URL") or DEFAULT_REPLAY_BASE_URL
        crawler.storyarchive_store_record = pipeline.record  # type: ignore[attr-defined]
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def item_dropped(self, item: Any, response: Any, exception: Exception) -> None:
        """Pages other pipelines rejected (off-topic, out of window) go into the manifest."""
        if isinstance(item, ArticleItem) and not isinstance(exception, _NotStored):
            self.record.skipped.append(
                {"url": item.url, "status": item.status, "reason": str(exception), "warc": _warc_dict(item)}
            )

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.skipped_reason or item.extraction is None:
            reason = item.skipped_reason or "no-extraction"
            self.record.skipped.append(
                {"url": item.url, "status": item.status, "reason": reason, "warc": _warc_dict(item)}
            )
            self.crawler.stats.inc_value(f"storyarchive/skipped/{reason.split(':')[0]}")
            raise _NotStored(f"not stored as an article ({reason}): {item.url}", log_level="DEBUG")
        self.items.append(item)
        self.crawler.stats.inc_value("storyarchive/store/kept")
        return item

    def close_spider(self) -> None:
        """Finalize dedup, then write every document and the manifest (synchronously, so
        it runs to completion before the other pipelines' close_spider)."""
        spider = self.crawler.spider
        slug: str = spider.story_slug  # type: ignore[union-attr]
        crawl_id: str = spider.crawl_id  # type: ignore[union-attr]
        dedup = getattr(self.crawler, "storyarchive_dedup", None)
        t0 = time.perf_counter()
        if dedup is not None and self.items:
            summary = dedup.finalize(self.items)
            self.record.dedup = summary.to_dict() if hasattr(summary, "to_dict") else summary
            logger.info("dedup of %d documents finalized in %.2f s", len(self.items),
                        time.perf_counter() - t0)
        # Same canonical URL twice in one crawl (a capture given both variants): one version
        # each, in a fixed order.
        self.items.sort(key=lambda i: (layout.doc_id(i.canonical_url), i.final_url, i.url))
        sources_of = getattr(spider, "sources_of", None)
        docs = []
        for item in self.items:
            if sources_of is not None:
                item.discovered_via = sources_of(item)
            # pywb serves the capture closest in time, so the fetch time is a fine fallback.
            when = (item.warc.date if item.warc and item.warc.date else None) or item.fetched_at
            url = replay_url(slug, when, item.final_url, self.replay_base)
            docs.append(build_document(item, crawl_id=crawl_id, replay_url=url))
        # A fresh capture is always a new version (its fetch time is new): no need to compare
        # with the stored one. Writes go out concurrently: with S3 each is a round trip.
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=DOCUMENT_WRITERS) as pool:
            results = list(pool.map(
                lambda d: write_document(self.store, d, skip_unchanged=False, durable=False), docs))
        # one sync for all of them, before the manifest that lists them is written
        self.store.flush()
        logger.info("%d documents written in %.2f s", len(docs), time.perf_counter() - t0)
        for doc, (key, written) in zip(docs, results, strict=True):
            self.record.documents.append(
                {
                    "doc_id": doc["doc_id"],
                    "key": key,
                    "canonical_url": doc["canonical_url"],
                    "written": written,
                    "title": doc["metadata"]["title"],
                    "outlet": doc["metadata"]["site_name"],
                }
            )
            self.crawler.stats.inc_value("storyarchive/store/documents_written", int(written))
        self._write_manifest(slug, crawl_id)

    def _write_manifest(self, slug: str, crawl_id: str) -> None:
        stats = self.crawler.stats.get_stats()
        story = getattr(self.crawler.spider, "story", None)
        manifest = {
            "crawl_id": crawl_id,
            "story": slug,
            "spider": getattr(self.crawler.spider, "name", None),
            "started": self.started,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "elapsed_seconds": round(time.monotonic() - self.started_monotonic, 3),
            "store": self.store.uri,
            "documents": self.record.documents,
            "skipped": self.record.skipped,
            "rejected_at_discovery": list(getattr(self.crawler.spider, "rejected", [])),
            "dedup": self.record.dedup,
            "dedup_wire_sites": sorted(getattr(story, "wire_sites", ()) or ()),
            "stats": {
                k: v
                for k, v in sorted(stats.items())
                if isinstance(v, int | float | str) and not k.startswith("log_count")
            },
        }
        data = (json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n").encode()
        key = layout.crawl_manifest_key(slug, crawl_id)
        if not spool.deliver_bytes(self.store, key, data):
            self.record.spooled.append(key)


def _warc_dict(item: ArticleItem) -> dict[str, Any] | None:
    if item.warc is None:
        return None
    w = item.warc
    return {"filename": w.filename, "offset": w.offset, "length": w.length, "record_id": w.record_id}
