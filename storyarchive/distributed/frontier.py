"""The shared frontier: scrapy-redis's Scheduler, PriorityQueue and RFPDupeFilter, with leases.

Stock scrapy-redis deletes a request from Redis when a worker pops it, so a worker killed
with requests in flight loses them. Here a pop moves the request, in one Lua script, from
the frontier into the worker's lease hash; the request is acknowledged (its lease deleted)
only once its page is durable in the store (`storyarchive.distributed.coordinator` commits
the worker's WARC and journal first). A worker that stops heartbeating has its leases put
back into the frontier by whichever worker notices (`requeue_dead`), so a `kill -9` costs
at most the requests it had not committed, fetched a second time.
"""

from __future__ import annotations

from typing import Any

import redis
from scrapy import Request
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from storyarchive.distributed.keys import CrawlKeys

META_LEASE = "storyarchive_lease"
# What a lost or failing Redis raises: the crawl stops loudly on any of them.
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, redis.ResponseError)

# KEYS: frontier, leases:<worker>, lease-seq, workers; ARGV: worker. Returns {lease id,
# encoded request} or nil. The worker joins the crawl's set in the same step, so a worker
# holding a lease is always one that the end-of-crawl check and the reaper look at.
_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
redis.call('SADD', KEYS[4], ARGV[1])
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, item[2] .. '\\n' .. item[1])
return {tostring(id), item[1]}
"""

# KEYS: frontier, leases:<worker>. Puts every lease back into the frontier; returns how many.
_REQUEUE = """
local all = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 2, #all, 2 do
  local v = all[i]
  local cut = string.find(v, '\\n', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, cut - 1)), string.sub(v, cut + 1))
  n = n + 1
end
redis.call('DEL', KEYS[2])
return n
"""


def crawl_keys(crawler: Any) -> CrawlKeys:
    """The Redis keys of the crawl `crawler` runs (its spider's crawl id, the store's scope)."""
    return CrawlKeys(crawler.settings["STORYARCHIVE_REDIS_SCOPE"], crawler.spider.crawl_id)


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pop leases instead of deleting."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.crawl_keys = crawl_keys(spider.crawler)
        self.worker: str = spider.settings["STORYARCHIVE_WORKER_ID"]
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)

    def pop(self, timeout: int = 0) -> Request | None:
        keys = self.crawl_keys
        got = self._pop(keys=[self.key, keys.leases(self.worker), keys.lease_seq, keys.workers],
                        args=[self.worker])
        if not got:
            return None
        lease, data = got
        request = self._decode_request(data)
        request.meta[META_LEASE] = lease.decode() if isinstance(lease, bytes) else str(lease)
        return request

    def ack(self, leases: list[str]) -> None:
        if leases:
            self.server.hdel(self.crawl_keys.leases(self.worker), *leases)

    def requeue(self, worker: str) -> int:
        """Put every request leased by `worker` back into the frontier (atomically)."""
        return int(self._requeue(keys=[self.key, self.crawl_keys.leases(worker)]))


class LeasingScheduler(Scheduler):
    """scrapy-redis's Scheduler on our connection and keys, remembering which request of
    this worker holds which lease until `ack`."""

    def __init__(self, server: Any, **kwargs: Any) -> None:
        super().__init__(server, **kwargs)
        self.leased: dict[str, Request] = {}
        self.crawler: Any = None
        self._coordinator: Any = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeasingScheduler:
        from storyarchive.redis_connection import RedisParams, redis_client

        s = crawler.settings
        keys = crawl_keys(crawler)
        server = redis_client(s.get("STORYARCHIVE_REDIS_URL"), RedisParams.from_settings(s))
        instance = cls(
            server,
            persist=True,  # the frontier outlives any one worker
            queue_key=keys.frontier,
            dupefilter=RFPDupeFilter(server, key=keys.seen, debug=s.getbool("DUPEFILTER_DEBUG")),
        )
        # scrapy-redis counts with a deprecated signature: we count ourselves
        instance.stats = None
        instance.crawler = crawler
        return instance

    @property
    def coordinator(self) -> Any:
        """This crawl's DistributedCrawl extension (None if it is off)."""
        if self._coordinator is False:
            from storyarchive.distributed.coordinator import DistributedCrawl

            self._coordinator = self.crawler.get_extension(DistributedCrawl)
        return self._coordinator

    def _redis_failed(self, exc: Exception) -> None:
        coordinator = self.coordinator
        if coordinator is None:
            raise exc
        coordinator.fail(exc)

    def enqueue_request(self, request: Request) -> bool:
        try:
            queued = bool(super().enqueue_request(request))
            if queued:
                self.crawler.stats.inc_value("scheduler/enqueued/redis")
            return queued
        except REDIS_ERRORS as exc:  # the request is not in the frontier: stop, loudly
            self._redis_failed(exc)
            return False

    def has_pending_requests(self) -> bool:
        try:
            return bool(super().has_pending_requests())
        except REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return False

    def open(self, spider: Any) -> None:
        # scrapy-redis's open, without its deprecated Spider.log call
        self.spider = spider
        self.queue = LeasedQueue(self.server, spider, self.queue_key, self.serializer)
        if len(self.queue):
            spider.logger.info("joining the crawl: %d requests in the shared frontier", len(self.queue))

    def close(self, reason: str) -> None:  # persist: keep the frontier and the fingerprints
        return None

    def next_request(self) -> Request | None:
        if self._stopped():
            return None
        try:
            request = super().next_request()
        except REDIS_ERRORS as exc:
            self._redis_failed(exc)
            return None
        if request is not None:
            self.leased[request.meta[META_LEASE]] = request
            self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _stopped(self) -> bool:
        """No new leases once this worker's crawl is closing or Redis failed."""
        coordinator = self.coordinator
        return coordinator is not None and (coordinator.error is not None or coordinator.closing)

    def ack(self, leases: list[str]) -> None:
        self.queue.ack(leases)
        for lease in leases:
            self.leased.pop(lease, None)

    def release(self) -> int:
        """Give every lease of this worker back to the frontier (a clean stop)."""
        self.leased.clear()
        return self.queue.requeue(self.queue.worker)
