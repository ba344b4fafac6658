"""`storyarchive crawl STORY.toml`: discover and archive a story's coverage."""

from __future__ import annotations

import argparse
import sys

from storyarchive.cli import UserError, add_store_argument


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("crawl", help="crawl a story's coverage from its story file")
    p.add_argument("story", help="path to the story file (stories/<slug>.toml)")
    add_crawl_options(p)
    p.set_defaults(func=run)


def add_crawl_options(p: argparse.ArgumentParser) -> None:
    add_store_argument(p)
    p.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        default=[],
        help="override a setting (repeatable), e.g. --set CONCURRENT_REQUESTS=4",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log on stderr")


def prepare(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Settings for a crawl, after checking that the store and every configured Redis
    server are usable (before any fetching). UserError (exit status 2) if one is not."""
    from storyarchive.redis_connection import RedisUnavailableError, check_redis
    from storyarchive.runner import parse_overrides, project_settings
    from storyarchive.store import store_from_settings, store_uri_from_settings
    from storyarchive.store.base import StoreError
    from storyarchive.store.check import preflight

    try:
        overrides = parse_overrides(args.set)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.store:
        overrides["STORYARCHIVE_STORE"] = args.store  # --store beats --set STORYARCHIVE_STORE=
    settings = project_settings(None, overrides, verbose=args.verbose)
    uri = store_uri_from_settings(settings)
    # Pinned, so every part of the crawl (and its summary) sees the store checked here.
    settings.set("STORYARCHIVE_STORE", uri, priority="cmdline")
    try:
        store = store_from_settings(settings)
        try:
            preflight(store)
        finally:
            store.close()
    except StoreError as exc:
        raise UserError(f"store {uri}: {exc}") from None
    try:
        check_redis(settings)
    except (RedisUnavailableError, ValueError) as exc:
        raise UserError(str(exc)) from None
    return settings


def run(args: argparse.Namespace) -> int:
    from storyarchive.runner import run_spider
    from storyarchive.story import StoryFileError, load_story
    from storyarchive.summary import format_summary

    try:
        story = load_story(args.story)
    except StoryFileError as exc:
        raise UserError(str(exc)) from None
    settings = prepare(args)
    result = run_spider("story", settings, story=story)
    print(format_summary(result, "storyarchive"), file=sys.stdout)
    return 0 if result.stats.get("finish_reason") == "finished" else 1
