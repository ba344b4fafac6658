"""The lab outlet's protocol edge cases put exactly the documented bytes on the wire."""

from __future__ import annotations

import gzip
import hashlib
import socket
import time
import tracemalloc
from urllib.parse import urlsplit

import pytest

from demoweb import lab
from tests.demoweb.helpers import fetch

SIMPLE = ["gzip", "chunked", "set-cookie", "redirect-chain", "redirect-chain-2", "redirect-chain-end",
          "redirect-loop", "redirect-loop-b", "query", "non-ascii", "not-found", "wrong-charset",
          "wrong-charset-utf8-body", "binary", "malformed"]


def raw_get(url: str, *, read_body: bool = True) -> bytes:
    """Send a GET with Connection: close and return every byte received until EOF."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def split_response(raw: bytes) -> tuple[list[str], bytes]:
    head, _, rest = raw.partition(b"\r\n\r\n")
    return head.decode("latin-1").split("\r\n"), rest


@pytest.mark.parametrize("name", SIMPLE)
def test_special_response_bytes_match_the_description(demo_web, name):
    expected = lab.expected(name)
    lines, rest = split_response(raw_get(demo_web.special_url(name)))
    assert lines[0] == f"HTTP/1.1 {expected.status} {expected.reason}"
    assert lines[1] == "Server: DemoWeb/1.0" and lines[2].startswith("Date: ") and lines[2].endswith(" GMT")
    assert lines[3:] == [f"{k}: {v}" for k, v in expected.headers[1:]]
    assert rest == expected.wire


def test_gzip_body_is_compressed_on_the_wire(demo_web):
    status, headers, body = fetch(demo_web.special_url("gzip"))
    assert headers["content-encoding"] == "gzip" and body[:2] == b"\x1f\x8b"
    assert gzip.decompress(body) == lab.GZIP_HTML and b"drone strike hit a dock" in lab.GZIP_HTML


def test_chunked_is_framed_on_the_wire_and_decodes_to_the_page(demo_web):
    _, rest = split_response(raw_get(demo_web.special_url("chunked")))
    assert rest.startswith(b"64\r\n") and rest.endswith(b"\r\n0\r\n\r\n")
    status, headers, body = fetch(demo_web.special_url("chunked"))
    assert headers["transfer-encoding"] == "chunked" and "content-length" not in headers
    assert body == lab.CHUNKED_HTML


def test_three_set_cookie_headers(demo_web):
    lines, _ = split_response(raw_get(demo_web.special_url("set-cookie")))
    assert [line for line in lines if line.startswith("Set-Cookie: ")] == [
        "Set-Cookie: session=7f3a9c21; Path=/; HttpOnly",
        "Set-Cookie: consent=1; Path=/; Max-Age=31536000",
        "Set-Cookie: ab_test=variant-b; Path=/; SameSite=Lax"]


def test_redirect_chain_is_302_then_301_then_200(demo_web):
    url = demo_web.special_url("redirect-chain")
    seen = []
    for _ in range(3):
        status, headers, _ = fetch(url)
        seen.append(status)
        if "location" in headers:
            url = demo_web.url("lab", headers["location"])
    assert seen == [302, 301, 200] and url == demo_web.special_url("redirect-chain-end")


def test_redirect_loop_comes_back(demo_web):
    a = demo_web.special_url("redirect-loop")
    _, headers_a, _ = fetch(a)
    _, headers_b, _ = fetch(demo_web.url("lab", headers_a["location"]))
    assert demo_web.url("lab", headers_b["location"]) == a


def test_non_ascii_path_is_percent_encoded_utf8(demo_web):
    url = demo_web.special_url("non-ascii")
    assert url.endswith("/noticias/ataque-al-muelle-en-venezuela-%C3%B1")
    assert fetch(url)[0] == 200
    assert fetch(url.replace("%C3%B1", "%c3%b1"))[0] == 200


def test_query_url_and_not_found(demo_web):
    assert "?q=dock+strike&page=2" in demo_web.special_url("query")
    status, headers, body = fetch(demo_web.special_url("not-found"))
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert b"<h1>Page not found" in body


def test_wrong_charsets(demo_web):
    _, headers, body = fetch(demo_web.special_url("wrong-charset"))
    assert headers["content-type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "según la información" in body.decode("cp1252")
    _, headers, body = fetch(demo_web.special_url("wrong-charset-utf8-body"))
    assert headers["content-type"] == "text/html; charset=iso-8859-1"
    assert "Crónica desde Paraguaná" in body.decode("utf-8")
    assert "Crónica" not in body.decode("latin-1")


def test_binary_is_octet_stream(demo_web):
    _, headers, body = fetch(demo_web.special_url("binary"))
    assert headers["content-type"] == "application/octet-stream" and len(body) == lab.BINARY_LENGTH
    assert body == lab.expected("binary").body


def test_malformed_html_still_has_a_readable_paragraph(demo_web):
    from lxml import html

    _, _, body = fetch(demo_web.special_url("malformed"))
    assert b"\x00\xff\xfe" in body
    text = html.fromstring(body).text_content()
    assert "A US drone strike hit a dock in Venezuela, a US official said." in text


def test_truncated_declares_more_than_it_sends_then_closes(demo_web):
    lines, rest = split_response(raw_get(demo_web.special_url("truncated")))
    assert f"Content-Length: {lab.TRUNCATED_DECLARED}" in lines
    assert len(rest) == lab.TRUNCATED_SENT == 5000
    assert rest == lab.expected("truncated").wire


def test_slow_sends_its_body_in_pauses(demo_web):
    start = time.monotonic()
    status, _, body = fetch(demo_web.special_url("slow"))
    elapsed = time.monotonic() - start
    assert status == 200 and body == lab.expected("slow").body
    assert elapsed >= lab.SLOW_PAUSE * (lab.SLOW_PARTS - 1) * 0.9


def test_huge_streams_50_mib_without_holding_it(demo_web):
    expected = hashlib.sha256()
    for block in lab.huge_chunks():
        expected.update(block)
    parts = urlsplit(demo_web.special_url("huge"))
    digest = hashlib.sha256()
    received = 0
    tracemalloc.start()
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
            request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n"
            sock.sendall(request.encode())
            buffer = b""
            while b"\r\n\r\n" not in buffer:
                buffer += sock.recv(65536)
            head, _, body = buffer.partition(b"\r\n\r\n")
            assert f"Content-Length: {lab.HUGE_LENGTH}".encode() in head
            digest.update(body)
            received += len(body)
            while data := sock.recv(1 << 20):
                digest.update(data)
                received += len(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == lab.HUGE_LENGTH == 52_428_800
    assert digest.hexdigest() == expected.hexdigest()
    # Server and client run in this process: neither held the body (50 MiB) at once.
    assert peak < 8 * 1024 * 1024, f"peak traced memory {peak} bytes"


def test_unknown_special_name_is_an_error(demo_web):
    from demoweb import DemoWebError

    with pytest.raises(DemoWebError, match="known: gzip"):
        demo_web.special_url("nope")


def test_client_hanging_up_on_huge_leaves_the_server_serving(demo_web, capfd):
    parts = urlsplit(demo_web.special_url("huge"))
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
    time.sleep(0.3)
    assert fetch(demo_web.special_url("query"))[0] == 200
    assert "Traceback" not in capfd.readouterr().err
