"""`storyarchive status --redis URL`: the store's distributed crawls, as the workers see them."""

from __future__ import annotations

import argparse
import json
import sys

from storyarchive.cli import UserError, add_store_argument


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "status",
        help="show the store's distributed crawls: frontier, leases, workers, pages/s, last finish",
        description="For every story with a distributed crawl in this Redis and store: the "
                    "running crawl, requests in the shared frontier and leased by workers, live "
                    "workers, pages fetched and pages/s, errors, and how the last crawl ended. "
                    "Example: storyarchive status --redis redis://127.0.0.1:6379/0",
    )
    add_store_argument(p)
    p.add_argument("--set", action="append", metavar="NAME=VALUE", default=[],
                   help="override a setting (repeatable)")
    p.add_argument("--redis", metavar="URL",
                   help="the Redis of the crawls (default: STORYARCHIVE_REDIS_URL)")
    p.add_argument("--json", action="store_true", help="one JSON object (for machines)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storyarchive.cli import store_from_args
    from storyarchive.distributed.status import crawl_status
    from storyarchive.redis_connection import RedisParams, redacted, redis_client
    from storyarchive.runner import parse_overrides, project_settings
    from storyarchive.store.base import StoreError
    from storyarchive.store.identity import store_id

    try:
        settings = project_settings(None, parse_overrides(args.set))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    url = args.redis or settings.get("STORYARCHIVE_REDIS_URL")
    if not url:
        raise UserError("give --redis URL (or set STORYARCHIVE_REDIS_URL)")
    uri, store = store_from_args(args, settings)
    try:
        ident = store_id(store)
    except StoreError as exc:
        raise UserError(f"store {uri}: {exc}") from None
    import redis

    r = redis_client(url, RedisParams.from_settings(settings))
    try:
        stories = crawl_status(r, ident)
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise UserError(f"Redis at {redacted(url)}: {exc}") from None
    if args.json:
        print(json.dumps({"store": uri, "redis": redacted(url), "stories": stories}, indent=2))
        return 0
    if not stories:
        print(f"no distributed crawl of {uri} in Redis at {redacted(url)}")
        return 0
    for s in stories:
        print(f"{s['slug']}")
        crawl = s.get("running")
        if crawl:
            print(f"  running          crawl {crawl['crawl_id']} (since {crawl['created']}"
                  + ("" if crawl["seeded"] else ", still seeding") + ")")
            print(f"  frontier         {crawl['frontier']} requests; {crawl['leased']} leased")
            workers = crawl["workers"]
            print(f"  workers          {len(workers)} live" + (f": {', '.join(workers)}" if workers else ""))
            rate = f", {crawl['pages_per_second']:.1f} pages/s" if crawl.get("pages_per_second") else ""
            print(f"  fetched          {crawl['pages']} pages, {crawl['bytes'] / 1e6:.1f} MB{rate}")
            print(f"  errors           {crawl['errors']}")
        else:
            print("  running          none")
        last = s.get("last")
        if last:
            print(f"  last finish      crawl {last['crawl_id']}: {last['status']} at {last['at']} by "
                  f"{last['by']}, {last['documents']} documents"
                  + (f" ({last['error']})" if last.get("error") else ""))
    sys.stdout.flush()
    return 0
