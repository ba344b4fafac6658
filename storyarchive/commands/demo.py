"""`storyarchive demo`: serve the bundled demo news web on loopback and crawl its story.

No internet, no credentials: everything runs on 127.0.0.1 and lands in ./archive.

The demo serves on the ports stories/demo-dock-strike.toml names (8401...), so its pages
have the URLs of that story file: both file under the slug demo-dock-strike, the same
articles under the same URLs (each listed once by `show`), and a second demo is a recrawl
of the same pages (same summary). Served on other ports (--base-port N, or 0 for free
ports), the URLs differ, so the demo files under a slug of its own, demo-dock-strike-<port>,
and never mixes with the story file's crawls."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from storyarchive.cli import UserError, command_parser
from storyarchive.commands.crawl import add_crawl_options, prepare

# The first port of stories/demo-dock-strike.toml (demoweb's default).
STORY_FILE_BASE_PORT = 8401


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "demo", help="crawl the bundled demo news web (loopback only)",
        description="Serve the bundled demo news web on 127.0.0.1 and crawl its story into the "
                    "store, then print the crawl's summary. No internet, no credentials. On its "
                    "default ports (8401...) the demo is stories/demo-dock-strike.toml, slug "
                    "demo-dock-strike; on other ports it files under demo-dock-strike-<port>.",
        example="storyarchive demo\nstoryarchive show demo-dock-strike")
    p.add_argument(
        "--base-port", type=int, default=STORY_FILE_BASE_PORT,
        help="first port of the demo outlets (default 8401, the ports of "
             "stories/demo-dock-strike.toml; 0: free ports, filed under their own slug)")
    add_crawl_options(p, shared=False)
    p.set_defaults(func=run)


def demo_slug(story_slug: str, first_port: int) -> str:
    """The demo's collection: the story file's slug when the demo web is on the story file's
    ports (the same URLs), else a slug of its own for those ports."""
    return story_slug if first_port == STORY_FILE_BASE_PORT else f"{story_slug}-{first_port}"


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from demoweb.server import DemoWeb, DemoWebError
    from storyarchive.commands.crawl import report_outcome, run_crawl_command
    from storyarchive.story import load_story

    settings = prepare(args)
    # The demo site is ours and on loopback: no need to wait politely between requests.
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    web = DemoWeb(base_port=args.base_port)
    try:
        web.start()
    except DemoWebError as exc:
        raise UserError(str(exc)) from None
    with web, tempfile.TemporaryDirectory() as tmp:
        print(
            f"demo news web: {len(web.outlets)} outlets on 127.0.0.1 "
            f"({', '.join(o.base_url for o in web.outlets.values())})",
            file=sys.stderr,
        )
        story_file = Path(tmp) / "demo.toml"
        story_file.write_text(web.story_toml(), encoding="utf-8")
        story = load_story(story_file)
        first_port = web.port(next(iter(web.outlets)))
        story = dataclasses.replace(story, slug=demo_slug(story.slug, first_port))
        # a fresh crawl each time: a demo never resumes a crawl of the story file
        outcome = run_crawl_command(settings, "story", story.slug, True, {"spider": "demo"},
                                    {"story": story})
    return report_outcome(outcome, "storyarchive demo")
