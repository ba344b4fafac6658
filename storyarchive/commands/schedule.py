"""`storyarchive schedule STORY.toml...`: crawl each story whenever its recrawl cadence says
it is due. `--once` runs what is due now and exits (for cron or a systemd timer); without it
the command keeps running and sleeps until the next story is due."""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from storyarchive.cli import UserError, add_store_argument, command_parser, store_from_args

# How often a long-running scheduler looks again even if nothing is due (new manifests
# written by other processes, a story file edited).
MAX_SLEEP_SECONDS = 60.0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "schedule", help="crawl stories on their recrawl cadence ([schedule] recrawl)",
        description="Crawl each story whenever its story file's [schedule] recrawl says it is "
                    "due (from the story's last crawl manifest in the store). With --once, run "
                    "what is due now and exit (cron, a systemd timer); without it, keep running "
                    "and sleep until the next story is due.",
        example="storyarchive schedule stories/*.toml --once\n"
                "storyarchive schedule stories/my-story.toml --store s3://bucket/archive")
    p.add_argument("stories", nargs="+", metavar="STORY.toml")
    p.add_argument("--once", action="store_true", help="run the crawls due now, then exit (for cron)")
    add_store_argument(p)
    p.add_argument("--set", action="append", metavar="NAME=VALUE", default=[], help="passed on to each crawl")
    p.add_argument("--redis", metavar="URL",
                   help="run each crawl distributed through this Redis (`crawl --redis`): the "
                        "scheduler seeds it and takes part; `storyarchive worker`s help")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storyarchive.story import StoryFileError, load_story

    paths = [Path(p) for p in args.stories]
    try:
        stories = [load_story(p) for p in paths]
    except StoryFileError as exc:
        raise UserError(str(exc)) from None
    for story in stories:
        if story.schedule.recrawl is None:
            raise UserError(f'{story.source_name}: add [schedule] recrawl = "6h" (or similar) to schedule it')
    uri, store = store_from_args(args)  # each crawl gets this store as its --store
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    failures = 0
    while True:
        shared = [f"STORYARCHIVE_REDIS_URL={args.redis}"] if args.redis else []
        failures += run_due(paths, store, uri, [*args.set, *shared])
        if args.once or stop["now"]:
            return 1 if failures else 0
        wait = seconds_until_next(paths, store)
        print(f"schedule: next crawl in {wait:.0f} s", file=sys.stderr, flush=True)
        deadline = time.monotonic() + min(wait, MAX_SLEEP_SECONDS)
        while time.monotonic() < deadline and not stop["now"]:
            time.sleep(1.0)
        if stop["now"]:
            return 1 if failures else 0


def _due_list(paths: list[Path], store):  # type: ignore[no-untyped-def]
    from storyarchive.schedule import last_finished, schedule_of
    from storyarchive.story import load_story

    now = dt.datetime.now(dt.UTC)
    out = []
    for path in paths:
        story = load_story(path)  # re-read: the file may have been edited
        out.append((path, schedule_of(story, last_finished(store, story.slug), now)))
    return now, out


def seconds_until_next(paths: list[Path], store) -> float:  # type: ignore[no-untyped-def]
    now, dues = _due_list(paths, store)
    return max(0.0, min((d.next_due - now).total_seconds() for _, d in dues))


def run_due(paths: list[Path], store, uri: str, overrides: list[str]) -> int:  # type: ignore[no-untyped-def]
    """Crawl every story due now, one after the other, each in its own process (Twisted's
    reactor runs once per process). Returns how many crawls failed."""
    from storyarchive.store.spool import state_dir

    now, dues = _due_list(paths, store)
    failures = 0
    for path, due in dues:
        slug = due.story.slug
        if not due.is_due(now):
            print(f"schedule: {slug}: next due {due.next_due:%Y-%m-%d %H:%M:%S} UTC", flush=True)
            continue
        lock_path = state_dir(store) / slug / "crawl.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(f"schedule: {slug}: a crawl of this story is already running; skipped", flush=True)
                continue
            print(f"schedule: {slug}: crawling (last finished: {due.last_finished or 'never'})", flush=True)
            cmd = [sys.executable, "-m", "storyarchive", "crawl", str(path), "--store", uri]
            for pair in overrides:
                cmd += ["--set", pair]
            result = subprocess.run(cmd, env=os.environ.copy())
            if result.returncode != 0:
                failures += 1
                print(f"schedule: {slug}: crawl failed with exit status {result.returncode}", flush=True)
    return failures
