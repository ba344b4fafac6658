"""What `storyarchive status` reports of the distributed crawls of one store."""

from __future__ import annotations

import calendar
import json
import time
from typing import Any

from storyarchive.distributed.coordinator import live_workers, pending
from storyarchive.distributed.keys import CrawlKeys, last_key, scope_for
from storyarchive.distributed.worker import running_crawls


def crawl_status(r: Any, store_identity: str) -> list[dict[str, Any]]:
    """Per story (sorted by slug): the running crawl (frontier depth, leased requests, live
    workers, pages, bytes, errors, pages/s since it started) and the last finish."""
    scope = scope_for(store_identity)
    out: dict[str, dict[str, Any]] = {}
    for record in running_crawls(r, scope):
        keys = CrawlKeys(scope, record.crawl_id)
        frontier, leased = pending(r, keys)
        stats = {k.decode(): int(v) for k, v in r.hgetall(keys.stats).items()}
        started = calendar.timegm(time.strptime(record.created, "%Y-%m-%dT%H:%M:%SZ"))
        elapsed = max(1.0, time.time() - started)
        out[record.slug] = {"slug": record.slug, "running": {
            "crawl_id": record.crawl_id, "spider": record.spider, "created": record.created,
            "seeded": record.seeded, "frontier": frontier, "leased": leased,
            "workers": live_workers(r, keys),
            "pages": stats.get("pages", 0), "bytes": stats.get("bytes", 0),
            "kept": stats.get("kept", 0), "errors": stats.get("errors", 0),
            "pages_per_second": round(stats.get("pages", 0) / elapsed, 2),
        }}
    for raw_key in r.scan_iter(match=last_key(scope, "*")):
        key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
        slug = key.rsplit(":", 1)[1]
        entry = out.setdefault(slug, {"slug": slug, "running": None})
        entry["last"] = json.loads(r.get(key))
    return [out[slug] for slug in sorted(out)]
