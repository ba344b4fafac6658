"""skip_reason: which bodies are archived but not extracted, and why."""

from storyarchive.extract import skip_reason

HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</p></body></html>"


def test_html_is_extracted():
    assert skip_reason("text/html; charset=utf-8", HTML) is None
    assert skip_reason("application/xhtml+xml", HTML) is None


def test_pdf_by_type_and_by_magic_bytes():
    assert skip_reason("application/pdf", b"%PDF-1.7 ...") == "pdf"
    assert skip_reason("text/html", b"%PDF-1.4\n%\xe2\xe3") == "pdf"  # mislabelled PDF


def test_images_and_media():
    assert skip_reason("image/jpeg", b"\xff\xd8\xff\xe0 JFIF") == "image"
    assert skip_reason("application/octet-stream", b"\x89PNG\r\n\x1a\n") == "image"
    assert skip_reason("video/mp4", b"\x01\x02 not an mp4 header") == "media"


def test_empty_body():
    assert skip_reason("text/html", b"") == "empty"
    assert skip_reason("text/html", b"  \n\t ") == "empty"


def test_generic_type_is_sniffed():
    assert skip_reason("application/octet-stream", HTML) is None
    assert skip_reason("", HTML) is None
    assert skip_reason("application/octet-stream", bytes(range(256)) * 4) == "binary"
    assert skip_reason("text/plain", b"just some words, no markup") == "not-html:text/plain"


def test_xml_is_not_an_html_page():
    # feeds and sitemaps: discovery parses them, extraction does not
    rss = b"<?xml version='1.0'?><rss><channel/></rss>"
    assert skip_reason("text/xml; charset=utf-8", rss) == "not-html:text/xml"
    assert skip_reason("application/xml", b"<?xml version='1.0'?><urlset/>") == "not-html:application/xml"


def test_other_types_name_themselves():
    assert skip_reason("application/json", b'{"a": 1}') == "json"
    assert skip_reason("application/vnd.ms-excel", b"abc") == "not-html:application/vnd.ms-excel"
