"""WACZ packaging: hashes verify, py-wacz's `wacz validate` and pywb's `wb-manager add
--unpack-wacz` accept it, pywb replays it, pages.jsonl carries each article's text."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from demoweb import DemoWeb
from storyarchive.warc.wacz import write_compressed_cdxj
from tests.warc.conftest import REPLAY_BIN, ROOT, CrawlResult, fetch, run_crawl, wayback
from tests.warc.rawserver import RawServer, article_html

WACZ_BIN = ROOT / ".venv-wacz" / "bin"  # py-wacz, in its own environment (make install-wacz)


@pytest.fixture(scope="module")
def packaged(
    raw_server: RawServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[CrawlResult, Path, str]:
    work = tmp_path_factory.mktemp("wacz")
    crawl = run_crawl(
        work / "store", "pack", [raw_server.url(p) for p in ("/a/1", "/a/2", "/r1", "/missing")]
    )
    out = work / "pack.wacz"
    proc = subprocess.run(
        [sys.executable, "-m", "storyarchive", "wacz", "pack", "--store", str(crawl.store), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return crawl, out, proc.stdout


def test_wacz_is_stored_in_the_archive(packaged) -> None:
    crawl, out, stdout = packaged
    key = stdout.split(":", 1)[0]
    assert key.startswith("stories/pack/wacz/pack-") and key.endswith(".wacz")
    assert (crawl.store / key).read_bytes() == out.read_bytes()


def test_datapackage_hashes_and_digest_verify(packaged) -> None:
    _, out, _ = packaged
    with zipfile.ZipFile(out) as z:
        package = z.read("datapackage.json")
        digest = json.loads(z.read("datapackage-digest.json"))
        assert digest == {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package).hexdigest()}
        meta = json.loads(package)
        assert meta["wacz_version"] == "1.1.1" and meta["profile"] == "data-package"
        paths = {r["path"] for r in meta["resources"]}
        assert paths == {n for n in z.namelist() if not n.startswith("datapackage")}
        for r in meta["resources"]:
            data = z.read(r["path"])
            assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest() and r["bytes"] == len(data)


def test_pages_list_html_captures_with_titles(packaged, raw_server: RawServer) -> None:
    _, out, _ = packaged
    with zipfile.ZipFile(out) as z:
        lines = [json.loads(x) for x in z.read("pages/pages.jsonl").decode().splitlines()]
    assert lines[0]["format"] == "json-pages-1.0"
    titles = {p["url"]: p.get("title") for p in lines[1:]}
    assert titles == {
        raw_server.url("/a/1"): "Article 1 v1",
        raw_server.url("/a/2"): "Article 2 v1",
        raw_server.url("/r3"): None,
    }


def test_wb_manager_unpacks_it_and_pywb_replays_a_page(
    packaged, raw_server: RawServer, tmp_path: Path
) -> None:
    _, out, _ = packaged
    for cmd in (["init", "pack"], ["add", "--unpack-wacz", "pack", str(out)]):
        proc = subprocess.run(
            [str(REPLAY_BIN / "wb-manager"), *cmd], cwd=tmp_path, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
    with wayback(tmp_path) as base:
        status, body = fetch(f"{base}/pack/2030id_/{raw_server.url('/a/2')}")
    assert status == 200 and body == article_html(2)


def _wacz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "storyarchive", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def demo_wacz(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict]]:
    """The demo story crawled (documents written), then packaged: (store, wacz, documents)."""
    from storyarchive.document import iter_latest_documents
    from storyarchive.store.local import LocalStore

    work = tmp_path_factory.mktemp("wacz-demo")
    with DemoWeb(base_port=0) as web:
        story = work / "story.toml"
        story.write_text(web.story_toml(), encoding="utf-8")
        crawled = _wacz("crawl", str(story), "--store", str(work / "store"))
        assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    slug = tomllib.loads(story.read_text(encoding="utf-8"))["slug"]
    out = work / "demo.wacz"
    packaged = _wacz("wacz", slug, "--store", str(work / "store"), "-o", str(out))
    assert packaged.returncode == 0, packaged.stderr
    docs = [d for _, d in iter_latest_documents(LocalStore(work / "store"), slug)]
    return work / "store", out, docs


def test_pages_carry_each_article_title_and_text(demo_wacz) -> None:
    _, out, docs = demo_wacz
    with zipfile.ZipFile(out) as z:
        header, *pages = [json.loads(x) for x in z.read("pages/pages.jsonl").decode().splitlines()]
    assert header == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages", "hasText": True}
    by_url = {p["url"]: p for p in pages}
    assert docs
    for doc in docs:
        page = by_url[doc["final_url"]]
        assert page["title"] == doc["metadata"]["title"]
        # the article without in-page repeats and site boilerplate: what a search should match
        assert page["text"] == doc["text_dedup"] and len(page["text"].split()) > 50


def test_wacz_validate_accepts_a_package_whose_pages_carry_text(demo_wacz) -> None:
    _, out, _ = demo_wacz
    proc = subprocess.run([str(WACZ_BIN / "wacz"), "validate", "-f", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation succeeded, the passed WACZ is valid" in proc.stdout


def test_the_index_is_compressed_cdxj_stored_for_range_reads_with_an_idx(demo_wacz) -> None:
    store, out, _ = demo_wacz
    cdxj = sorted(line for path in store.glob("stories/*/indexes/*.cdxj")
                  for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    with zipfile.ZipFile(out) as z:
        assert "indexes/index.cdx" not in z.namelist()
        assert z.getinfo("indexes/index.cdx.gz").compress_type == zipfile.ZIP_STORED
        data = z.read("indexes/index.cdx.gz")
        idx = z.read("indexes/index.idx").decode().splitlines()
    assert gzip.decompress(data).decode().splitlines() == sorted(cdxj, key=lambda s: s.encode())
    assert idx[0] == '!meta 0 {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}'
    assert len(idx) == 2  # one block: fewer than 1,024 captures
    entry = json.loads(idx[1].split(" ", 2)[2])
    assert (entry["offset"], entry["length"]) == (0, len(data))
    assert entry["digest"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_each_idx_line_names_the_gzip_member_that_starts_with_its_key() -> None:
    lines = [f"com,example)/{n:03d} 20260101000000 {{\"url\": \"https://example.com/{n:03d}\"}}"
             for n in range(7)]
    out = io.BytesIO()
    idx = write_compressed_cdxj(lines, out, block_lines=3).decode().splitlines()
    data = out.getvalue()
    members = []
    for line in idx[1:]:
        key, ts, rest = line.split(" ", 2)
        entry = json.loads(rest)
        member = gzip.decompress(data[entry["offset"]:entry["offset"] + entry["length"]])
        members.append(member.decode().splitlines())
        assert members[-1][0].startswith(f"{key} {ts} ")
    assert [len(m) for m in members] == [3, 3, 1]
    assert [x for m in members for x in m] == lines
