"""Ranged WARC reads over HTTP, for a store pywb cannot read itself.

pywb reads s3:// archive paths through boto3 without a way to name a custom endpoint
(pywb 2.10 `S3Loader` builds `boto3.client('s3')` with credentials only, and boto3 is not
in the replay environment), so for an S3 store pywb gets http:// archive paths served by
this proxy instead: `GET /stories/<slug>/warc/<file>` with `Range: bytes=A-B` becomes
`store.get_range(key, A, B-A+1)` (one ranged GET on S3). Only WARC keys are served, only
to loopback, and nothing is ever read whole unless a client asks without a Range.
"""

from __future__ import annotations

import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from storyarchive.store.base import ArchiveStore, StoreError

logger = logging.getLogger(__name__)

_WARC_KEY = re.compile(r"^stories/[a-z0-9][a-z0-9-]*/warc/[^/]+\.warc(\.gz)?$")
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
_CHUNK = 4 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out as separate writes: without TCP_NODELAY, Nagle + delayed ACK
    # add ~40 ms to every record read
    disable_nagle_algorithm = True
    server: _ProxyServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        logger.debug("range proxy: " + format, *args)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        key = unquote(urlsplit(self.path).path).lstrip("/")
        if not _WARC_KEY.match(key):
            return self._fail(404, "only WARC files are served")
        store = self.server.store
        header = (self.headers.get("Range") or "").strip()
        m = _RANGE.match(header) if header else None
        if header and not m:
            return self._fail(416, f"unsupported range {header!r}: only bytes=A-B or bytes=A-")
        try:
            if m and m.group(2) and not head:
                # the common case (pywb reading one record): one ranged GET, no size lookup
                start, end = int(m.group(1)), int(m.group(2))
                if end < start:
                    return self._fail(416, f"unsatisfiable range {header!r}")
                data = store.get_range(key, start, end - start + 1)
                if not data:
                    return self._fail(416, f"range {header!r} starts past the end of {key}")
                self.server.reads += 1
                return self._send(206, data, f"bytes {start}-{start + len(data) - 1}/*")
            size = store.size(key)
        except KeyError:
            return self._fail(404, f"no such WARC: {key}")
        except StoreError as exc:
            return self._fail(502, str(exc))
        start, end, status = 0, size - 1, 200
        if m:
            if int(m.group(1)) >= size:
                return self._fail(416, f"unsatisfiable range {header!r} (size {size})")
            start, status = int(m.group(1)), 206
            end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
        self.send_response(status)
        self.send_header("Content-Type", "application/warc")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if head:
            return
        self.server.reads += 1
        self.server.unranged += int(status == 200)
        try:
            pos = start
            while pos <= end:
                n = min(_CHUNK, end - pos + 1)
                self.wfile.write(store.get_range(key, pos, n))
                pos += n
        except (BrokenPipeError, ConnectionResetError):
            pass
        except StoreError as exc:  # headers are out: all we can do is cut the connection
            logger.error("range proxy: reading %s failed: %s", key, exc)
            self.close_connection = True

    def _send(self, status: int, data: bytes, content_range: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/warc")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Range", content_range)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _fail(self, status: int, message: str) -> None:
        body = (message + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: ArchiveStore) -> None:
        super().__init__(address, _Handler)
        self.store = store
        self.reads = 0
        self.unranged = 0


class RangeProxy:
    """`with RangeProxy(store) as proxy: proxy.base_url` -> "http://127.0.0.1:PORT/";
    `proxy.archive_path(slug)` is the pywb archive path of the story's WARCs."""

    def __init__(self, store: ArchiveStore, port: int = 0, host: str = "127.0.0.1") -> None:
        self.server = _ProxyServer((host, port), store)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def reads(self) -> int:
        """Ranged reads served so far."""
        return self.server.reads

    @property
    def unranged_reads(self) -> int:
        """GETs that asked for a whole WARC (pywb never should)."""
        return self.server.unranged

    def archive_path(self, slug: str) -> str:
        return f"{self.base_url}stories/{slug}/warc/"

    def start(self) -> RangeProxy:
        self._thread = threading.Thread(target=self.server.serve_forever, name="range-proxy",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> RangeProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
