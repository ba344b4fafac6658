"""`storyarchive finish <slug>`: make the documents and manifest of a story's crawls whose
end did not come (killed, failed on the store, Redis or a full disk) from their journals.
Nothing is fetched."""

from __future__ import annotations

import argparse

from storyarchive.cli import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from storyarchive.cli import command_parser

    p = command_parser(
        sub, "finish",
        help="write the documents of a story's unfinished crawls from their journals (no fetching)",
        description="Run the finish stage (dedup, documents, manifest) of every unfinished crawl "
                    "of the story, or of --crawl ID, from the page results journaled as it ran. "
                    "A crawl that was killed before it fetched everything is finished with what "
                    "it fetched (status 'interrupted'); `storyarchive resume` would fetch the "
                    "rest first.",
        example="storyarchive finish demo-dock-strike",
    )
    p.add_argument("slug")
    p.add_argument("--crawl", metavar="ID", help="only this crawl (default: every unfinished one)")
    add_settings_options(p)
    p.set_defaults(func=run)


def add_settings_options(p: argparse.ArgumentParser) -> None:
    from storyarchive.commands.crawl import add_crawl_options

    add_crawl_options(p, fresh=False)


def run(args: argparse.Namespace) -> int:
    from storyarchive.commands.crawl import report_outcome, with_crawl_settings
    from storyarchive.runner import finish_only

    if args.redis:
        return finish_distributed(args)
    settings, store, crawls = crawls_to_complete(args)
    if not crawls:
        print(f"story {args.slug!r} has no unfinished crawl in {store.uri}: nothing to finish")
        return 0
    status = 0
    for state in crawls:
        outcome = finish_only(with_crawl_settings(settings, state.resume_info, args.set), args.slug,
                              state.crawl_id, progress=progress_printer())
        status = max(status, report_outcome(outcome, "storyarchive finish"))
    return status


def finish_distributed(args: argparse.Namespace) -> int:
    """`finish SLUG --redis URL`: run the finish stage of the story's distributed crawl here,
    once nothing is left to fetch and no worker is running it (its Redis lock)."""
    import os
    import threading

    from storyarchive.commands.crawl import prepare, report_outcome, shared, with_crawl_settings
    from storyarchive.distributed.coordinator import (
        gather_segments,
        mark_done,
        pending,
        requeue_dead,
    )
    from storyarchive.distributed.keys import CrawlKeys, CrawlRecord, registry_key
    from storyarchive.journal import JOURNAL, crawl_dir
    from storyarchive.layout import check_slug
    from storyarchive.redis_connection import redacted
    from storyarchive.runner import finish_only
    from storyarchive.store import store_from_settings

    try:
        check_slug(args.slug)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    settings, r, scope = shared(prepare(args), args.redis)
    raw = r.hget(registry_key(scope), args.slug)
    if not raw:
        print(f"no distributed crawl of {args.slug!r} is running in Redis at {redacted(args.redis)}: "
              "nothing to finish")
        return 0
    record = CrawlRecord.from_json(raw)
    keys = CrawlKeys(scope, record.crawl_id)
    requeue_dead(r, keys)
    frontier, leased = pending(r, keys)
    if frontier or leased or not record.seeded:
        raise UserError(
            f"crawl {record.crawl_id} of {args.slug!r} is not done fetching ({frontier} requests in "
            f"the frontier, {leased} leased{'' if record.seeded else ', not fully seeded'}): start "
            f"a worker (`storyarchive worker --redis {redacted(args.redis)}`) or `storyarchive "
            f"resume {args.slug} --redis ...`")
    me = f"finish-{os.uname().nodename}-{os.getpid()}"
    lease_ms = int(settings.getfloat("STORYARCHIVE_LEASE_TIMEOUT") * 1000)
    if not r.set(keys.finisher, me, nx=True, px=lease_ms):
        raw_holder = r.get(keys.finisher)
        holder = raw_holder.decode() if isinstance(raw_holder, bytes) else "?"
        raise UserError(f"worker {holder} is running the finish stage "
                        f"of crawl {record.crawl_id}; `storyarchive status --redis ...` shows when it ends")
    stop = threading.Event()

    def renew() -> None:  # hold the lock for as long as the finish stage runs
        while not stop.wait(lease_ms / 3000):
            r.pexpire(keys.finisher, lease_ms)

    threading.Thread(target=renew, daemon=True).start()
    try:
        store = store_from_settings(settings)
        try:
            gather_segments(store, args.slug, record.crawl_id,
                            crawl_dir(store, args.slug, record.crawl_id) / JOURNAL, me)
        finally:
            store.close()
        outcome = finish_only(with_crawl_settings(settings, {"settings": record.settings}, args.set),
                              args.slug, record.crawl_id, progress=progress_printer())
    finally:
        stop.set()
    documents = len(outcome.report.documents) if outcome.report is not None else 0
    manifest = outcome.report.manifest_key if outcome.report is not None else None
    mark_done(r, scope, keys, args.slug, me, outcome.status, manifest, documents, outcome.error)
    outcome.redis = args.redis
    return report_outcome(outcome, "storyarchive finish")


def crawls_to_complete(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """(settings, store, crawls) for `finish` and `resume`: the command's settings (store
    and Redis checked), the store, and crawl --crawl ID or else every unfinished crawl of
    the story, oldest first. UserError for a bad slug or an unreadable journal."""
    from storyarchive.commands.crawl import prepare
    from storyarchive.journal import JournalError, crawl_state, unfinished_crawls
    from storyarchive.layout import check_slug
    from storyarchive.store import store_from_settings

    try:
        check_slug(args.slug)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    settings = prepare(args)
    store = store_from_settings(settings)
    try:
        crawls = ([crawl_state(store, args.slug, args.crawl)] if args.crawl
                  else unfinished_crawls(store, args.slug))
    except (JournalError, ValueError) as exc:
        raise UserError(str(exc)) from None
    return settings, store, crawls


def progress_printer():  # type: ignore[no-untyped-def]
    """A live 'finishing: documents X/Y' line on a terminal, nothing elsewhere."""
    import sys

    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        sys.stderr.write(f"\r\x1b[Kfinishing: documents {done}/{total}" + ("\n" if done == total else ""))
        sys.stderr.flush()

    return show
