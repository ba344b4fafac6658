"""`storyarchive export <slug> --format jsonl|csv|parquet [-o FILE] [--all-versions]`: a
story's articles as one table (storyarchive.export), for pandas, R, DuckDB or a spreadsheet."""

from __future__ import annotations

import argparse

from storyarchive.cli import UserError, add_settings_arguments, command_parser, store_from_args
from storyarchive.export import FORMATS


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "export", help="write a story's articles as one JSONL, CSV or Parquet table",
        description="Write one row per article of the story (the latest version of each; with "
                    "--all-versions one per stored version): metadata, relevance, text and "
                    "text_dedup, syndication and the WARC record it came from. Columns are "
                    "listed in README.md (\"Exports\"). Nothing is fetched.",
        example="storyarchive export demo-dock-strike --format parquet -o demo.parquet\n"
                "storyarchive export demo-dock-strike --format jsonl -o - | jq .title")
    p.add_argument("slug")
    p.add_argument("--format", choices=FORMATS, default="jsonl", dest="fmt",
                   help="table format (default: jsonl)")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="where to write: a file, or - for standard output (default: SLUG.FORMAT "
                        "in the current directory)")
    p.add_argument("--all-versions", action="store_true",
                   help="one row per stored version of each article, not only the latest")
    add_settings_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os
    import sys
    import tempfile
    from pathlib import Path

    from storyarchive import layout
    from storyarchive.document import DocumentReadError
    from storyarchive.export import ExportError, has_documents, write_export
    from storyarchive.store.base import StoreError
    from storyarchive.store.filemode import follow_umask

    try:
        layout.check_slug(args.slug)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    output = args.output or f"{args.slug}.{args.fmt}"
    if output == "-" and args.fmt == "parquet" and sys.stdout.isatty():
        raise UserError("Parquet is binary: give -o FILE, or send standard output to a file or a pipe")
    uri, store = store_from_args(args)
    try:
        if not has_documents(store, args.slug):
            raise UserError(f"story {args.slug!r} has no documents in {uri}: nothing to export "
                            "(check the slug and --store; `storyarchive show SLUG` lists a story)")
        if output == "-":
            sys.stdout.flush()
            n = write_export(store, args.slug, args.fmt, sys.stdout.buffer, args.all_versions)
            sys.stdout.buffer.flush()
        else:
            # complete or absent: written beside the target, then moved into place
            path = Path(output)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
            try:
                follow_umask(fd)
                with os.fdopen(fd, "wb") as out:
                    n = write_export(store, args.slug, args.fmt, out, args.all_versions)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        what = "versions" if args.all_versions else "articles"
        print(f"exported {n} {what} of {args.slug} to {'standard output' if output == '-' else output} "
              f"({args.fmt})", file=sys.stderr)
        return 0
    except (StoreError, ExportError, DocumentReadError, OSError) as exc:
        written = ("what went to standard output is incomplete" if output == "-"
                   else f"{output} was not written")
        print(f"storyarchive: error: export of {args.slug} failed: {exc}; {written}. "
              f"`storyarchive store check --store {uri}` checks the store; then run the export again",
              file=sys.stderr)
        return 1
    finally:
        store.close()
