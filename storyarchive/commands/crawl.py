"""`storyarchive crawl STORY.toml`: discover and archive a story's coverage."""

from __future__ import annotations

import argparse
import sys

from storyarchive.cli import UserError, add_settings_arguments, command_parser


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "crawl", help="crawl a story's coverage from its story file",
        description="Discover the story's coverage (feeds, news sitemaps, search feeds, seed "
                    "pages), archive every exchange as WARC, extract and score each article, "
                    "then write the deduplicated documents and the crawl's manifest to the "
                    "store. An unfinished crawl of the story is resumed unless --fresh.",
        example="storyarchive crawl stories/demo-dock-strike.toml\n"
                "storyarchive crawl stories/my-story.toml --store s3://bucket/archive "
                "--set CONCURRENT_REQUESTS=4")
    p.add_argument("story", help="path to the story file (stories/<slug>.toml)")
    add_crawl_options(p)
    p.set_defaults(func=run)


def add_crawl_options(p: argparse.ArgumentParser, fresh: bool = True, shared: bool = True) -> None:
    add_settings_arguments(p)
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log on stderr")
    if shared:
        add_worker_options(p)
    if not fresh:
        return
    p.add_argument("--fresh", action="store_true",
                   help="start a new crawl even if the story has an unfinished one (default: "
                        "resume it, fetching nothing it fetched already)")


def add_worker_options(p: argparse.ArgumentParser, required: bool = False) -> None:
    """--redis and --metrics-port (a distributed crawl, README "Scale-out")."""
    p.add_argument("--redis", metavar="URL", required=required,
                   help="share the crawl through this Redis (redis://host:6379/0): any "
                        "`storyarchive worker` with the same Redis and store takes part")
    p.add_argument("--metrics-port", type=int, metavar="PORT",
                   help="serve Prometheus metrics on 127.0.0.1:PORT/metrics (docs/metrics.md)")


def prepare(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Settings for a crawl, after checking that the store and every configured Redis
    server are usable (before any fetching). UserError (exit status 2) if one is not."""
    from storyarchive.addressguard import allowed_networks
    from storyarchive.layout import check_warc_prefix
    from storyarchive.metrics import metrics_address
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
    if getattr(args, "redis", None):
        overrides["STORYARCHIVE_REDIS_URL"] = args.redis
    if getattr(args, "metrics_port", None) is not None:
        overrides["STORYARCHIVE_METRICS_PORT"] = str(args.metrics_port)
    settings = project_settings(None, overrides, verbose=args.verbose)
    try:  # bad values fail now, not after the crawl started
        metrics_address(settings)
        check_warc_prefix(settings.get("STORYARCHIVE_WARC_PREFIX") or "")
        allowed_networks(settings)
    except ValueError as exc:
        raise UserError(str(exc)) from None
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
    if settings.get("STORYARCHIVE_REDIS_URL"):
        text = Path(args.story).read_text(encoding="utf-8")
        return run_distributed(args, settings, "story", story.slug, {"story_text": text},
                               "storyarchive crawl")
    info = {"spider": "story", "story_file": str(Path(args.story).resolve()),
            "settings": list(args.set)}
    return report_outcome(run_crawl_command(settings, "story", story.slug, args.fresh, info,
                                            {"story": story}), "storyarchive")


def shared(settings, url: str):  # type: ignore[no-untyped-def]
    """(settings, Redis client, scope) of a process taking part in distributed crawls
    through `url` (storyarchive.distributed.worker.distributed_settings); UserError if the
    store cannot give its identity."""
    from storyarchive.distributed.worker import distributed_settings
    from storyarchive.redis_connection import RedisParams, redis_client
    from storyarchive.store.base import StoreError

    try:
        settings = distributed_settings(settings, url)
    except StoreError as exc:
        raise UserError(f"store {settings.get('STORYARCHIVE_STORE')}: {exc}") from None
    r = redis_client(url, RedisParams.from_settings(settings))
    return settings, r, settings.get("STORYARCHIVE_REDIS_SCOPE")


def run_distributed(args: argparse.Namespace, settings, spider: str, slug: str,  # type: ignore[no-untyped-def]
                    kwargs: dict | None, title: str) -> int:
    """Seed a distributed crawl of `slug` (or join the one running; only join it when
    `kwargs` is None: `resume --redis`) and take part in it as a worker until it is
    finished; print its summary."""
    from spiders.base import new_crawl_id
    from storyarchive.distributed.keys import CrawlRecord, registry_key
    from storyarchive.distributed.worker import (
        CrawlRunning,
        now,
        register_crawl,
        run_worker,
    )
    from storyarchive.runner import CrawlOutcome, _waiting

    url = settings.get("STORYARCHIVE_REDIS_URL")
    settings, r, scope = shared(settings, url)
    if kwargs is None:
        raw = r.hget(registry_key(scope), slug)
        if not raw:
            raise UserError(f"no distributed crawl of {slug!r} is running in this Redis for "
                            f"{settings.get('STORYARCHIVE_STORE')}: nothing to resume")
        record, joined = CrawlRecord.from_json(raw), True
    else:
        record = CrawlRecord(new_crawl_id(), slug, spider, kwargs, settings=list(args.set),
                             created=now())
        try:
            record, joined = register_crawl(r, scope, record, fresh=getattr(args, "fresh", False))
        except CrawlRunning as exc:
            raise UserError(str(exc)) from None
    if joined:
        print(f"joining crawl {record.crawl_id} of {slug!r} (running since {record.created})",
              file=sys.stderr)
    run = run_worker(settings, only=record, seed=not record.seeded)
    result = run.results[0] if run.results else None
    if result is None:
        outcome = CrawlOutcome(slug, record.crawl_id, joined, None, status="interrupted",
                               error="the worker stopped before the crawl started")
    else:
        outcome = CrawlOutcome(slug, record.crawl_id, joined, result, result.record,
                               result.finish_status, result.finish_error)
    outcome.redis = url
    outcome.waiting = _waiting(settings, slug)
    return report_outcome(outcome, title)


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


def report_outcome(outcome, title: str, given_urls: list[str] | None = None) -> int:  # type: ignore[no-untyped-def]
    """Print the summary of a crawl (or of its finish stage) and what to run next, if
    anything; return the exit status (0 only when every document was written and, for a
    capture of `given_urls`, every one of them was archived)."""
    from storyarchive.summary import format_not_captured, format_outcome, not_captured, plural

    print(format_outcome(outcome, title), file=sys.stdout)
    missed = not_captured(outcome.report, given_urls or [])
    if missed:
        print(format_not_captured(missed, len(set(given_urls or []))), file=sys.stdout)
    step = outcome.next_step()
    if step:
        print(f"storyarchive: {step}", file=sys.stderr)
    elif missed:
        print(f"storyarchive: {plural(len(missed), 'URL')} not captured (listed above)", file=sys.stderr)
    return max(int(outcome.exit_code), 1 if missed else 0)
