"""`storyarchive wacz SLUG [-o FILE]`: package a story's captures as a WACZ file, stored in
the archive at stories/<slug>/wacz/<name>.wacz (and copied to FILE if given)."""

from __future__ import annotations

import argparse
from pathlib import Path

from storyarchive.cli import UserError, add_settings_arguments, command_parser, store_from_args


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "wacz", help="package a story's captures as WACZ",
        description="Package a story's WARC files, their index and a page list (each "
                    "article's title and text) as one WACZ file, for ReplayWeb.page or pywb. "
                    "It is stored at stories/<slug>/wacz/<name>.wacz, and copied to -o FILE.",
        example="storyarchive wacz demo-dock-strike -o demo.wacz")
    p.add_argument("slug")
    p.add_argument("-o", "--output", type=Path, help="also write the WACZ to this file")
    p.add_argument("--name", help="object name in the store (default SLUG-TIMESTAMP.wacz)")
    add_settings_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storyarchive import layout
    from storyarchive.store import StoreError
    from storyarchive.warc.wacz import WaczError, package_story

    try:
        layout.check_slug(args.slug)
        if args.name and not args.name.endswith(".wacz"):
            raise ValueError(f"--name {args.name!r} must end in .wacz")
        _, store = store_from_args(args)
        key, summary = package_story(store, args.slug, args.name, args.output)
    except (ValueError, WaczError, StoreError) as exc:
        raise UserError(str(exc)) from exc
    print(
        f"{key}: {summary.warcs} WARC files, {summary.pages} pages, {summary.bytes:,} bytes"
        + (f" (copied to {args.output})" if args.output else "")
    )
    return 0
