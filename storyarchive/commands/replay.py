"""`storyarchive replay [--story SLUG] [--store URI] [--port N]`: pywb over the archive.

Builds the replay environment on first use (.venv-replay, pywb pinned), merges each
story's CDXJ indexes into one collection per story, serves the WARCs from where they are
(a local store's directory; s3:// paths read by pywb's own S3 loader) and runs pywb until
Ctrl-C. Prints the URLs to open.
"""

from __future__ import annotations

import argparse
import signal
import sys

from storyarchive.cli import (
    UserError,
    add_settings_arguments,
    command_parser,
    settings_from_args,
    store_from_args,
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "replay", help="browse the archive as captured (pywb)",
        description="Serve the archive's captures with pywb on 127.0.0.1 (one collection per "
                    "story) until Ctrl-C, and print the URL to open. Each document's replay_url "
                    "and `storyarchive show` link into it.",
        example="storyarchive replay --story demo-dock-strike\n"
                "storyarchive replay --set STORYARCHIVE_REPLAY_BASE_URL=http://127.0.0.1:8090")
    p.add_argument("--story", metavar="SLUG", help="one story's collection (default: every story)")
    p.add_argument("--port", type=int, default=None,
                   help="port on 127.0.0.1 (default: the port of STORYARCHIVE_REPLAY_BASE_URL, 8080)")
    p.add_argument("--no-frames", action="store_true",
                   help="replay pages without pywb's top frame (banner and calendar link)")
    add_settings_arguments(p)
    p.set_defaults(func=run)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from storyarchive.layout import check_slug
    from storyarchive.replay.environment import ReplayEnvironmentError, ensure_environment
    from storyarchive.replay.indexes import NoCapturesError, story_slugs
    from storyarchive.replay.pywb import (
        PortInUseError,
        PywbProcess,
        ReplayServerError,
        build_collections,
        check_port_free,
        pywb_environment,
        write_config,
    )
    from storyarchive.replay.refresh import IndexRefresher
    from storyarchive.store.base import StoreError
    from storyarchive.store.spool import state_dir

    settings = settings_from_args(args)
    if args.port is None:
        from urllib.parse import urlsplit

        base = settings.get("STORYARCHIVE_REPLAY_BASE_URL")
        args.port = urlsplit(base).port or 8080
    try:
        check_port_free(args.port)  # one clear line now, not pywb's traceback later
    except ReplayServerError as exc:
        raise UserError(str(exc)) from None
    uri, store = store_from_args(args, settings)
    try:
        if args.story:
            slugs = [check_slug(args.story)]
        else:
            slugs = story_slugs(store)
            if not slugs:
                raise UserError(f"no story in {uri} has indexed captures yet; crawl one first")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    except StoreError as exc:
        raise UserError(f"store {uri}: {exc}") from None
    try:
        ensure_environment(log=lambda m: print(m, file=sys.stderr))
    except ReplayEnvironmentError as exc:
        raise UserError(str(exc)) from None

    # SIGTERM (service managers, `timeout`) stops pywb like Ctrl-C instead of orphaning it.
    signal.signal(signal.SIGTERM, _interrupt)
    work_dir = state_dir(store) / "replay"
    try:
        collections = build_collections(store, slugs, work_dir)
    except NoCapturesError as exc:
        raise UserError(str(exc)) from None
    except StoreError as exc:
        raise UserError(f"store {uri}: {exc}") from None
    write_config(work_dir, collections, framed=not args.no_frames)
    server = PywbProcess(work_dir, args.port, env=pywb_environment(store))
    try:
        server.start()
    except PortInUseError as exc:
        raise UserError(str(exc)) from None
    except ReplayServerError as exc:
        raise UserError(f"{exc}\n(is port {args.port} taken? try --port)") from None
    try:
        print(f"replaying {uri} at {server.base_url}/  (Ctrl-C stops)")
        for c in collections:
            print(f"  {c.slug}: {server.base_url}/{c.slug}/  ({c.captures} captures; "
                  f"calendar of a URL: {server.base_url}/{c.slug}/*/<url>)")
        sys.stdout.flush()
        process = server.process
        assert process is not None
        # captures delivered meanwhile are merged into the index pywb reads (refresh.py)
        refresher = IndexRefresher(store, slugs, work_dir, watch_new_stories=not args.story,
                                   log=lambda m: print(m, flush=True))
        refresher.run_while(lambda: process.poll() is None,
                            settings.getfloat("STORYARCHIVE_REPLAY_REFRESH_INTERVAL"))
        print(f"pywb stopped: {server.last_output(500)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()
