"""The demo web's web font: a valid TrueType file, declared by every outlet's stylesheet for
the headline, accepted by Chromium's font sanitizer and fetched when a browser renders an
article page."""

from __future__ import annotations

import logging
import re
import struct
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin

import pytest

from demoweb.assets import FONT_FAMILY, FONT_PATH
from demoweb.outlets import NEWS_OUTLETS
from tests.demoweb.helpers import fetch

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--virtual-time-budget=10000"]


def _sum32(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _tables(font: bytes) -> dict[bytes, bytes]:
    version, count = struct.unpack(">IH", font[:6])
    assert version == 0x00010000
    tables = {}
    for i in range(count):
        tag, checksum, offset, length = struct.unpack(">4sIII", font[12 + 16 * i:28 + 16 * i])
        table = font[offset:offset + length]
        if tag == b"head":  # its checksum is computed with checkSumAdjustment = 0
            assert _sum32(table[:8] + b"\0\0\0\0" + table[12:]) == checksum
        else:
            assert _sum32(table) == checksum, tag
        assert offset % 4 == 0
        tables[tag] = table
    return tables


def test_font_is_a_truetype_file_with_correct_checksums(demo_web):
    status, headers, font = fetch(demo_web.url("globe", FONT_PATH))
    assert status == 200 and headers["content-type"] == "font/ttf"
    assert fetch(demo_web.url("prensa", FONT_PATH))[2] == font  # same bytes on every outlet
    tables = _tables(font)
    assert set(tables) == {b"OS/2", b"cmap", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp",
                           b"name", b"post"}
    assert _sum32(font) == 0xB1B0AFBA  # head.checkSumAdjustment makes the whole file sum to this
    assert struct.unpack(">I", tables[b"head"][12:16])[0] == 0x5F0F3CF5  # magic number
    assert struct.unpack(">H", tables[b"maxp"][4:6])[0] == 3  # glyphs
    assert FONT_FAMILY.encode("utf-16-be") in tables[b"name"]


@pytest.mark.parametrize("slug", NEWS_OUTLETS)
def test_stylesheet_declares_the_font_and_the_headline_uses_it(demo_web, slug):
    css_url = demo_web.url(slug, "/static/site.css")
    css = fetch(css_url)[2].decode()
    face = re.search(r'@font-face \{ font-family: "Demo Serif"; '
                     r'src: url\("([^"]+)"\) format\("truetype"\);', css)
    assert face is not None
    assert urljoin(css_url, face.group(1)) == demo_web.url(slug, FONT_PATH)
    assert f'h1.headline {{ color: rgb(128, 0, 32); font-family: "{FONT_FAMILY}", Georgia' in css


def _chromium_dom(url: str, profile: Path) -> str:
    assert CHROMIUM.exists(), f"{CHROMIUM} is needed to check the web font in a browser"
    proc = subprocess.run([str(CHROMIUM), *CHROMIUM_ARGS, f"--user-data-dir={profile}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=60)
    return proc.stdout


_CHECK_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<p id="out">pending</p>
<span id="with" style="font-family:'Check',monospace;font-size:100px">&#xE000;&#xE000;</span>
<script>
const face = new FontFace('Check', 'url(/font.ttf)');
face.load().then(() => {
  document.fonts.add(face);
  requestAnimationFrame(() => {
    const width = document.getElementById('with').offsetWidth;
    document.getElementById('out').textContent = 'loaded width=' + width;
  });
}, (err) => { document.getElementById('out').textContent = 'error ' + err; });
</script></body></html>"""


@pytest.fixture
def check_server(demo_web) -> Iterator[str]:
    """A one-page server that loads the demo font (same origin) with the FontFace API."""
    font = fetch(demo_web.url("globe", FONT_PATH))[2]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/font.ttf":
                body, ctype = font, "font/ttf"
            else:
                body, ctype = _CHECK_PAGE.encode(), "text/html"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_chromium_accepts_the_font_and_draws_its_glyph(check_server, tmp_path):
    dom = _chromium_dom(check_server, tmp_path / "profile")
    # The sanitizer accepted the file, and U+E000 is drawn with the font's 500-unit box
    # (2 glyphs x 0.5 em x 100 px), not with the monospace fallback.
    assert '<p id="out">loaded width=100</p>' in dom


def test_a_browser_rendering_an_article_fetches_the_font(demo_web, caplog, tmp_path):
    caplog.set_level(logging.DEBUG, logger="demoweb.server")
    dom = _chromium_dom(demo_web.entry_url("g-qa"), tmp_path / "profile")
    assert "Why the CIA, and not the military, struck a dock in Venezuela" in dom
    requests = [r.getMessage() for r in caplog.records if r.name == "demoweb.server"]
    assert any(m.startswith("globe ") and f"GET {FONT_PATH} HTTP/1.1\" 200" in m for m in requests), requests
