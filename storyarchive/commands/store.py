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
                    "removed). Delivering what the store already holds is a no-op.",
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
    """Deliver the spool; exit 0 when it is empty afterwards, 1 otherwise."""
    from storyarchive.store.spool import spool_dir, sync
    from storyarchive.warc.recover import recover_all

    uri, store = store_from_args(args)
    try:
        # a killed crawl's unfinished WARC: cut to its last complete record, indexed, delivered
        for rep in recover_all(store):
            print(f"recovered {rep.summary()}")
        report = sync(store)
    finally:
        store.close()
    print(
        f"store {uri}: delivered {report.delivered} file(s), {_mb(report.bytes)} "
        f"({report.uploaded} uploaded, {report.already_stored} already in the store)"
    )
    for key, message in report.failed:
        print(f"  not delivered: {key}: {message}", file=sys.stderr)
    if report.stopped:
        print(f"  stopped: {report.stopped}", file=sys.stderr)
    if report.remaining:
        print(f"{report.remaining} file(s) still waiting in {spool_dir(store)}", file=sys.stderr)
    return 0 if report.ok else 1


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n} bytes"
