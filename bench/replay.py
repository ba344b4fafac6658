"""Replay latency and re-extraction throughput, on the demo story crawled once.

Replay: p50/p95 latency of GET /<coll>/<ts>id_/<url> (the archived payload) over every
captured 200 response, and of the rewritten article pages (GET /<coll>/<ts>mp_/<url>),
served by pywb over our archive: the local store (merged story index, WARCs read in place)
and S3 (moto, standalone; WARCs read by pywb's own S3 loader). Peer for the local store:
pywb's own collection layout (`wb-manager add`: WARCs copied in, indexed by pywb) on the
same WARCs; peer for S3: our local store (what S3 costs).

Re-extraction: records/s of `reextract_story` (ranged reads + revisit resolution +
extraction + dedup + document comparison, nothing written as nothing changed) against
trafilatura.extract on the same HTML bodies already in memory, in the same run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
SLUG = "demo-dock-strike"


def _get(url: str) -> float:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as resp:
        resp.read()
    return time.perf_counter() - t


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _latencies(bases: dict[str, str], coll: str, captures: list[tuple[str, str]],
               pages: list[tuple[str, str]], rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    """Per server: (raw latencies, rewritten latencies). Servers run side by side and each
    URL is fetched from every server in a rotating order, so warm-up and the shared
    machine's noise hit all of them alike."""
    names = sorted(bases)
    out: dict[str, tuple[list[float], list[float]]] = {n: ([], []) for n in names}
    for name in names:  # warm up: first requests load templates and open files
        for ts, url in captures[:5]:
            _get(f"{bases[name]}/{coll}/{ts}id_/{url}")
    for r in range(rounds):
        for kind, mode, items in ((0, "id_", captures), (1, "mp_", pages)):
            for i, (ts, url) in enumerate(items):
                k = (i + r) % len(names)
                for name in names[k:] + names[:k]:
                    out[name][kind].append(_get(f"{bases[name]}/{coll}/{ts}{mode}/{url}"))
    return out


def _crawl(tmp: Path) -> Path:
    from demoweb import DemoWeb

    env = {k: v for k, v in os.environ.items() if not k.startswith(("STORYARCHIVE_", "AWS_"))}
    with DemoWeb(base_port=0) as web:
        story = tmp / "story.toml"
        story.write_text(web.story_toml(), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "storyarchive", "crawl", str(story), "--store",
                        str(tmp / "archive")], cwd=PROJECT, env=env, check=True, capture_output=True)
    return tmp / "archive"


def _native_collection(work: Path, warc_dir: Path) -> Path:
    """pywb's own layout: `wb-manager init` + `wb-manager add` (copies and indexes)."""
    from storyarchive.replay import environment

    wbm = environment.ensure_environment() / "bin" / "wb-manager"
    work.mkdir(parents=True)
    subprocess.run([str(wbm), "init", SLUG], cwd=work, check=True, capture_output=True)
    subprocess.run([str(wbm), "add", SLUG, *map(str, sorted(warc_dir.glob("*.warc.gz")))],
                   cwd=work, check=True, capture_output=True)
    (work / "config.yaml").write_text('{"framed_replay": true, "enable_memento": true}\n')
    return work


def _row(metric: str, ours: float, peer_name: str, peer: float, unit: str, note: str) -> dict[str, Any]:
    return {"bench": "replay", "metric": metric, "ours": ours, "peer_name": peer_name, "peer": peer,
            "unit": unit, "ratio": ours / peer if peer else None, "note": note}


def run(args: Any) -> list[dict[str, Any]]:
    from bench.s3 import _moto
    from demoweb import free_port
    from storyarchive.document import iter_latest_documents
    from storyarchive.replay.indexes import read_index
    from storyarchive.replay.pywb import PywbProcess
    from storyarchive.store.local import LocalStore
    from storyarchive.store.s3 import S3Store

    rounds = 1 if getattr(args, "quick", False) else 3
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp_name:
        tmp = Path(tmp_name)
        root = _crawl(tmp)
        local = LocalStore(root)
        story_dir = root / "stories" / SLUG
        captures = sorted((ts, f["url"]) for p in (story_dir / "indexes").glob("*.cdxj")
                          for _k, ts, f in read_index(p) if f.get("status") == "200")
        docs = [d for _k, d in iter_latest_documents(local, SLUG)]
        by_url = {url: ts for ts, url in captures}
        pages = [(by_url[d["final_url"]], d["final_url"]) for d in docs]

        def serve(store: Any, work: Path) -> PywbProcess:
            from storyarchive.replay.pywb import build_collections, pywb_environment, write_config

            write_config(work, build_collections(store, [SLUG], work))
            # started by the with statement
            return PywbProcess(work, free_port(), env=pywb_environment(store))

        native = _native_collection(tmp / "native", story_dir / "warc")
        with _moto() as endpoint:
            opts = {"endpoint_url": endpoint, "region_name": "us-east-1",
                    "aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
            import boto3

            boto3.session.Session().client("s3", **opts).create_bucket(Bucket="bench")
            s3 = S3Store.from_uri("s3://bench/archive", **opts)
            for key in local.list_keys("stories/"):
                s3.put_file(key, local.local_path(key))  # type: ignore[arg-type]
            with (serve(local, tmp / "ours-local") as ours_local,
                  PywbProcess(native, free_port()) as pywb_native,
                  serve(s3, tmp / "ours-s3") as ours_s3):
                results = _latencies({"local": ours_local.base_url, "native": pywb_native.base_url,
                                      "s3": ours_s3.base_url}, SLUG, captures, pages, rounds)

        n = f"{len(captures)} captures x {rounds}"
        for label, idx, what in (("raw payload (id_)", 0, n), ("rewritten page (mp_)", 1,
                                                                 f"{len(pages)} articles x {rounds}")):
            for q, name in ((0.5, "p50"), (0.95, "p95")):
                ours_l = _pct(results["local"][idx], q) * 1000
                rows.append(_row(f"replay {label} {name}, local store", ours_l,
                                 "pywb own collection (wb-manager add)",
                                 _pct(results["native"][idx], q) * 1000, "ms", what))
                rows.append(_row(f"replay {label} {name}, S3 (moto)", _pct(results["s3"][idx], q) * 1000,
                                 "ours, local store", ours_l, "ms", what + "; pywb's S3 loader, ranged GETs"))

        rows.append(_reextract_row(root, tmp, docs, rounds))
    return rows


def _reextract_row(root: Path, tmp: Path, docs: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    import trafilatura
    from scrapy.settings import Settings

    import settings as project_settings
    from storyarchive.defaults import apply_defaults
    from storyarchive.extract import decode_html
    from storyarchive.replay.records import StoredPayloads
    from storyarchive.replay.reextract import options_for_story, reextract_story, story_entries
    from storyarchive.store.local import LocalStore

    settings = Settings()
    settings.setmodule(project_settings)
    apply_defaults(settings)  # storyarchive/defaults.py, as every crawl and command has them
    copy = tmp / "reextract"
    shutil.copytree(root, copy)
    store = LocalStore(copy)
    options = options_for_story(settings, store, SLUG)
    payloads = StoredPayloads(store, SLUG, story_entries(store, SLUG))
    bodies = []
    for d in docs:
        w = d["warc"]
        r = payloads.read(w["filename"], int(w["offset"]), int(w["length"]))
        bodies.append((decode_html(r.body, None)[0], d["final_url"]))
    ours = peer = float("inf")
    records = 0
    for _ in range(rounds + 1):  # the first round also warms trafilatura's caches
        t = time.perf_counter()
        report = reextract_story(store, SLUG, options)
        ours = min(ours, time.perf_counter() - t)
        records = report.pages
        assert not report.written, "re-extraction with unchanged settings wrote documents"
        t = time.perf_counter()
        for html, url in bodies:
            trafilatura.extract(html, url=url, favor_precision=True, include_tables=True,
                                include_comments=False, deduplicate=False, with_metadata=True)
        peer = min(peer, time.perf_counter() - t)
    return _row("re-extraction throughput", records / ours, "trafilatura.extract, same HTML in memory",
                len(bodies) / peer, "records/s",
                f"{records} records; ours: ranged reads + extraction + dedup + compare; best of {rounds + 1}")
