"""`storyarchive dedup <slug> [--rebuild]`: recompute a story's dedup from the archive.

Without --rebuild it is a dry run that prints what would change; with --rebuild it clears
and refills the story's dedup index and writes a new version of every document whose
relations or syndication changed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from storyarchive.cli import (
    UserError,
    add_settings_arguments,
    command_parser,
    settings_from_args,
    store_from_args,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "dedup", help="recompute a story's duplicate clusters from the archive",
        description="Recompute the dedup of every stored document of a story (in-page repeats, "
                    "site boilerplate, wire copy) and say what would change; with --rebuild, "
                    "refill the dedup index and write the documents that changed. Nothing is "
                    "fetched.",
        example="storyarchive dedup demo-dock-strike\n"
                "storyarchive dedup demo-dock-strike --rebuild --set STORYARCHIVE_DEDUP_JACCARD=0.7")
    p.add_argument("slug")
    p.add_argument("--rebuild", action="store_true",
                   help="rebuild the index and write the documents that changed "
                        "(default: dry run, print what would change)")
    p.add_argument("--redis-url", default=None,
                   help="the shared index (default: STORYARCHIVE_DEDUP_REDIS_URL, else embedded)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_settings_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storyarchive.dedup.backend import IndexUnavailableError
    from storyarchive.dedup.records import IndexFormatError
    from storyarchive.store.base import StoreError

    settings = settings_from_args(args)
    _, store = store_from_args(args, settings)
    try:
        report = rebuild_story(args.slug, store, settings, args.redis_url, write=args.rebuild)
    except (StoreError, IndexUnavailableError, IndexFormatError, ValueError) as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        print(json.dumps({"documents": report.documents, "summary": report.summary.to_dict(),
                          "changed": [c.__dict__ for c in report.changed]}, indent=2))
    else:
        print(report.format())
        if not args.rebuild and report.changed:
            print("(dry run: nothing written; use --rebuild)")
    return 0


def rebuild_story(slug: str, store: Any, settings: Any, redis_url: str | None,
                  write: bool) -> Any:
    """All of the command's I/O: index backend (`redis_url`, else the settings'), document
    writer, over the opened `store` with the project's `settings`."""
    from storyarchive.dedup.config import config_from_settings
    from storyarchive.dedup.index import PriorIndex
    from storyarchive.dedup.rebuild import rebuild
    from storyarchive.dedup.story import open_backend
    from storyarchive.manifests import recorded_wire_sites
    from storyarchive.redis_connection import RedisParams

    # The wire agencies the story's crawls used, so canonical choices come out the same.
    config = config_from_settings(settings, extra_wire_sites=recorded_wire_sites(store, slug))
    redis_url = redis_url or settings.get("STORYARCHIVE_DEDUP_REDIS_URL") or None
    backend = open_backend(slug, store, redis_url, RedisParams.from_settings(settings))
    try:
        if not write:
            # dry run: compute against a throw-away in-memory index
            from storyarchive.dedup.backend import SqliteBackend

            backend.close()
            backend = SqliteBackend(":memory:")
        index = PriorIndex(backend, config.index_meta())
        batch = settings.getint("STORYARCHIVE_FINISH_BATCH_DOCUMENTS") or None
        return rebuild(store, slug, config, index, write=write, batch_documents=batch)
    finally:
        backend.close()
