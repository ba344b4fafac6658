"""A raw-socket HTTP server on 127.0.0.1 that sends exactly-known bytes for protocol edge
cases (the WARC tests compare the archived records with these bytes)."""

from __future__ import annotations

import gzip
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field

HTML = "<html><head><title>{title}</title></head><body><article>{text}</article></body></html>"


def article_html(n: int, version: int = 1, size: int = 20_000) -> bytes:
    words = " ".join(f"word{(n * 7919 + i * 31 + version) % 10007}" for i in range(size // 9))
    return HTML.format(title=f"Article {n} v{version}", text=f"<p>{words}</p>").encode()


@dataclass
class Canned:
    status_line: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes = b""
    raw_body: bytes | None = None  # bytes on the wire when they differ from body (chunked)
    stream_bytes: int = 0  # send this many filler bytes after the head (huge)
    cut_after: int | None = None  # close after this many body bytes (truncated)

    def head(self) -> bytes:
        lines = [self.status_line] + [k + b": " + v for k, v in self.headers]
        return b"\r\n".join(lines) + b"\r\n\r\n"


def article_routes(count: int, size: int = 150_000) -> dict[str, Canned]:
    """/a/1 .. /a/<count>: article pages of about `size` bytes (real news pages are 100-500 KB)."""
    return {f"/a/{n}": _page(article_html(n, size=size)) for n in range(1, count + 1)}


def _page(body: bytes, ctype: bytes = b"text/html; charset=utf-8", extra=()) -> Canned:
    headers = [(b"Content-Type", ctype), (b"Content-Length", str(len(body)).encode()), *extra]
    return Canned(b"HTTP/1.1 200 OK", headers, body)


def default_routes() -> dict[str, Canned]:
    html = article_html(0)
    gz = gzip.compress(html, mtime=0)
    chunked_body = b"<html><body>chunked body, part one; part two.</body></html>"
    raw_chunked = (
        b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in (chunked_body[:20], chunked_body[20:]))
        + b"0\r\n\r\n"
    )
    routes = {
        "/robots.txt": _page(b"User-agent: *\nDisallow: /private\n", b"text/plain"),
        "/gzip": Canned(
            b"HTTP/1.1 200 OK",
            [
                (b"Content-Type", b"text/html; charset=utf-8"),
                (b"Content-Encoding", b"gzip"),
                (b"Vary", b"Accept-Encoding"),
                (b"Content-Length", str(len(gz)).encode()),
            ],
            gz,
        ),
        "/chunked": Canned(
            b"HTTP/1.1 200 OK",
            [(b"Content-Type", b"text/html"), (b"Transfer-Encoding", b"chunked")],
            chunked_body,
            raw_chunked,
        ),
        "/cookies": _page(
            b"<html>cookies</html>",
            extra=[
                (b"Set-Cookie", b"a=1; Path=/"),
                (b"Set-Cookie", b"b=2; HttpOnly"),
                (b"Set-Cookie", b"c=3; Expires=Wed, 21 Oct 2026 07:28:00 GMT"),
            ],
        ),
        "/r1": Canned(b"HTTP/1.1 301 Moved Permanently", [(b"Location", b"/r2"), (b"Content-Length", b"0")]),
        "/r2": Canned(b"HTTP/1.1 302 Found", [(b"Location", b"/r3"), (b"Content-Length", b"0")]),
        "/r3": _page(b"<html>end of chain</html>"),
        "/q?a=1&b=x%20y": _page(b"<html>query</html>"),
        "/caf%C3%A9": _page("<html>café</html>".encode()),
        "/missing": Canned(
            b"HTTP/1.1 404 Not Found",
            [(b"Content-Type", b"text/html"), (b"Content-Length", b"20")],
            b"<html>missing</html>",
        ),
        "/huge": Canned(
            b"HTTP/1.1 200 OK",
            [(b"Content-Type", b"application/octet-stream"), (b"Content-Length", str(50 << 20).encode())],
            stream_bytes=50 << 20,
        ),
        "/truncated": Canned(
            b"HTTP/1.1 200 OK",
            [(b"Content-Type", b"text/html"), (b"Content-Length", b"1000")],
            b"x" * 500,
            cut_after=500,
        ),
    }
    for n in range(1, 41):
        routes[f"/a/{n}"] = _page(article_html(n))
    return routes


@dataclass
class RawServer:
    routes: dict[str, Canned] = field(default_factory=default_routes)
    delay: float = 0.0  # seconds to wait before answering (crash tests)

    def __post_init__(self) -> None:
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server._handle(self.request)

        class TCP(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._tcp = TCP(("127.0.0.1", 0), Handler)
        self.port = self._tcp.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def _handle(self, sock: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        target = data.split(b"\r\n", 1)[0].split(b" ")[1].decode("ascii")
        if self.delay:
            time.sleep(self.delay)
        canned = self.routes.get(target) or Canned(b"HTTP/1.1 404 Not Found", [(b"Content-Length", b"0")])
        try:
            canned = Canned(
                canned.status_line,
                [*canned.headers, (b"Connection", b"close")],
                canned.body,
                canned.raw_body,
                canned.stream_bytes,
                canned.cut_after,
            )
            sock.sendall(canned.head())
            if canned.stream_bytes:
                block = bytes(range(256)) * 4096
                sent = 0
                while sent < canned.stream_bytes:
                    sock.sendall(block)
                    sent += len(block)
            else:
                sock.sendall(canned.raw_body if canned.raw_body is not None else canned.body)
        except OSError:
            pass
        finally:
            sock.close()

    def __enter__(self) -> RawServer:
        self._thread = threading.Thread(target=self._tcp.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._tcp.shutdown()
        self._tcp.server_close()
