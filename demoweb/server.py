"""The demo news web on loopback: one threaded HTTP/1.1 server (keep-alive) per outlet.

    with DemoWeb(base_port=0) as web:          # free ports; base_port=8401 for `make demo`
        web.outlets["meridian"].base_url       # "http://127.0.0.1:PORT"
        web.url("globe", "/feed/")
        web.story_toml()                       # the demo story with these ports
        web.special_url("gzip")                # protocol edge cases on the "lab" outlet
        web.expected_canonical_urls()          # what a correct story crawl stores

Pages are rendered by `demoweb.site` from the live port map, so cross-outlet links are right
whatever ports were bound.
"""

from __future__ import annotations

import errno
import logging
import socket
import socketserver
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from demoweb import catalog, lab
from demoweb.catalog import CatalogEntry
from demoweb.generated import GeneratedSite
from demoweb.outlets import GENERATED_SPEC, OUTLET_SPECS, Outlet, OutletSpec
from demoweb.site import DemoSite
from demoweb.story import render_story

logger = logging.getLogger(__name__)


class DemoWebError(RuntimeError):
    """The demo web cannot do what was asked (port taken, not started, unknown name)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` with nothing listening on it (bound then released): a dead host
    for tests. Another process could take it in between, which is unlikely on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class ServedCount:
    """How many responses an outlet has sent, and when (time.monotonic()) the first and the
    last started going out (None before any): a benchmark's view of when a crawl was
    fetching. A response is counted before its headers are sent."""

    responses: int
    first_at: float | None
    last_at: float | None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoWeb/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    server: _OutletServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.debug("%s %s", self.server.slug, format % args)

    def _serve(self, head: bool) -> None:
        web, slug = self.server.web, self.server.slug
        self.server.log_request_path(self.path, self.headers.get("User-Agent", ""))
        web.wait_while_held()
        if self.server.web.latency:  # a far-away server: every response waits this long
            time.sleep(self.server.web.latency)
        try:
            if slug == "lab":
                name = lab.special_for_path(self.path)
                if name is not None:
                    if lab.write_special(name, self.wfile, head_only=head):
                        self.close_connection = True
                    return
            accept = self.headers.get("Accept-Encoding", "")
            resp = web.site.respond(slug, self.path, accept_gzip="gzip" in accept)
            self.send_response(resp.status)
            for key, value in resp.headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(resp.body)))
            # Counted before the body goes out, so a client that has read a whole response
            # always finds it counted.
            self.server.count_response()
            self.end_headers()
            if not head:
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _OutletServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], web: DemoWeb, slug: str) -> None:
        self.web = web
        self.slug = slug
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self.served = ServedCount(0, None, None)
        self._requests: Counter[str] = Counter()  # the access log: request path -> count
        self._user_agents: Counter[str] = Counter()  # User-Agent header -> requests
        super().__init__(address, _Handler)

    def log_request_path(self, path: str, user_agent: str = "") -> None:
        with self._conn_lock:
            self._requests[path] += 1
            self._user_agents[user_agent] += 1

    def access_log(self) -> Counter[str]:
        with self._conn_lock:
            return Counter(self._requests)

    def user_agent_log(self) -> Counter[str]:
        with self._conn_lock:
            return Counter(self._user_agents)

    def count_response(self) -> None:
        now = time.monotonic()
        with self._conn_lock:
            first = self.served.first_at if self.served.first_at is not None else now
            self.served = ServedCount(self.served.responses + 1, first, now)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (getfqdn), which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[no-untyped-def]
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        # A client that hangs up mid-body (a crawler enforcing its size limit on /huge) is
        # normal here: log it quietly instead of printing a traceback.
        logger.debug("demo outlet %s: connection from %s ended with an error", self.slug, client_address,
                     exc_info=True)

    def close_connections(self) -> None:
        """Cut every open keep-alive connection (a stopped outlet must look dead)."""
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class DemoWeb:
    """The demo news web: >= 6 news outlets, a news-search outlet, the protocol "lab" and,
    with `generated_articles` > 0, a generated outlet for the benchmark (with `realistic_pages`,
    its article pages are realistic-size: 150-200 KB of scripts, state JSON, menus and links
    around the same article). `latency` delays every response by that many seconds, as a
    distant server would.

    `base_port=0` binds free ports at start(); otherwise outlet i listens on base_port + i,
    and URLs (story_toml, url) are available before start(). Raises DemoWebError when a port
    is taken, naming the outlet and port.
    """

    def __init__(self, base_port: int = 8401, host: str = "127.0.0.1", generated_articles: int = 0,
                 seed: int = 2025, gzip_pages: bool = False, realistic_pages: bool = False,
                 latency: float = 0.0) -> None:
        if base_port < 0 or base_port > 65535:
            raise DemoWebError(f"base_port must be 0 (free ports) or a port number, got {base_port}")
        if realistic_pages and not generated_articles:
            raise DemoWebError("realistic_pages applies to the generated outlet: give generated_articles > 0")
        self.host = host
        self.base_port = base_port
        self.latency = latency  # seconds each response waits (network latency, for benchmarks)
        self.specs: tuple[OutletSpec, ...] = OUTLET_SPECS + ((GENERATED_SPEC,) if generated_articles else ())
        self._generated = GeneratedSite(generated_articles, seed) if generated_articles else None
        self._ports: dict[str, int] = (
            {s.slug: base_port + i for i, s in enumerate(self.specs)} if base_port else {})
        self._servers: dict[str, _OutletServer] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._released = threading.Event()  # cleared while held(): responses wait
        self._released.set()
        self._hold_timeout = 120.0
        self.site = DemoSite(self.specs, self.url, self._generated, gzip_pages=gzip_pages,
                             realistic_pages=realistic_pages)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> DemoWeb:
        """Bind one listening socket per outlet and serve each in a daemon thread."""
        if self._servers:
            return self
        try:
            for spec in self.specs:
                port = self._ports.get(spec.slug, 0)
                try:
                    server = _OutletServer((self.host, port), self, spec.slug)
                except OSError as exc:
                    if exc.errno == errno.EADDRINUSE:
                        raise DemoWebError(
                            f"demo outlet {spec.slug!r} cannot listen on {self.host}:{port}: port in "
                            "use (stop the other demo web or pass another --base-port, 0 for free ports)"
                        ) from exc
                    raise
                self._servers[spec.slug] = server
                self._ports[spec.slug] = server.server_port
                thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                          name=f"demoweb-{spec.slug}", daemon=True)
                thread.start()
                self._threads.append(thread)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every outlet and cut open connections."""
        # Shut the outlets down in parallel: each shutdown waits up to one poll interval.
        stoppers = [threading.Thread(target=self.stop_outlet, args=(slug,)) for slug in list(self._servers)]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        if not self.base_port:
            self._ports.clear()

    def stop_outlet(self, slug: str) -> None:
        """Stop one outlet: its port then refuses connections (a dead host)."""
        with self._lock:
            server = self._servers.pop(slug, None)
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()

    def __enter__(self) -> DemoWeb:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @contextmanager
    def held(self, timeout: float = 120.0) -> Iterator[None]:
        """Inside this block every outlet takes requests (they are in the access log) and
        answers none until the block ends: a stalled web, so a test can set up what must
        happen before any page arrives (every worker of a distributed crawl joined, for
        one). A response held longer than `timeout` seconds goes out anyway, so a failed
        test cannot hang its crawlers."""
        self._hold_timeout = timeout
        self._released.clear()
        try:
            yield
        finally:
            self._released.set()

    def wait_while_held(self) -> None:
        if not self._released.is_set():
            self._released.wait(self._hold_timeout)

    # ------------------------------------------------------------------ addresses

    def port(self, slug: str) -> int:
        if slug not in {s.slug for s in self.specs}:
            raise DemoWebError(f"no demo outlet {slug!r}; outlets: {', '.join(s.slug for s in self.specs)}")
        if slug not in self._ports:
            raise DemoWebError("the demo web was built with base_port=0: ports are known only after start()")
        return self._ports[slug]

    @property
    def outlets(self) -> dict[str, Outlet]:
        """slug -> Outlet(slug, name, base_url), in port order."""
        return {s.slug: Outlet(s.slug, s.name, f"http://{self.host}:{self.port(s.slug)}") for s in self.specs}

    def url(self, outlet: str, path: str) -> str:
        """The absolute URL of `path` (path, query, fragment) on `outlet`."""
        return f"http://{self.host}:{self.port(outlet)}{path}"

    def served(self, slug: str) -> ServedCount:
        """Responses outlet `slug` has sent since start(), with the times of the first and last
        (lab special paths not counted). DemoWebError when the outlet is not running."""
        server = self._servers.get(slug)
        if server is None:
            raise DemoWebError(f"demo outlet {slug!r} is not running")
        return server.served

    def requests(self, slug: str) -> Counter[str]:
        """The access log of outlet `slug` since start(): how many requests (GET or HEAD,
        answered or not, lab special paths included) each path and query received. A copy.
        DemoWebError when the outlet is not running."""
        server = self._servers.get(slug)
        if server is None:
            raise DemoWebError(f"demo outlet {slug!r} is not running")
        return server.access_log()

    def user_agents(self, slug: str) -> Counter[str]:
        """The User-Agent headers outlet `slug` received since start() ("" for none), with
        how many requests sent each. DemoWebError when the outlet is not running."""
        server = self._servers.get(slug)
        if server is None:
            raise DemoWebError(f"demo outlet {slug!r} is not running")
        return server.user_agent_log()

    def story_toml(self) -> str:
        """The demo story (stories/demo-dock-strike.toml format) with this web's URLs."""
        return render_story(self.specs, self.url)

    def special_url(self, name: str) -> str:
        """The URL of a protocol edge case on the lab outlet (names: demoweb.lab.SPECIAL_PATHS)."""
        if name not in lab.SPECIAL_PATHS:
            raise DemoWebError(f"no special URL {name!r}; known: {', '.join(lab.SPECIAL_PATHS)}")
        return self.url("lab", lab.SPECIAL_PATHS[name])

    @staticmethod
    def special_expected(name: str) -> lab.SpecialResponse:
        """What the special URL `name` sends, byte for byte (see demoweb.lab)."""
        return lab.expected(name)

    # ------------------------------------------------------------------ ground truth

    @property
    def catalog(self) -> tuple[CatalogEntry, ...]:
        """Every hand-labelled URL of the demo web (demoweb.catalog.CATALOG)."""
        return catalog.CATALOG

    def entry_url(self, entry_id: str) -> str:
        """The absolute URL of catalog entry `entry_id` (with its query/fragment, if any)."""
        e = catalog.entry(entry_id)
        return self.url(e.outlet, e.path)

    def canonical_url(self, entry_id: str) -> str | None:
        """The canonical article URL catalog entry `entry_id` resolves to, or None."""
        e = catalog.entry(entry_id)
        return self.entry_url(e.canonical) if e.canonical else None

    def generated_urls(self) -> list[str]:
        """The URLs of the generated articles, in index order (empty without them)."""
        site = self._generated
        if site is None:
            return []
        return [self.url(GENERATED_SPEC.slug, site.meta(i).path) for i in range(site.count)]

    def expected_canonical_urls(self, include_generated: bool = True) -> set[str]:
        """The canonical URLs a correct crawl of the demo story stores: every relevant
        hand-written article and (unless excluded) every generated article."""
        urls = {self.url(e.outlet, e.path) for e in catalog.relevant_articles()}
        if include_generated:
            urls.update(self.generated_urls())
        return urls

    # ------------------------------------------------------------------ revisions

    def touch(self, article_id: str) -> int:
        """Change one article's page (an update note is added); returns its new revision."""
        return self.site.touch(article_id)

    def set_revision(self, revision: int) -> None:
        """Set the revision of every hand-written article page (0 = original bodies)."""
        self.site.set_revision(revision)

    def edit(self, article_id: str, old: str, new: str) -> None:
        """Replace the sentence `old` by `new` in one article's body (a stealth edit)."""
        self.site.edit(article_id, old, new)
