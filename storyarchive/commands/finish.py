"""`storyarchive finish <slug>`: make the documents and manifest of a story's crawls whose
end did not come (killed, failed on the store, Redis or a full disk) from their journals.
Nothing is fetched."""

from __future__ import annotations

import argparse

from storyarchive.cli import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "finish",
        help="write the documents of a story's unfinished crawls from their journals (no fetching)",
        description="Run the finish stage (dedup, documents, manifest) of every unfinished crawl "
                    "of the story, or of --crawl ID, from the page results journaled as it ran. "
                    "A crawl that was killed before it fetched everything is finished with what "
                    "it fetched (status 'interrupted'); `storyarchive resume` would fetch the "
                    "rest first. Example: storyarchive finish demo-dock-strike",
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
