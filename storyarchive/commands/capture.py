"""`storyarchive capture URL... --story SLUG`: archive exactly the URLs given, now."""

from __future__ import annotations

import argparse

from storyarchive.cli import UserError
from storyarchive.commands.crawl import add_crawl_options, prepare, report_outcome, run_crawl_command


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("capture", help="archive exactly the given URLs (on-demand capture)")
    p.add_argument("urls", nargs="*", metavar="URL")
    p.add_argument("-i", "--input", metavar="FILE", help="read URLs from FILE, one per line")
    p.add_argument(
        "--story",
        default="captures",
        help="collection slug, or a story file to score relevance against (default: captures)",
    )
    add_crawl_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spiders.capture import read_url_file
    from storyarchive.layout import check_slug

    urls = list(args.urls)
    if args.input:
        try:
            urls += read_url_file(args.input)
        except OSError as exc:
            raise UserError(f"cannot read URL file {args.input}: {exc.strerror}") from None
    if not urls:
        raise UserError("give at least one URL (or --input FILE)")
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise UserError(f"not an http(s) URL: {bad[0]!r}")
    if not args.story.endswith(".toml"):
        try:
            check_slug(args.story)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    settings = prepare(args)
    slug = args.story
    if args.story.endswith(".toml"):
        from storyarchive.story import StoryFileError, load_story

        try:
            slug = load_story(args.story).slug
        except StoryFileError as exc:
            raise UserError(str(exc)) from None
    if settings.get("STORYARCHIVE_REDIS_URL"):
        from storyarchive.commands.crawl import run_distributed

        kwargs: dict = {"urls": urls}
        if args.story.endswith(".toml"):
            kwargs["story_text"] = Path(args.story).read_text(encoding="utf-8")
        return run_distributed(args, settings, "capture", slug, kwargs, "storyarchive capture")
    story_arg = str(Path(args.story).resolve()) if args.story.endswith(".toml") else args.story
    info = {"spider": "capture", "story": story_arg, "urls": urls, "settings": list(args.set)}
    return report_outcome(run_crawl_command(settings, "capture", slug, args.fresh, info,
                                            {"urls": urls, "story": args.story}),
                          "storyarchive capture")
