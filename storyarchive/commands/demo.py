"""`storyarchive demo`: serve the bundled demo news web on loopback and crawl its story.

No internet, no credentials: everything runs on 127.0.0.1 and lands in ./archive."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from storyarchive.cli import command_parser
from storyarchive.commands.crawl import add_crawl_options, prepare


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "demo", help="crawl the bundled demo news web (loopback only)",
        description="Serve the bundled demo news web on 127.0.0.1 and crawl its story into the "
                    "store, then print the crawl's summary. No internet, no credentials.",
        example="storyarchive demo\nstoryarchive show demo-dock-strike")
    p.add_argument(
        "--base-port", type=int, default=0, help="first port of the demo outlets (default: free ports)"
    )
    add_crawl_options(p, shared=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from demoweb.server import DemoWeb
    from storyarchive.commands.crawl import report_outcome, run_crawl_command
    from storyarchive.story import load_story

    settings = prepare(args)
    # The demo site is ours and on loopback: no need to wait politely between requests.
    settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    with DemoWeb(base_port=args.base_port) as web, tempfile.TemporaryDirectory() as tmp:
        print(
            f"demo news web: {len(web.outlets)} outlets on 127.0.0.1 "
            f"({', '.join(o.base_url for o in web.outlets.values())})",
            file=sys.stderr,
        )
        story_file = Path(tmp) / "demo.toml"
        story_file.write_text(web.story_toml(), encoding="utf-8")
        story = load_story(story_file)
        # always a fresh crawl: the demo web's ports, and so its URLs, change every run
        outcome = run_crawl_command(settings, "story", story.slug, True, {"spider": "demo"},
                                    {"story": story})
    return report_outcome(outcome, "storyarchive demo")
