"""`storyarchive worker --redis URL`: take part in every distributed crawl of the store."""

from __future__ import annotations

import argparse
import sys

from storyarchive.cli import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "worker",
        help="fetch for the store's distributed crawls (shared frontier in Redis)",
        description="Work on every crawl started with `storyarchive crawl|capture --redis` on "
                    "the same Redis and store: take requests from the shared frontier, archive "
                    "and extract them, and run the finish stage when the crawl is done (one "
                    "worker does). Runs until stopped (SIGTERM or Ctrl-C: what it has not "
                    "committed goes back to the frontier). Example: storyarchive worker "
                    "--redis redis://127.0.0.1:6379/0 --store s3://bucket/archive",
    )
    from storyarchive.commands.crawl import add_crawl_options

    add_crawl_options(p, fresh=False)
    p.add_argument("--exit-when-idle", nargs="?", type=float, const=10.0, metavar="SECONDS",
                   help="stop once no crawl has run here for SECONDS (default 10): for batch "
                        "jobs and tests")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storyarchive.commands.crawl import prepare, shared
    from storyarchive.distributed.worker import run_worker

    if not args.redis:
        raise UserError("a worker needs --redis URL (the shared frontier)")
    settings, _redis, _scope = shared(prepare(args), args.redis)
    worker = settings.get("STORYARCHIVE_WORKER_ID")
    print(f"worker {worker}: waiting for crawls", file=sys.stderr, flush=True)
    status = {"code": 0}

    def report(result, record) -> None:  # type: ignore[no-untyped-def]
        stats = result.stats
        line = (f"worker {worker}: crawl {record.crawl_id} of {record.slug!r}: "
                f"{result.finish_status}, {stats.get('response_received_count', 0)} responses")
        if stats.get("storyarchive/finish/by"):
            line += f" (finished by {stats['storyarchive/finish/by']})"
        elif result.record is not None:
            line += f", {len(result.record.documents)} documents written (this worker finished it)"
        print(line, flush=True)
        if result.finish_error:
            status["code"] = 1
            command = "finish" if result.finish_status == "failed" else "resume"
            print(f"storyarchive: {result.finish_error}; run `storyarchive {command} {record.slug} "
                  f"--redis ...` once that is fixed", file=sys.stderr, flush=True)

    run_worker(settings, exit_when_idle=args.exit_when_idle, on_result=report)
    return status["code"]
