"""`storyarchive index [--rebuild] [--story SLUG]`: bring the full-text search index up to
date with the store's documents (storyarchive.searchindex), or make it again."""

from __future__ import annotations

import argparse

from storyarchive.cli import UserError, add_settings_arguments, command_parser, store_from_args


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "index", help="update the full-text search index from the stored documents",
        description="Bring the full-text search index (used by `storyarchive web`) up to date "
                    "with the latest version of every stored article: new and changed "
                    "documents are indexed, removed ones dropped. Every crawl's finish does it "
                    "for its story; run it after an index update failed, or with --rebuild to "
                    "make the index again from the documents. Nothing is fetched.",
        example="storyarchive index\n"
                "storyarchive index --story demo-dock-strike\n"
                "storyarchive index --rebuild --store s3://bucket/archive")
    p.add_argument("--rebuild", action="store_true",
                   help="make the index again from every document of the store")
    p.add_argument("--story", metavar="SLUG", default=None,
                   help="only this story's documents (default: every story)")
    add_settings_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sqlite3
    import sys

    from storyarchive.document import DocumentReadError
    from storyarchive.searchindex import SearchIndex
    from storyarchive.store.base import StoreError

    if args.rebuild and args.story:
        raise UserError("--rebuild makes the index of the whole store: give --rebuild or --story, not both")
    uri, store = store_from_args(args)
    try:
        index = SearchIndex.for_store(store)
        if args.rebuild:
            n = index.rebuild()
            print(f"search index {index.path}: rebuilt, {n} documents")
            return 0
        update = index.update_story(args.story) if args.story else index.update_all()
        print(f"search index {index.path}: {update}; {index.count()} documents")
        return 0
    except DocumentReadError as exc:
        print(f"storyarchive: error: {exc}; the search index was not updated: "
              "`storyarchive reextract SLUG` writes new versions from the WARCs", file=sys.stderr)
        return 1
    except ValueError as exc:  # an invalid slug
        raise UserError(str(exc)) from None
    except StoreError as exc:
        print(f"storyarchive: error: cannot read the documents of {uri}: {exc}; "
              f"`storyarchive store check --store {uri}` says what is wrong, then run "
              "`storyarchive index` again", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"storyarchive: error: cannot write the search index of {uri}: {exc}; it is "
              "derived data: once the disk is fixed, `storyarchive index --rebuild` makes it "
              "again", file=sys.stderr)
        return 1
    finally:
        store.close()
