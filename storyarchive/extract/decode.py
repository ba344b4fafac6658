"""Turn an HTTP body into text: the right charset, whatever the server claimed.

Order of evidence: a byte-order mark, then the charset declared in the HTTP Content-Type,
then the page's own `<meta charset>`; each is validated (strict decoding, no UTF-8
mojibake) before it is trusted, and when none holds the charset is detected from the bytes
(charset_normalizer). `decode_html` never raises: the last resort is UTF-8 with
replacement characters.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG encoding standard: these labels mean windows-1252 in a browser.
_WINDOWS_1252_ALIASES = {"iso8859-1", "latin-1", "ascii", "iso8859-15", "cp819"}
_SINGLE_BYTE_PREFIXES = ("cp", "iso8859", "latin", "koi8", "mac", "windows", "tis")

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
# UTF-8 bytes read as a single-byte charset: "Ã©" for é, "â€™" for ’, "Â " for a nbsp.
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac")
_META_SCAN_BYTES = 4096
_DETECT_SAMPLE_BYTES = 256 * 1024


def decode_html(body: bytes, declared: str | None) -> tuple[str, str]:
    """Decode an HTML body.

    body: the payload (content-encoding already undone). declared: the charset from the
    HTTP Content-Type header, or None. Returns (text, codec name used). Never raises.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec
    tried: list[str] = []
    for label in (declared, _meta_charset(body)):
        name = _codec_name(label)
        if name is None or name in tried:
            continue
        tried.append(name)
        text = _strict(body, name)
        if text is None:
            continue
        if _is_single_byte(name) and _MOJIBAKE.search(text):
            utf8 = _strict(body, "utf-8")
            if utf8 is not None:
                return utf8, "utf-8"
            continue
        return text, name
    if "utf-8" not in tried:
        utf8 = _strict(body, "utf-8")
        if utf8 is not None:
            return utf8, "utf-8"
    detected = _detect(body)
    if detected is not None:
        guess = _strict(body, detected)
        if guess is not None:
            return guess, detected
    return body.decode("utf-8", errors="replace"), "utf-8"


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_META_SCAN_BYTES])
    return match.group(1).decode("ascii", errors="ignore") if match else None


def _codec_name(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None if unknown or useless."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    if name in _WINDOWS_1252_ALIASES:
        return "cp1252"
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return None  # declared without a BOM in an ASCII-compatible header: a lie
    return name


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(_SINGLE_BYTE_PREFIXES)


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(body: bytes) -> str | None:
    from charset_normalizer import from_bytes

    sample = body[:_DETECT_SAMPLE_BYTES]
    best = from_bytes(sample).best()
    if best is None:
        return None
    codec = _codec_name(best.encoding)
    # Short Latin-script pages are often a near tie between Latin code pages (cp1250 reads
    # Spanish "ñ" as "ń"); windows-1252 is the web's legacy default for Latin text, so it
    # wins those ties. Cyrillic, Greek, ... detections are kept as they are.
    if codec and codec != "cp1252" and _is_single_byte(codec):
        text = _strict(body, codec) or ""
        if _latin_script_only(text) and _strict(body, "cp1252") is not None:
            return "cp1252"
    return codec


def _latin_script_only(text: str) -> bool:
    return all(ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF or not ch.isalpha() for ch in text)
