"""`storyarchive web [--store URI] [--host 127.0.0.1] [--port 8000]`: the web view of the
archive (storyarchive.web), served by uvicorn until Ctrl-C."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

from storyarchive.cli import (
    UserError,
    add_settings_arguments,
    command_parser,
    settings_from_args,
    store_from_args,
)

TOKEN_ENV = "STORYARCHIVE_WEB_TOKEN"
MIN_TOKEN_LENGTH = 16


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "web", help="browse the archive in a web browser (timeline, versions, search, capture)",
        description="Serve the web view of the archive on 127.0.0.1:8000 until Ctrl-C: every story, "
                    "its coverage timeline, outlets, syndication, articles with their dedup relations "
                    "and versions, full-text search and exports, with a JSON API under /api/. "
                    f"Captures from the web need ${TOKEN_ENV}; without it the view is read-only. "
                    "Replay links go to --replay-url (run `storyarchive replay` there).",
        example="storyarchive web\n"
                f"{TOKEN_ENV}=$(openssl rand -hex 24) storyarchive web --store s3://bucket/archive "
                "--replay-url http://127.0.0.1:8080")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; put a TLS "
                        "reverse proxy in front before listening elsewhere)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free port)")
    p.add_argument("--replay-url", metavar="URL", default=None,
                   help="where `storyarchive replay` serves the archive, for the replay links "
                        "(default: STORYARCHIVE_REPLAY_BASE_URL, http://127.0.0.1:8080)")
    p.add_argument("--stories", metavar="DIR", default="stories",
                   help="directory of story files, for titles and next scheduled crawls (default: stories)")
    p.add_argument("--refresh", type=float, default=2.0, metavar="SECONDS",
                   help="how often a story's crawl manifests are checked for new crawls (default 2)")
    add_settings_arguments(p, set_help="a setting for this run and for the captures it starts "
                                       "(repeatable), e.g. --set STORYARCHIVE_REPLAY_BASE_URL=...")
    p.set_defaults(func=run)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    import socket

    import uvicorn

    from storyarchive.web.app import WebConfig, create_app

    settings = settings_from_args(args)
    uri, store = store_from_args(args, settings)
    token = os.environ.get(TOKEN_ENV) or None
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise UserError(f"${TOKEN_ENV} is too short ({len(token)} characters; at least "
                        f"{MIN_TOKEN_LENGTH}): use e.g. `openssl rand -hex 24`")
    replay = str(args.replay_url or settings.get("STORYARCHIVE_REPLAY_BASE_URL")).rstrip("/")
    if not replay.startswith(("http://", "https://")):
        raise UserError(f"--replay-url must be an http(s) URL, got {replay!r}")
    # bind first, so a taken port is one line and exit status 2, before anything else
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sock.close()
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror} (another "
                        "server? choose another --port)") from None
    sock.listen(2048)  # connections wait from now on, even before uvicorn accepts them
    port = sock.getsockname()[1]
    config = WebConfig(store=store, store_uri=uri, replay_base=replay, token=token,
                       stories_dir=Path(args.stories), set_values=list(args.set), refresh=args.refresh)
    app = create_app(config)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"web view of {uri} at http://{host}:{port}/  (Ctrl-C stops)")
    mode = "captures allowed with the token" if token else f"read-only (set ${TOKEN_ENV} to allow captures)"
    print(f"  {mode}; replay links to {replay}/")
    if not _loopback(args.host):
        print(f"storyarchive web: listening on {args.host}, not only this machine: put it behind a "
              "TLS reverse proxy (README \"Web view\")", file=sys.stderr)
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           proxy_headers=False, server_header=False))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        return 0
    finally:
        sock.close()
    return 0
