"""`storyarchive store check` and `storyarchive store sync`: probe the configured archive
store, and drain the local spool into it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from storyarchive.cli import UserError, add_settings_arguments, command_parser, store_from_args


def register(subparsers: Any) -> None:
    p = command_parser(
        subparsers, "store", help="check the archive store, upload the spool",
        description="Check that the archive store works (check), or deliver the files that "
                    "wait in the local spool because the store could not take them (sync).",
        example="storyarchive store check --store s3://bucket/archive\nstoryarchive store sync")
    sub = p.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    check = command_parser(
        sub, "check",
        help="verify the store: reachable, bucket exists, write/read/delete of a probe object",
        description="Probe the store as a crawl would before its first fetch: reachable, "
                    "bucket or directory exists, a probe object can be written, read back and "
                    "deleted. Each step is printed; the first failure stops with exit status 2.",
        example="storyarchive store check --store s3://bucket/archive\n"
                "storyarchive store check --store ./archive --set STORYARCHIVE_S3_MAX_ATTEMPTS=2",
    )
    add_settings_arguments(check)
    check.set_defaults(func=run_check)
    sync = command_parser(
        sub, "sync", help="upload every closed file waiting in the local spool",
        description="Recover the unfinished WARC files a killed crawl left (cut to their last "
                    "complete record and indexed), then deliver every closed file waiting in "
                    "the local spool (WARCs first, each verified before its spool copy is "
                    "removed), and say what still waits where. Delivering what the store "
                    "already holds is a no-op. The spool of an S3 store is "
                    "$STORYARCHIVE_SPOOL_DIR/<store>, by default "
                    "$XDG_STATE_HOME/storyarchive/spool/<store> (~/.local/state/...): the "
                    "same from any directory.",
        example="storyarchive store sync --store s3://bucket/archive")
    add_settings_arguments(sync)
    sync.set_defaults(func=run_sync)


def run_check(args: argparse.Namespace) -> int:
    """Print each probe step; on the first failure raise UserError with its message."""
    from storyarchive.store.check import check_store

    uri, store = store_from_args(args)
    try:
        print(f"checking store {uri}")
        for step in check_store(store):
            if not step.ok:
                print(f"  FAIL  {step.name}")
                raise UserError(f"store {uri}: {step.detail}")
            print(f"  ok    {step.name:<8}  {step.detail}")
        print("store is usable")
        return 0
    finally:
        store.close()


def run_sync(args: argparse.Namespace) -> int:
    """Deliver the spool; exit 0 when it is empty afterwards (and nothing of this store
    waits in the spool's old place), 1 otherwise. Says where the spool is and what waits."""
    from storyarchive.store.spool import legacy_spool_dir, spool_dir, sync, waiting_kinds
    from storyarchive.warc.recover import recover_all

    uri, store = store_from_args(args)
    try:
        # a killed crawl's unfinished WARC: cut to its last complete record, indexed, delivered
        for rep in recover_all(store):
            print(f"recovered {rep.summary()}")
        report = sync(store)
        kinds = waiting_kinds(store) if report.remaining else {}
        writing = _being_written(store)
        old = legacy_spool_dir(store)
    finally:
        store.close()
    spool = spool_dir(store)
    print(
        f"store {uri}: delivered {report.delivered} file(s), {_mb(report.bytes)} "
        f"({report.uploaded} uploaded, {report.already_stored} already in the store)"
    )
    for key, message in report.failed:
        print(f"  not delivered: {key}: {message}", file=sys.stderr)
    if report.stopped:
        print(f"  stopped: {report.stopped}", file=sys.stderr)
    if report.remaining:
        what = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        print(f"{report.remaining} file(s) still waiting in {spool} ({what})", file=sys.stderr)
    else:
        print(f"nothing waits in the spool ({spool})")
    if writing:
        print(f"{writing} WARC file(s) still being written by a running crawl in {spool}: "
              "they are delivered when it closes them")
    if old is not None:
        count = sum(1 for p in old.rglob("*") if p.is_file())
        print(f"{count} file(s) for {uri} wait in {old}, where the spool was before "
              "(relative to the directory a crawl ran in): deliver them with "
              f"`STORYARCHIVE_SPOOL_DIR={old.parent} storyarchive store sync --store {uri}`",
              file=sys.stderr)
    return 0 if report.ok and old is None else 1


def _being_written(store: Any) -> int:
    """WARC files in the spool that a live crawl holds open (recover_all left them alone)."""
    from storyarchive.store.spool import OPEN_SUFFIX, spool_dir

    stories = spool_dir(store) / "stories"
    return sum(1 for _ in stories.glob(f"*/warc/*.warc.gz{OPEN_SUFFIX}")) if stories.is_dir() else 0


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n} bytes"
