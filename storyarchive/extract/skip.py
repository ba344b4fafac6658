"""Which bodies are not HTML articles, and why: archived, but not extracted."""

from __future__ import annotations

import re

from storyarchive.contenttype import is_html_type, media_type


class NotHtmlError(ValueError):
    """The body is not an HTML page (PDF, image, binary, empty...); `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"not an HTML page ({reason}); it is archived but not extracted")
        self.reason = reason


# Media types that never hold an article page; the reason is the family name.
_TYPE_REASONS = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/json": "json",
    "application/javascript": "script",
    "text/javascript": "script",
    "text/css": "stylesheet",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/zip": "archive",
    "application/gzip": "archive",
}
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"RIFF", "media"),
    (b"PK\x03\x04", "archive"),
    (b"\x1f\x8b", "archive"),
    (b"\x00\x00\x00", "media"),  # ISO-BMFF (mp4, heic) box header
)
_LOOKS_HTML = re.compile(rb"<(!doctype\s+html|html|head|body|article|p|div|title)[\s>]", re.I)
_SNIFF_BYTES = 1024


def skip_reason(content_type: str | None, body: bytes | None) -> str | None:
    """Why this response is not extracted, or None when it is an HTML page.

    content_type: the Content-Type header value (parameters allowed), may be empty.
    Returns "empty", "pdf", "image", "media", "archive", "binary", "not-html:<type>"...
    The bytes win over a generic or missing type (application/octet-stream, text/plain):
    servers mislabel; they do not send a PDF magic number by accident.
    """
    if not body or not body.strip():
        return "empty"
    head = body[:_SNIFF_BYTES]
    for magic, reason in _MAGIC:
        if head.startswith(magic):
            return reason
    mime = media_type(content_type)
    if is_html_type(mime):
        return None
    if mime in _TYPE_REASONS:
        return _TYPE_REASONS[mime]
    family = mime.split("/", 1)[0]
    if family in ("image", "audio", "video", "font"):
        return "image" if family == "image" else "media"
    if mime in ("", "application/octet-stream", "text/plain", "binary/octet-stream"):
        if _LOOKS_HTML.search(head.lstrip()[:_SNIFF_BYTES]):
            return None
        return "binary" if _is_binary(head) else f"not-html:{mime or 'unknown'}"
    return f"not-html:{mime}"


def _is_binary(head: bytes) -> bool:
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 20
