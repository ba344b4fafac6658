"""Pure record building: request line, Host, Content-Length rewriting, digests."""

from datetime import UTC, datetime

from storyarchive.warc.digests import digest
from storyarchive.warc.records import (
    HttpExchange,
    http_request_head,
    http_response_head,
    request_target,
    response_record,
)


def test_request_target_keeps_path_and_query() -> None:
    assert request_target("http://h:8080/a/b?x=1&y=%20") == b"/a/b?x=1&y=%20"
    assert request_target("http://h") == b"/"


def test_request_head_adds_host_with_port_when_absent() -> None:
    head = http_request_head("GET", "http://example.org:8080/x?q=1", [(b"Accept", b"*/*")], 0)
    assert head == b"GET /x?q=1 HTTP/1.1\r\nHost: example.org:8080\r\nAccept: */*\r\n\r\n"


def test_response_head_content_length_matches_stored_body_and_keeps_original() -> None:
    head = http_response_head("HTTP/1.1", 200, [(b"Content-Length", b"1000"), (b"X-A", b"1")], 500)
    assert head == (
        b"HTTP/1.1 200 OK\r\nX-StoryArchive-Orig-Content-Length: 1000\r\n"
        b"Content-Length: 500\r\nX-A: 1\r\n\r\n"
    )


def test_response_head_adds_content_length_and_renames_transfer_encoding() -> None:
    head = http_response_head("HTTP/1.1", 404, [(b"Transfer-Encoding", b"chunked")], 3)
    assert head == (
        b"HTTP/1.1 404 Not Found\r\nX-StoryArchive-Orig-Transfer-Encoding: chunked\r\n"
        b"Content-Length: 3\r\n\r\n"
    )


def test_unknown_status_has_no_reason_phrase() -> None:
    assert http_response_head("HTTP/1.1", 599, [], 0).startswith(b"HTTP/1.1 599\r\n")


def test_response_record_digests_cover_head_and_body() -> None:
    ex = HttpExchange(
        "http://h/",
        "GET",
        [],
        b"",
        200,
        "HTTP/1.1",
        [(b"Content-Length", b"3")],
        b"abc",
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "127.0.0.1",
    )
    rec = response_record(ex, "<urn:uuid:1>", "<urn:uuid:2>", "<urn:uuid:0>", digest(b"abc"))
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
    assert rec.get("WARC-Payload-Digest") == digest(b"abc")
    assert rec.get("WARC-Block-Digest") == digest(head + b"abc")
    assert rec.get("WARC-Date") == "2026-01-02T03:04:05.000000Z"
    assert rec.get("WARC-IP-Address") == "127.0.0.1"
