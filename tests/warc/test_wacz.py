"""WACZ packaging: hashes verify, pywb's `wb-manager add --unpack-wacz` accepts it and replays."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.warc.conftest import REPLAY_BIN, ROOT, CrawlResult, fetch, run_crawl, wayback
from tests.warc.rawserver import RawServer, article_html


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
