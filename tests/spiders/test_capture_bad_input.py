"""On-demand capture survives bad input: dead hosts, redirect loops, truncated and huge
bodies, wrong charsets, binary and malformed pages. Each is reported; none stops the crawl."""

from __future__ import annotations

import pytest

from tests.cli import latest_documents, manifests, run_cli

SLUG = "bad-input"


@pytest.fixture(scope="module")
def capture(demo_web, tmp_path_factory):
    from demoweb import free_port

    store = tmp_path_factory.mktemp("capture") / "archive"
    names = ["redirect-loop", "truncated", "huge", "wrong-charset", "wrong-charset-utf8-body",
             "binary", "malformed"]
    urls = {name: demo_web.special_url(name) for name in names}
    urls["dead"] = f"http://127.0.0.1:{free_port()}/gone"
    urls["article"] = demo_web.entry_url("g-fixture")
    proc = run_cli("capture", *urls.values(), "--story", SLUG, "--store", str(store),
                   "--set", "RETRY_TIMES=0", "--set", "STORYARCHIVE_MAX_BODY_BYTES=5000000", check=False)
    assert proc.returncode == 1, proc.stderr  # the dead host: one URL not captured
    assert f"    {urls['dead']}: no answer: " in proc.stdout
    (manifest,) = manifests(store, SLUG)
    reasons = {}
    for entry in manifest["skipped"] + manifest["rejected_at_discovery"]:
        reasons[entry["url"]] = entry["reason"]
    return {"urls": urls, "manifest": manifest, "reasons": reasons, "docs": latest_documents(store, SLUG),
            "store": store}


def test_the_good_page_is_stored_despite_the_bad_ones(capture):
    titles = [d["metadata"]["title"] for d in capture["docs"].values()]
    assert "CIA drone strike on Venezuelan territory marks new escalation against Maduro" in titles


def test_dead_host_is_reported_as_an_error(capture):
    assert capture["reasons"][capture["urls"]["dead"]].startswith("error: ")
    assert "ConnectionRefused" in capture["reasons"][capture["urls"]["dead"]]


def test_redirect_loop_is_reported(capture):
    assert capture["reasons"][capture["urls"]["redirect-loop"]] == "redirect-loop"


def test_truncated_and_oversized_bodies_are_not_extracted(capture):
    assert capture["reasons"][capture["urls"]["truncated"]] == "truncated: connection lost"
    assert capture["reasons"][capture["urls"]["huge"]] == "truncated: over the size limit"


def test_binary_body_is_skipped_as_not_html(capture):
    assert capture["reasons"][capture["urls"]["binary"]] == "not-html: application/octet-stream"


def test_wrong_declared_charset_still_gives_the_right_text(capture):
    texts = "\n".join(d["text"] for d in capture["docs"].values())
    assert "Ningún pescador resultó herido" in texts
    assert texts.count("Ningún pescador resultó herido") == 2  # both mislabelled pages
    assert "Ã" not in texts and "\ufffd" not in texts


def test_malformed_html_is_extracted_as_far_as_it_goes(capture):
    doc = next(d for d in capture["docs"].values() if d["final_url"] == capture["urls"]["malformed"])
    assert "A US drone strike hit a dock in Venezuela" in doc["text"]


def test_urls_that_urllib_refuses_cost_the_page_nothing_but_themselves(capture):
    """The malformed page has a <base href>, an og:image and an <img src> that urljoin
    refuses ("http://[x/": an unclosed IPv6 bracket). They are ignored, as a browser ignores
    them: the page keeps its text and its canonical URL, and its good image is archived."""
    from warcio.archiveiterator import ArchiveIterator

    url = capture["urls"]["malformed"]
    doc = next(d for d in capture["docs"].values() if d["final_url"] == url)
    assert "first known US strike on Venezuelan territory" in doc["text"]
    assert doc["canonical_url"] == url and doc["metadata"]["image"] is None
    requested = []
    for warc in (capture["store"] / "stories" / SLUG / "warc").glob("*.warc.gz"):
        with warc.open("rb") as f:
            requested += [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f)
                          if r.rec_type == "request"]
    good = url.rsplit("/", 1)[0] + "/static/malformed-ok.png"
    assert good in requested
    assert not [u for u in requested if "[" in u]
