"""`storyarchive resume <slug>`: go on with a story's crawl that was stopped or killed.

Nothing it fetched is fetched again (those requests are answered from its WARCs), nothing
it extracted is extracted again, the unfinished WARC is recovered, and the finish stage
writes the documents. A crawl that had fetched everything only runs the finish stage.
"""

from __future__ import annotations

import argparse

from storyarchive.cli import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from storyarchive.cli import command_parser

    p = command_parser(
        sub, "resume",
        help="go on with a story's stopped or killed crawl, then finish it",
        description="Resume the story's latest unfinished crawl (or --crawl ID) where it "
                    "stopped: what it archived is not fetched again, the rest is, then its "
                    "documents are written. The next `crawl`/`capture` of the story does the "
                    "same unless given --fresh.",
        example="storyarchive resume demo-dock-strike",
    )
    p.add_argument("slug")
    p.add_argument("--crawl", metavar="ID", help="which crawl (default: the latest unfinished one)")
    from storyarchive.commands.crawl import add_crawl_options

    add_crawl_options(p, fresh=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storyarchive.commands.crawl import report_outcome, run_crawl_command, with_crawl_settings
    from storyarchive.commands.finish import crawls_to_complete
    from storyarchive.runner import finish_only

    if args.redis:  # a distributed crawl: join it, as a worker, until it is finished
        from storyarchive.commands.crawl import prepare, run_distributed
        from storyarchive.layout import check_slug

        try:
            check_slug(args.slug)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        return run_distributed(args, prepare(args), "", args.slug, None, "storyarchive resume")
    settings, store, crawls = crawls_to_complete(args)
    if not crawls:
        print(f"story {args.slug!r} has no unfinished crawl in {store.uri}: nothing to resume")
        return 0
    state = crawls[-1]  # the latest (or the one given)
    info = state.resume_info
    spider = info.get("spider")
    settings = with_crawl_settings(settings, info, args.set)
    if state.fetch_done or spider not in ("story", "capture"):
        if not state.fetch_done:  # `scrapy crawl`, or the demo (its web is gone with it)
            print(f"crawl {state.crawl_id} cannot be restarted (it was not started by "
                  "`storyarchive crawl` or `capture`): writing the documents of what it fetched")
        return report_outcome(finish_only(settings, args.slug, state.crawl_id, resumed=True),
                              "storyarchive resume")
    if spider == "story":
        from storyarchive.story import StoryFileError, load_story

        try:
            story = load_story(info["story_file"])
        except StoryFileError as exc:
            raise UserError(f"cannot resume crawl {state.crawl_id}: {exc}") from None
        kwargs: dict = {"story": story}
        title = "storyarchive resume"
    else:
        kwargs = {"urls": list(info.get("urls") or []), "story": info.get("story") or args.slug}
        title = "storyarchive resume (capture)"
    return report_outcome(run_crawl_command(settings, spider, args.slug, False, info, kwargs,
                                            crawl_id=state.crawl_id), title)
