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


def add_crawl_options(p: argparse.ArgumentParser, fresh: bool = True) -> None:
    add_store_argument(p)
    p.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        default=[],
        help="override a setting (repeatable), e.g. --set CONCURRENT_REQUESTS=4",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log on stderr")
    if not fresh:
        return
    p.add_argument("--fresh", action="store_true",
                   help="start a new crawl even if the story has an unfinished one (default: "
                        "resume it, fetching nothing it fetched already)")


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
    from pathlib import Path

    from storyarchive.story import StoryFileError, load_story

    try:
        story = load_story(args.story)
    except StoryFileError as exc:
        raise UserError(str(exc)) from None
    settings = prepare(args)
    info = {"spider": "story", "story_file": str(Path(args.story).resolve()),
            "settings": list(args.set)}
    return report_outcome(run_crawl_command(settings, "story", story.slug, args.fresh, info,
                                            {"story": story}), "storyarchive")


def with_crawl_settings(settings, info: dict, given: list[str]):  # type: ignore[no-untyped-def]
    """A copy of `settings` with a crawl's own --set values (its resume info), then the
    command's `given` ones: a resumed or finished crawl makes its documents with the
    settings it ran with (finish batch, dedup, its Redis index). The store stays the one
    the command opened."""
    from storyarchive.redis_connection import RedisUnavailableError, check_redis
    from storyarchive.runner import parse_overrides

    settings = settings.copy()
    for name, value in {**parse_overrides(info.get("settings") or []), **parse_overrides(given)}.items():
        if name != "STORYARCHIVE_STORE":
            settings.set(name, value, priority="cmdline")
    try:
        check_redis(settings)  # the crawl's own Redis, before anything is done
    except (RedisUnavailableError, ValueError) as exc:
        raise UserError(str(exc)) from None
    return settings


def run_crawl_command(settings, spider: str, slug: str, fresh: bool,  # type: ignore[no-untyped-def]
                      info: dict, kwargs: dict, crawl_id: str | None = None):
    """run_crawl with the command's error handling (UserError for an unreadable journal)."""
    from storyarchive.journal import JournalError
    from storyarchive.runner import run_crawl

    try:
        return run_crawl(settings, spider, slug, fresh=fresh, resume_info=info,
                         spider_kwargs=kwargs, crawl_id=crawl_id)
    except JournalError as exc:
        raise UserError(str(exc)) from None


def report_outcome(outcome, title: str) -> int:  # type: ignore[no-untyped-def]
    """Print the summary of a crawl (or of its finish stage) and what to run next, if
    anything; return the exit status (0 only when every document was written)."""
    from storyarchive.summary import format_outcome

    print(format_outcome(outcome, title), file=sys.stdout)
    step = outcome.next_step()
    if step:
        print(f"storyarchive: {step}", file=sys.stderr)
    return int(outcome.exit_code)
