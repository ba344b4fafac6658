"""`storyarchive reextract SLUG [--store URI] [--set NAME=VALUE]`: run the current
extraction and dedup over a story's stored WARCs and write new document versions. Nothing
is fetched; with unchanged settings nothing is written."""

from __future__ import annotations

import argparse
import json

from storyarchive.cli import (
    UserError,
    add_settings_arguments,
    command_parser,
    settings_from_args,
    store_from_args,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "reextract", help="re-run extraction and dedup over a story's stored WARCs",
        description="Run the current extraction and dedup over the article pages in a story's "
                    "stored WARCs and write a new version of each document that changes. "
                    "Nothing is fetched; with unchanged settings nothing is written.",
        example="storyarchive reextract demo-dock-strike --dry-run\n"
                "storyarchive reextract demo-dock-strike --set STORYARCHIVE_EXTRACT_FAVOR_RECALL=true")
    p.add_argument("slug")
    p.add_argument("--story-file", metavar="TOML",
                   help="the story file: scores pages that have no document yet and drops the "
                        "off-topic ones (default: every article page of the WARCs is kept)")
    p.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_settings_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from storyarchive.replay.records import RecordNotFoundError
    from storyarchive.replay.reextract import options_for_story, reextract_story
    from storyarchive.store.base import StoreError

    settings = settings_from_args(args)
    try:
        story = None
        if args.story_file:
            from storyarchive.story import load_story

            story = load_story(args.story_file)
            if story.slug != args.slug:
                raise UserError(f"{args.story_file} is story {story.slug!r}, not {args.slug!r}")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    uri, store = store_from_args(args, settings)
    try:
        options = options_for_story(settings, store, args.slug, story=story, write=not args.dry_run)
        report = reextract_story(store, args.slug, options)
    except (ValueError, RecordNotFoundError) as exc:
        raise UserError(str(exc)) from None
    except StoreError as exc:
        raise UserError(f"store {uri}: {exc}") from None
    print(json.dumps(asdict(report), indent=2) if args.json else report.format())
    return 0
