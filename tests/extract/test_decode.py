"""decode_html: the right text whatever charset the server declared."""

import os

from storyarchive.extract import decode_html

SPANISH = "El ministro denunció el ataque: «Es una agresión», dijo. Año, niño, café, acción."


def _page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


def test_windows_1252_body_declared_utf8_is_decoded_as_1252():
    body = _page(SPANISH).encode("cp1252")
    text, codec = decode_html(body, "utf-8")
    assert SPANISH in text
    assert codec == "cp1252"


def test_utf8_body_declared_latin1_is_decoded_as_utf8():
    body = _page(SPANISH).encode("utf-8")
    text, codec = decode_html(body, "iso-8859-1")
    assert SPANISH in text
    assert codec == "utf-8"


def test_meta_charset_is_used_when_http_declares_nothing():
    body = _page(SPANISH, '<meta charset="windows-1252">').encode("cp1252")
    text, codec = decode_html(body, None)
    assert SPANISH in text
    assert codec == "cp1252"


def test_meta_http_equiv_charset_is_used():
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    body = _page("Caf\u00e9 y ni\u00f1o", meta).encode("latin-1")
    text, _ = decode_html(body, None)
    assert "Café y niño" in text


def test_byte_order_mark_beats_a_wrong_declaration():
    body = _page(SPANISH).encode("utf-16")  # starts with a BOM
    text, codec = decode_html(body, "iso-8859-1")
    assert SPANISH in text
    assert codec.startswith("utf-16")


def test_correct_declaration_is_trusted():
    body = _page("Привет, мир: порт атакован").encode("cp1251")
    text, codec = decode_html(body, "windows-1251")
    assert "Привет, мир: порт атакован" in text
    assert codec == "cp1251"


def test_binary_junk_does_not_raise():
    junk = os.urandom(4096) + b"\x00\xff\xfe" * 100
    for declared in (None, "utf-8", "no-such-charset", "utf-16"):
        text, codec = decode_html(junk, declared)
        assert isinstance(text, str) and text
        assert codec


def test_empty_body_gives_empty_text():
    assert decode_html(b"", "utf-8")[0] == ""
