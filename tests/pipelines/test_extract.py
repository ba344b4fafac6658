"""ExtractPipeline with a real process pool: inside a real Scrapy crawl, and driven directly."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from eval.extraction.score import PAGES
from pipelines.extract import ExtractPipeline
from storyarchive.items import ArticleItem
from tests.crawlers import get_crawler
from tests.pipelines.extract_faults import (
    CRASH_MARKER,
    HANG_MARKER,
    RAISE_MARKER,
    faulty_extract_body,
)

ROOT = Path(__file__).resolve().parents[2]
SPANISH = "El ministro denunció el ataque contra el muelle: «es una agresión», dijo el año pasado."


def _html(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


def _mislabelled() -> bytes:
    page = _html("wp-council-budget").decode("utf-8").replace('<meta charset="UTF-8">', "")
    page = page.replace("<p>The vote was 7 to 4.", f"<p>{SPANISH}</p><p>The vote was 7 to 4.")
    return page.encode("cp1252", errors="replace")


ROUTES = {
    "/arc": ("text/html; charset=utf-8", _html("arc-port-strike")),
    "/es": ("text/html", _html("es-muelle-zulia")),
    "/wrong-charset": ("text/html; charset=utf-8", _mislabelled()),
    "/report.pdf": ("application/pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
    "/empty": ("text/html", b""),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        content_type, body = ROUTES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_real_crawl_extracts_pages_and_skips_the_rest(site, tmp_path):
    out, stats_out = tmp_path / "items.jsonl", tmp_path / "stats.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    names = ["arc", "es", "wrong-charset", "report.pdf", "empty"]
    subprocess.run(
        [sys.executable, str(ROOT / "tests/pipelines/extract_crawl.py"), site, str(out),
         str(stats_out), *names],
        cwd=ROOT, env=env, check=True, timeout=120,
    )
    items = {Path(i["url"]).name: i for i in map(json.loads, out.read_text().splitlines())}
    assert set(items) == set(names)
    assert all(i["body"] is None for i in items.values())

    arc = items["arc"]["extraction"]
    assert arc["title"] == "Dockworkers walk out at three Gulf ports as talks collapse"
    assert arc["authors"] == ["Carlos Whitfield", "Anne Marie Osei"]
    assert arc["blocks"][-1]["text"] == "No new talks were scheduled as of Tuesday night."
    assert items["es"]["extraction"]["language"] == "es"
    assert SPANISH in [b["text"] for b in items["wrong-charset"]["extraction"]["blocks"]]

    assert items["report.pdf"]["skipped_reason"] == "pdf"
    assert items["report.pdf"]["extraction"] is None
    assert items["empty"]["skipped_reason"] == "empty"

    stats = json.loads(stats_out.read_text())
    assert stats["storyarchive/extract/ok"] == 3
    assert stats["storyarchive/extract/skipped/pdf"] == 1
    assert stats["storyarchive/extract/skipped/empty"] == 1


def _item(name: str, body: bytes, content_type: str = "text/html") -> ArticleItem:
    url = f"https://test.example/{name}"
    return ArticleItem(story="s", url=url, final_url=url, canonical_url=url,
                       fetched_at="2026-01-01T00:00:00Z", status=200,
                       content_type=content_type, body=body)


def _pipeline(pipeline_cls=ExtractPipeline, **settings) -> ExtractPipeline:
    crawler = get_crawler(settings_dict={"STORYARCHIVE_EXTRACT_WORKERS": 2, **settings})
    return pipeline_cls.from_crawler(crawler)


class FaultyPipeline(ExtractPipeline):
    extract_function = staticmethod(faulty_extract_body)


def _run(pipeline: ExtractPipeline, items: list[ArticleItem]) -> list[ArticleItem]:
    async def go():
        pipeline.open_spider()
        try:
            return await asyncio.gather(*(pipeline.process_item(i) for i in items))
        finally:
            pipeline.close_spider()

    return asyncio.run(go())


def test_worker_crash_is_recorded_and_the_other_pages_still_extract():
    pipeline = _pipeline(FaultyPipeline)
    good = [_item(f"good{i}", _html("amp-heatwave")) for i in range(4)]
    crash = _item("crash", _html("pullquote-museum") + CRASH_MARKER)
    results = _run(pipeline, [good[0], good[1], crash, good[2], good[3]])

    assert results[2].skipped_reason.startswith("extraction-error: WorkerCrashedError")
    assert results[2].extraction is None
    for item in results[:2] + results[3:]:
        assert item.skipped_reason is None
        assert item.extraction.title == "Heatwave pushes power grid to record demand"
        assert item.extraction.blocks[0].text.startswith("Electricity demand hit an all-time")
    stats = pipeline.stats.get_stats()
    assert stats["storyarchive/extract/ok"] == 4
    assert stats["storyarchive/extract/errors"] == 1
    assert stats["storyarchive/extract/pool_restarts"] >= 1


def test_exception_in_worker_becomes_a_skip_reason():
    pipeline = _pipeline(FaultyPipeline)
    bad, good = _run(pipeline, [
        _item("bad", _html("amp-heatwave") + RAISE_MARKER), _item("good", _html("amp-heatwave")),
    ])
    assert bad.skipped_reason == "extraction-error: ValueError: parser exploded on purpose"
    assert bad.body is None
    assert good.extraction.blocks[0].text.startswith("Electricity demand hit an all-time")


def test_hung_worker_is_killed_after_the_timeout():
    pipeline = _pipeline(FaultyPipeline, STORYARCHIVE_EXTRACT_TIMEOUT=1.5)
    hung, = _run(pipeline, [_item("hang", _html("amp-heatwave") + HANG_MARKER)])
    assert hung.skipped_reason.startswith("extraction-error: WorkerTimeoutError")
    # the pool works again after the restart
    after, = _run(pipeline, [_item("after", _html("amp-heatwave"))])
    assert after.extraction.blocks[0].text.startswith("Electricity demand hit an all-time")


def test_inline_mode_extracts_without_a_pool():
    pipeline = _pipeline(STORYARCHIVE_EXTRACT_WORKERS=0)
    item, = _run(pipeline, [_item("inline", _html("fr-greve-ports"))])
    assert item.extraction.language == "fr"
    assert item.extraction.blocks[0].text.startswith("Les dockers ont bloqué jeudi matin")


def test_non_article_items_and_already_skipped_items_pass_through():
    pipeline = _pipeline(STORYARCHIVE_EXTRACT_WORKERS=0)
    skipped = _item("s", b"<html></html>")
    skipped.skipped_reason = "off-topic"
    other = {"not": "an article"}
    out_skipped, out_other = _run(pipeline, [skipped, other])
    assert out_skipped.skipped_reason == "off-topic" and out_skipped.extraction is None
    assert out_other == {"not": "an article"}


def test_page_without_text_is_skipped_with_its_metadata():
    pipeline = _pipeline(STORYARCHIVE_EXTRACT_WORKERS=0)
    item, = _run(pipeline, [_item("blank", b"<html><head><title>Only a title</title></head>"
                                            b"<body></body></html>")])
    assert item.skipped_reason == "no-main-text"
    assert item.extraction.title == "Only a title"


def test_calls_in_flight_when_a_worker_dies_are_retried_alone():
    # the crash breaks the pool while the hang and the good page are in flight; each is
    # then rerun on its own: the hang times out, the good page extracts.
    pipeline = _pipeline(FaultyPipeline, STORYARCHIVE_EXTRACT_TIMEOUT=2.0)
    hang, crash, good = _run(pipeline, [
        _item("hang", _html("amp-heatwave") + HANG_MARKER),
        _item("crash", _html("amp-heatwave") + CRASH_MARKER),
        _item("good", _html("wire-oil-prices")),
    ])
    assert crash.skipped_reason.startswith("extraction-error: WorkerCrashedError")
    assert hang.skipped_reason.startswith("extraction-error: WorkerTimeoutError")
    assert good.extraction.authors == ["Nia Adeyemi"]
