"""The "lab" outlet: HTTP edge cases a crawler and a WARC recorder must survive.

Each special response is described by `expected(name)` (status line, header lines except
`Date`, and the exact bytes sent after the blank line), and written to the socket by
`write_special` exactly as described, so tests can compare the bytes on the wire (and in
the WARC) with the description. docs/demoweb.md lists them.
"""

# ruff: noqa: E501

from __future__ import annotations

import email.utils
import gzip
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BufferedIOBase
from urllib.parse import unquote

SERVER_HEADER = "DemoWeb/1.0"

# name -> path on the lab outlet (what `DemoWeb.special_url(name)` points at).
SPECIAL_PATHS: dict[str, str] = {
    "gzip": "/gzip",
    "chunked": "/chunked",
    "set-cookie": "/set-cookie",
    "redirect-chain": "/redirect/chain/start",
    "redirect-chain-2": "/redirect/chain/step-2",
    "redirect-chain-end": "/redirect/chain/end",
    "redirect-loop": "/redirect/loop/a",
    "redirect-loop-b": "/redirect/loop/b",
    "query": "/search-results?q=dock+strike&page=2",
    "non-ascii": "/noticias/ataque-al-muelle-en-venezuela-%C3%B1",
    "not-found": "/missing-page",
    "huge": "/huge",
    "truncated": "/truncated",
    "wrong-charset": "/charset/utf8-header-cp1252-body",
    "wrong-charset-utf8-body": "/charset/latin1-header-utf8-body",
    "binary": "/binary",
    "malformed": "/malformed",
    "slow": "/slow",
}

HUGE_LENGTH = 50 * 1024 * 1024  # bytes of the "huge" body (52,428,800)
TRUNCATED_DECLARED = 20000  # Content-Length the "truncated" response announces
TRUNCATED_SENT = 5000  # bytes it actually sends before closing the connection
BINARY_LENGTH = 65536
SLOW_PARTS = 5
SLOW_PAUSE = 0.4  # seconds between the parts of the "slow" body


@dataclass(frozen=True)
class SpecialResponse:
    """What one special URL sends: the status line, the header lines in order (without the
    `Date` line, which comes right after `Server`), and `wire` — the exact bytes after the
    blank line (chunk framing included). `body` is the entity after transfer decoding (still
    content-encoded); for "truncated" it is what is sent, not what was declared. "huge" has
    empty `wire`/`body`: use `huge_chunks()`."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    wire: bytes
    body: bytes
    close_after: bool = False
    pauses: tuple[float, ...] = field(default=())

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def _html(title: str, paragraphs: list[str], lang: str = "en") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
            f"</head>\n<body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n")


_STRIKE_EN = ("A US drone strike hit a dock on the northern coast of Venezuela, a US official said, "
              "in the first known American attack on Venezuelan soil since the campaign against "
              "alleged drug boats began in September.")

GZIP_HTML = _html("Compressed page", [
    _STRIKE_EN,
    "This page is sent with Content-Encoding: gzip whatever the request asked for, so the archive must keep the compressed bytes and the extractor must see the decompressed text.",
]).encode("utf-8")

CHUNKED_HTML = _html("Chunked page", [
    _STRIKE_EN,
    "This page is sent with Transfer-Encoding: chunked in three chunks; the archive stores it transfer-decoded.",
]).encode("utf-8")

COOKIE_HTML = _html("Cookies", ["This response sets three cookies with three separate Set-Cookie headers."]).encode("utf-8")
CHAIN_END_HTML = _html("End of the redirect chain", ["You followed a 302 and then a 301 to get here.", _STRIKE_EN]).encode("utf-8")
QUERY_HTML = _html("Search results", ["Results for: dock strike (page 2).", _STRIKE_EN]).encode("utf-8")
NON_ASCII_HTML = _html("Ataque al muelle en Venezuela", [
    "Un dron de la CIA atacó un muelle en la costa norte de Venezuela, según un funcionario estadounidense. Es el primer ataque conocido contra territorio venezolano.",
    "La dirección de esta página contiene una eñe codificada en UTF-8: %C3%B1.",
], lang="es").encode("utf-8")
NOT_FOUND_HTML = _html("Page not found", ["Sorry, the page /missing-page does not exist or has been removed."]).encode("utf-8")

_SPANISH_TEXT = ("<p>El ataque contra el muelle en Venezuela se produjo, según la información oficial, "
                 "a las cinco de la mañana. Ningún pescador resultó herido; la situación en Puerto Cabello "
                 "y en la península de Paraguaná sigue en calma. «Aquí todos estamos pendientes», dijo un "
                 "vecino del muelle.</p>")
WRONG_CHARSET_CP1252 = ("<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<title>Ataque al muelle: reacción en la costa</title>\n"
                        f"</head>\n<body>\n<h1>Ataque al muelle: reacción en la costa</h1>\n{_SPANISH_TEXT}\n</body>\n</html>\n").encode("cp1252")
WRONG_CHARSET_UTF8 = ("<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<title>Crónica desde Paraguaná</title>\n"
                      f"</head>\n<body>\n<h1>Crónica desde Paraguaná</h1>\n{_SPANISH_TEXT}\n</body>\n</html>\n").encode()

MALFORMED_HTML = (
    b"<html><head><title>Broken page</title>\n"
    # URLs urllib refuses (an unclosed IPv6 bracket): ignored, as a browser does; a base
    # URL like that leaves the page's own as the base
    b"<base href=\"http://[x/\"><meta property=\"og:image\" content=\"http://[bad\">\n"
    b"<body><img src=\"http://[oops\"><img src=\"/static/malformed-ok.png\">\n"
    b"<div class=\"story\"><h1>Dock strike: what we know<h2>\n"
    b"<p>A US drone strike hit a dock in Venezuela, a US official said. Nobody was on the dock at the time of the attack, and the official said no one was killed in the strike.\n"
    b"<p>Stray bytes follow: \x00\xff\xfe\x80 <b><i>badly nested</b></i> <table><tr><td>cell\n"
    b"<p>The attack is the first known US strike on Venezuelan territory since the boat campaign began in September.\n"
    b"<!-- an unclosed comment <div><span>\n"
)

TRUNCATED_BODY = _html("Truncated page", [_STRIKE_EN] * 200).encode("utf-8")[:TRUNCATED_DECLARED]

_HUGE_HEAD = b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Huge page</title>\n</head>\n<body>\n<h1>Huge page</h1>\n"
_HUGE_TAIL = b"</body>\n</html>\n"
_HUGE_UNIT = (b"<p>" + _STRIKE_EN.encode() + b" This paragraph repeats until the page weighs fifty mebibytes.</p>\n")


def huge_chunks(block: int = 65536) -> Iterator[bytes]:
    """The 50 MiB "huge" body, generated on the fly in blocks of about `block` bytes
    (never held whole): head, repeated paragraphs, space padding, tail."""
    yield _HUGE_HEAD
    middle = HUGE_LENGTH - len(_HUGE_HEAD) - len(_HUGE_TAIL)
    units_per_block = max(1, block // len(_HUGE_UNIT))
    full = _HUGE_UNIT * units_per_block
    remaining = middle
    while remaining >= len(full):
        yield full
        remaining -= len(full)
    while remaining >= len(_HUGE_UNIT):
        yield _HUGE_UNIT
        remaining -= len(_HUGE_UNIT)
    if remaining:
        yield b" " * (remaining - 1) + b"\n"
    yield _HUGE_TAIL


def _binary_body() -> bytes:
    return random.Random(20251230).randbytes(BINARY_LENGTH)


def _chunked(body: bytes, sizes: tuple[int, ...]) -> bytes:
    out = bytearray()
    start = 0
    for size in sizes:
        piece = body[start:start + size]
        start += size
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    rest = body[start:]
    if rest:
        out += f"{len(rest):x}\r\n".encode() + rest + b"\r\n"
    return bytes(out + b"0\r\n\r\n")


_HTML = "text/html; charset=utf-8"


def _ok(body: bytes, ctype: str = _HTML, extra: tuple[tuple[str, str], ...] = (), status: int = 200,
        reason: str = "OK") -> SpecialResponse:
    headers = (("Content-Type", ctype), *extra, ("Content-Length", str(len(body))))
    return SpecialResponse(status, reason, (("Server", SERVER_HEADER), *headers), body, body)


def _redirect(status: int, reason: str, location: str) -> SpecialResponse:
    body = _html(reason, [f'The document has moved <a href="{location}">here</a>.']).encode()
    return _ok(body, extra=(("Location", location),), status=status, reason=reason)


def expected(name: str) -> SpecialResponse:
    """The response served for special `name` (a key of SPECIAL_PATHS); KeyError listing the
    known names otherwise."""
    if name == "gzip":
        return _ok(gzip.compress(GZIP_HTML, compresslevel=6, mtime=0),
                   extra=(("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")))
    if name == "chunked":
        wire = _chunked(CHUNKED_HTML, (100, 150))
        headers = (("Server", SERVER_HEADER), ("Content-Type", _HTML), ("Transfer-Encoding", "chunked"))
        return SpecialResponse(200, "OK", headers, wire, CHUNKED_HTML)
    if name == "set-cookie":
        return _ok(COOKIE_HTML, extra=(
            ("Set-Cookie", "session=7f3a9c21; Path=/; HttpOnly"),
            ("Set-Cookie", "consent=1; Path=/; Max-Age=31536000"),
            ("Set-Cookie", "ab_test=variant-b; Path=/; SameSite=Lax"),
        ))
    if name == "redirect-chain":
        return _redirect(302, "Found", SPECIAL_PATHS["redirect-chain-2"])
    if name == "redirect-chain-2":
        return _redirect(301, "Moved Permanently", SPECIAL_PATHS["redirect-chain-end"])
    if name == "redirect-chain-end":
        return _ok(CHAIN_END_HTML)
    if name == "redirect-loop":
        return _redirect(302, "Found", SPECIAL_PATHS["redirect-loop-b"])
    if name == "redirect-loop-b":
        return _redirect(302, "Found", SPECIAL_PATHS["redirect-loop"])
    if name == "query":
        return _ok(QUERY_HTML)
    if name == "non-ascii":
        return _ok(NON_ASCII_HTML)
    if name == "not-found":
        return _ok(NOT_FOUND_HTML, status=404, reason="Not Found")
    if name == "huge":
        headers = (("Server", SERVER_HEADER), ("Content-Type", _HTML), ("Content-Length", str(HUGE_LENGTH)))
        return SpecialResponse(200, "OK", headers, b"", b"")
    if name == "truncated":
        sent = TRUNCATED_BODY[:TRUNCATED_SENT]
        headers = (("Server", SERVER_HEADER), ("Content-Type", _HTML), ("Content-Length", str(TRUNCATED_DECLARED)))
        return SpecialResponse(200, "OK", headers, sent, sent, close_after=True)
    if name == "wrong-charset":
        return _ok(WRONG_CHARSET_CP1252)
    if name == "wrong-charset-utf8-body":
        return _ok(WRONG_CHARSET_UTF8, ctype="text/html; charset=iso-8859-1")
    if name == "binary":
        return _ok(_binary_body(), ctype="application/octet-stream")
    if name == "malformed":
        return _ok(MALFORMED_HTML)
    if name == "slow":
        body = _html("Slow page", [_STRIKE_EN] * SLOW_PARTS).encode()
        resp = _ok(body)
        return SpecialResponse(resp.status, resp.reason, resp.headers, resp.wire, resp.body,
                               pauses=(SLOW_PAUSE,) * (SLOW_PARTS - 1))
    raise KeyError(f"no special response {name!r}; known: {', '.join(SPECIAL_PATHS)}")


def special_for_path(raw_path: str) -> str | None:
    """The special name served at `raw_path` (path and query as requested), or None.
    The non-ASCII path matches whether its escapes are upper- or lower-case; the query page
    whatever its query (a crawler may reorder or re-encode parameters)."""
    if raw_path.split("?", 1)[0] == "/search-results":
        return "query"
    for name, path in SPECIAL_PATHS.items():
        if raw_path == path or (name == "non-ascii" and unquote(raw_path) == unquote(path)):
            return name
    return None


def status_and_headers(resp: SpecialResponse) -> bytes:
    """The status line and header block as sent, with the current `Date` after `Server`."""
    lines = [f"HTTP/1.1 {resp.status} {resp.reason}"]
    for key, value in resp.headers:
        lines.append(f"{key}: {value}")
        if key == "Server":
            lines.append(f"Date: {email.utils.formatdate(usegmt=True)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def write_special(name: str, out: BufferedIOBase, *, head_only: bool = False) -> bool:
    """Write special `name`'s response to `out`. Returns True when the connection must be
    closed afterwards ("truncated")."""
    resp = expected(name)
    out.write(status_and_headers(resp))
    if head_only:
        return False
    if name == "huge":
        for block in huge_chunks():
            out.write(block)
        return False
    if resp.pauses:
        size = -(-len(resp.wire) // (len(resp.pauses) + 1))
        for i, pause in enumerate((0.0, *resp.pauses)):
            time.sleep(pause)
            out.write(resp.wire[i * size:(i + 1) * size])
            out.flush()
        return False
    out.write(resp.wire)
    return resp.close_after
