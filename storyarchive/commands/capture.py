"""`storyarchive capture URL... --story SLUG`: archive exactly the URLs given, now."""

from __future__ import annotations

import argparse

from storyarchive.cli import UserError, command_parser
from storyarchive.commands.crawl import add_crawl_options, prepare, report_outcome, run_crawl_command


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "capture", help="archive exactly the given URLs (on-demand capture)",
        description="Fetch exactly the URLs given (and what each page needs to render), "
                    "archive them as WARC and store each page's document in the collection "
                    "--story names. Bad lines of an --input file are reported with their line "
                    "numbers before anything is fetched; each URL that could not be archived "
                    "(refused by robots.txt, no answer) is listed and the exit status is 1.",
        example="storyarchive capture https://news.example/a https://news.example/b --story my-story\n"
                "storyarchive capture -i urls.txt --story stories/my-story.toml")
    p.add_argument("urls", nargs="*", metavar="URL")
    p.add_argument("-i", "--input", metavar="FILE", help="read URLs from FILE, one per line")
    p.add_argument(
        "--story",
        default="captures",
        help="collection slug, or a story file to score relevance against (default: captures)",
    )
    p.add_argument("--ignore-robots", action="store_true",
                   help="fetch the URLs even where robots.txt forbids it: only for pages you have "
                        "the right to archive (logged, and recorded in each WARC's warcinfo)")
    add_crawl_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from spiders.capture import UrlListError, read_url_file, url_problem
    from storyarchive.layout import check_slug

    urls = list(args.urls)
    problems = [f"URL {i} on the command line: {p}"
                for i, p in enumerate(map(url_problem, urls), 1) if p]
    if args.input:
        try:
            urls += read_url_file(args.input)
        except OSError as exc:
            raise UserError(f"cannot read URL file {args.input}: {exc.strerror}") from None
        except UrlListError as exc:
            problems += exc.problems
    if problems:  # every bad line at once, before anything is fetched
        for problem in problems:
            print(f"storyarchive capture: {problem}", file=sys.stderr)
        raise UserError(f"{len(problems)} bad URL{'s' if len(problems) > 1 else ''}: nothing was "
                        "fetched; fix or remove them (lines starting with # are ignored)")
    if not urls:
        raise UserError("give at least one URL (or --input FILE)")
    if args.ignore_robots:
        # a --set value, so a resumed capture ignores robots.txt too
        args.set = [*args.set, "ROBOTSTXT_OBEY=False"]
        from storyarchive.summary import plural

        print(f"storyarchive capture: --ignore-robots: robots.txt is not consulted for "
              f"{plural(len(urls), 'URL')} and what their pages need (each WARC's warcinfo "
              "says 'robots: ignore'); archive only pages you have the right to archive",
              file=sys.stderr)
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
    from storyarchive.credentials import strip_userinfo

    story_arg = str(Path(args.story).resolve()) if args.story.endswith(".toml") else args.story
    info = {"spider": "capture", "story": story_arg, "urls": urls, "settings": list(args.set)}
    return report_outcome(run_crawl_command(settings, "capture", slug, args.fresh, info,
                                            {"urls": urls, "story": args.story}),
                          "storyarchive capture", given_urls=[strip_userinfo(u) for u in urls])
