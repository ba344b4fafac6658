"""`storyarchive` command line. Each subcommand lives in storyarchive/commands/<name>.py and
registers itself with `register(subparsers)`; this module only assembles them."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from storyarchive import __version__

# Order here is the order in `storyarchive --help`.
COMMAND_MODULES = [
    "demo", "crawl", "capture", "resume", "finish", "worker", "status", "schedule", "show", "warc",
    "wacz", "dedup", "store", "replay", "reextract", "web",
    "index", "export",
]


class UserError(Exception):
    """An error the user can fix; printed without a traceback, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storyarchive",
        description="Capture all the news coverage of a story: WARC, extraction, dedup, storage.",
    )
    parser.add_argument("--version", action="version", version=f"storyarchive {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"storyarchive.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"storyarchive.commands.{name}":
                continue  # that command is not built yet
            raise
        module.register(sub)
    return parser


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    """The --store option every command shares."""
    parser.add_argument(
        "--store",
        metavar="URI",
        default=None,
        help="archive location: a directory or s3://bucket/prefix (default: "
        "STORYARCHIVE_STORE in a settings file, else $STORYARCHIVE_STORE, else ./archive)",
    )


def add_settings_arguments(parser: argparse.ArgumentParser, set_help: str | None = None) -> None:
    """--store and --set, which every command takes (settings_from_args reads them)."""
    add_store_argument(parser)
    parser.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        default=[],
        help=set_help or "override a setting for this run (repeatable), e.g. --set CONCURRENT_REQUESTS=4",
    )


def command_parser(sub: Any, name: str, help: str, description: str, example: str,  # noqa: A002
                   **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand's parser whose --help says what it does (`description`) and shows
    `example` (one or more command lines) at the end."""
    import textwrap

    return sub.add_parser(  # type: ignore[no-any-return]
        name, help=help, description=textwrap.fill(description, 79),
        epilog="example:\n" + "\n".join(f"  {line}" for line in example.splitlines()),
        formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)


def settings_from_args(args: argparse.Namespace) -> Any:
    """The project's settings with the command's --set values and its --store at
    command-line priority (--store beats --set STORYARCHIVE_STORE=). UserError for a --set
    value that is not NAME=VALUE."""
    from storyarchive.runner import parse_overrides, project_settings

    try:
        overrides = parse_overrides(getattr(args, "set", None))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if getattr(args, "store", None):
        overrides["STORYARCHIVE_STORE"] = args.store
    return project_settings(None, overrides)


def store_from_args(args: argparse.Namespace, settings: Any = None) -> tuple[str, Any]:
    """(uri, store) for a command's --store option: `settings` (settings_from_args(args) if
    None) with --store at command-line priority, chosen and opened by
    storyarchive.store.store_from_settings (one precedence rule for every command).
    UserError naming the store if it cannot be opened."""
    from storyarchive.store import store_from_settings, store_uri_from_settings
    from storyarchive.store.base import StoreError

    if settings is None:
        settings = settings_from_args(args)
    if getattr(args, "store", None):
        settings.set("STORYARCHIVE_STORE", args.store, priority="cmdline")
    uri = store_uri_from_settings(settings)
    try:
        return uri, store_from_settings(settings)
    except StoreError as exc:
        raise UserError(f"store {uri}: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"storyarchive: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `storyarchive show ... | head`: the reader has what it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
