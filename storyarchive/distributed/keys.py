"""Names of everything a distributed crawl keeps in Redis, scoped to the store.

Every key starts with `storyarchive:<store id>:` (storyarchive.store.identity): two archives
sharing one Redis never see each other's frontier, digests or dedup index.

    <scope>:crawls                      hash: story slug -> the running crawl (JSON, `CrawlRecord`)
    <scope>:last:<slug>                 how the story's last distributed crawl ended (JSON)
    <scope>:crawl:<id>:frontier         sorted set: encoded requests by priority (scrapy-redis)
    <scope>:crawl:<id>:seen             set: request fingerprints (scrapy-redis RFPDupeFilter)
    <scope>:crawl:<id>:leases:<worker>  hash: lease id -> "<score>\\n<encoded request>"
    <scope>:crawl:<id>:lease-seq        counter for lease ids
    <scope>:crawl:<id>:workers          set: workers that joined the crawl
    <scope>:crawl:<id>:alive:<worker>   a worker's heartbeat in the crawl (expires after the lease timeout)
    <scope>:crawl:<id>:stats            hash: pages, errors... summed over workers (status)
    <scope>:crawl:<id>:finisher         lock: the worker running the finish stage
    <scope>:crawl:<id>:done             the finish stage completed (JSON)
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import asdict, dataclass, field
from typing import Any


def scope_for(store_id: str) -> str:
    return f"storyarchive:{store_id}"


def new_worker_id() -> str:
    """host-pid-random: unique, and it says where the worker runs (it names WARC files)."""
    host = "".join(c if c.isalnum() or c in ".-" else "-" for c in socket.gethostname())[:40]
    return f"{host}-{os.getpid()}-{secrets.token_hex(2)}"


@dataclass
class CrawlKeys:
    scope: str
    crawl_id: str

    def _k(self, name: str) -> str:
        return f"{self.scope}:crawl:{self.crawl_id}:{name}"

    @property
    def frontier(self) -> str:
        return self._k("frontier")

    @property
    def seen(self) -> str:
        return self._k("seen")

    def leases(self, worker: str) -> str:
        return self._k(f"leases:{worker}")

    @property
    def lease_seq(self) -> str:
        return self._k("lease-seq")

    @property
    def workers(self) -> str:
        return self._k("workers")

    def alive(self, worker: str) -> str:
        return self._k(f"alive:{worker}")

    @property
    def stats(self) -> str:
        return self._k("stats")

    @property
    def finisher(self) -> str:
        return self._k("finisher")

    @property
    def done(self) -> str:
        return self._k("done")

    def all_fixed(self) -> list[str]:
        return [self.frontier, self.seen, self.lease_seq, self.workers, self.stats, self.finisher]


def registry_key(scope: str) -> str:
    return f"{scope}:crawls"


def last_key(scope: str, slug: str) -> str:
    return f"{scope}:last:{slug}"


@dataclass
class CrawlRecord:
    """A distributed crawl as the registry holds it: everything a worker on another machine
    needs to run the same spider with the same story and settings."""

    crawl_id: str
    slug: str
    spider: str  # story | capture
    kwargs: dict[str, Any]  # story: {"story_text"}; capture: {"urls", "story" or "story_text"}
    settings: list[str] = field(default_factory=list)  # the --set NAME=VALUE it was started with
    created: str = ""
    seeded: bool = False  # the seeding process queued every start request

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> CrawlRecord:
        return cls(**json.loads(raw))
