"""`python -m demoweb [--base-port 8401] [--generated N [--realistic]]`: serve the demo news web
until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from demoweb.server import DemoWeb, DemoWebError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demoweb", description=__doc__)
    parser.add_argument("--base-port", type=int, default=8401,
                        help="port of the first outlet; the others follow (0: free ports). Default 8401")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--generated", type=int, default=0, metavar="N",
                        help="add an outlet with N generated articles (benchmarks). Default 0")
    parser.add_argument("--realistic", action="store_true",
                        help="serve generated articles as realistic-size pages (150-200 KB: scripts, "
                             "state JSON, menus)")
    parser.add_argument("--gzip", action="store_true", help="gzip pages for clients that accept it")
    parser.add_argument("--story", action="store_true", help="print the demo story TOML and exit")
    args = parser.parse_args(argv)
    if args.realistic and not args.generated:
        parser.error("--realistic needs --generated N")
    web = DemoWeb(base_port=args.base_port, host=args.host, generated_articles=args.generated,
                  gzip_pages=args.gzip, realistic_pages=args.realistic)
    if args.story and args.base_port:
        sys.stdout.write(web.story_toml())
        return 0
    try:
        web.start()
    except DemoWebError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if args.story:
            sys.stdout.write(web.story_toml())
            return 0
        print("demo news web is serving (Ctrl-C to stop):")
        for outlet in web.outlets.values():
            print(f"  {outlet.slug:<10} {outlet.name:<26} {outlet.base_url}/")
        print(f"  search feed: {web.url('search', '/rss/search?q=Venezuela+dock+strike')}")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
