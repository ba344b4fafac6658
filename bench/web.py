"""The web view on a large story: p50/p95 time to serve the story page, an article page and
a search of a 10,000-article story (`--quick`: 500), next to pywb serving one replayed page
of the same archive, in the same run.

Input: one demo article captured for real (`storyarchive capture`: its WARC, CDXJ and
document), then generated documents written with the document code into the same local
store: 12 outlets over 30 days, 1 in 5 articles a copy of one of a few hundred wire stories
(wire-exact and wire-near blocks pointing at their canonical copy), site boilerplate in
each article, 1 in 10 articles with a second version, and one crawl manifest that lists
them. The search index is rebuilt from the documents (storyarchive.searchindex).

Both servers run as their own processes (`storyarchive web`, pywb's `wayback`); each
request is timed from this process over loopback, alternating between the two servers so
the machine's noise hits both alike. The first story page (the summary built from every
document) is reported on its own: later requests are served from the summary cache.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
SLUG = "bench-web"
OUTLETS = ["Meridian Wire", "The Harbor Ledger", "The Capital Courier", "Atlantic Broadcast News",
           "The Northgate Globe", "La Prensa del Caribe", "Coastal Times", "The Evening Standard Post",
           "Metro Daily", "Island Herald", "Gulf Observer", "Valley Tribune"]
WORDS = ("port dock strike union workers ship cargo harbor minister government talks wage pay "
         "container terminal crane shipping line export import oil fuel tanker navy coast guard "
         "president official said statement court ruling judge strike action negotiation deal "
         "agreement offer rejected accepted vote members leaders city council mayor economy "
         "prices market trade delay backlog vessel anchor berth pier crew captain security police "
         "protest march rally weekend monday tuesday wednesday thursday friday morning night").split()


def _vocabulary(size: int = 6000, seed: int = 5) -> tuple[list[str], list[float]]:
    """News-like words: the common WORDS first, then made-up names and rarer words, with
    Zipf weights (the k-th word 1/k as frequent), as cumulative weights for choices()."""
    rng = random.Random(seed)
    syllables = "ka lo mi ren ta vos bel dri on ar fen gul har is jo ket lun mar nor pel".split()
    extra: set[str] = set()
    while len(extra) < size - len(WORDS):
        extra.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    vocab = list(WORDS) + sorted(extra)
    rng.shuffle(vocab)
    total, cum = 0.0, []
    for k in range(1, len(vocab) + 1):
        total += 1.0 / k
        cum.append(total)
    return vocab, cum


VOCAB, CUM_WEIGHTS = _vocabulary()


def _sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(VOCAB, cum_weights=CUM_WEIGHTS, k=n)
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(2, 4)))


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _get(url: str) -> float:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as resp:
        resp.read()
        assert resp.status == 200, url
    return time.perf_counter() - t


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("STORYARCHIVE_", "AWS_"))}


def _capture_one(root: Path) -> dict[str, Any]:
    """One demo article captured for real into the bench story: its document."""
    from demoweb import DemoWeb
    from storyarchive.document import iter_latest_documents
    from storyarchive.store.local import LocalStore

    with DemoWeb(base_port=0) as web:
        subprocess.run([sys.executable, "-m", "storyarchive", "capture", web.entry_url("m-wire"), "--story",
                        SLUG, "--store", str(root)], cwd=PROJECT, env=_env(), check=True, capture_output=True)
    [(_key, doc)] = list(iter_latest_documents(LocalStore(root), SLUG))
    return doc


def generate(root: Path, n: int, seed: int = 13) -> int:
    """Write `n` generated documents (and a second version of 1 in 10) of story SLUG into
    the local store at `root`, and a crawl manifest listing them. Returns versions written."""
    from storyarchive import layout
    from storyarchive.document import document_from_page, write_document
    from storyarchive.items import Block
    from storyarchive.store.local import LocalStore

    rng = random.Random(seed)
    store = LocalStore(root)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    boiler = {o: f"{o} is supported by readers like you. Subscribe today for unlimited access."
              for o in OUTLETS}
    wires: list[tuple[str, list[str]]] = []  # (canonical doc id, its paragraphs)
    documents = []
    written = 0
    for i in range(n):
        outlet = OUTLETS[i % len(OUTLETS)]
        host = outlet.lower().replace(" ", "-") + ".example"
        url = f"https://{host}/news/{i:05d}-{rng.choice(VOCAB)}-{rng.choice(VOCAB)}"
        doc_id = layout.doc_id(url)
        published = start + dt.timedelta(minutes=rng.randint(0, 30 * 24 * 60))
        blocks: list[Block] = []
        syndication = None
        if outlet != OUTLETS[0] and wires and rng.random() < 0.2:  # a copy of a wire story
            canonical, paragraphs = rng.choice(wires)
            cluster = "c" + canonical[:16]
            for j, p in enumerate(paragraphs):
                near = rng.random() < 0.25
                text = p if not near else p.replace(".", ", officials said.", 1)
                blocks.append(Block(j, "paragraph", text, "wire-near" if near else "wire-exact",
                                    cluster=cluster, similarity=0.85 if near else 1.0))
            ref = {"doc_id": canonical, "canonical_url": f"https://meridian-wire.example/{canonical}"}
            syndication = {"shared_share": 0.9, "clusters": [{"cluster": cluster, "blocks": len(blocks),
                                                              "canonical": ref}],
                           "canonical": ref, "is_canonical": False}
        else:
            paragraphs = [_paragraph(rng) for _ in range(rng.randint(5, 12))]
            blocks = [Block(j, "paragraph", p) for j, p in enumerate(paragraphs)]
            if outlet == OUTLETS[0] and len(wires) < max(n // 40, 5):
                wires.append((doc_id, paragraphs))
        blocks.append(Block(len(blocks), "paragraph", boiler[outlet], "site-boilerplate"))
        title = _sentence(rng, rng.randint(6, 12)).rstrip(".")
        page = {
            "doc_id": doc_id, "story": SLUG, "crawl_id": "20260201T000000Z-bench0", "spider": "story",
            "url": url, "final_url": url, "canonical_url": url,
            "fetched_at": (published + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": 200, "content_type": "text/html; charset=utf-8",
            "metadata": {"title": title, "authors": ["Staff"], "site_name": outlet, "language": "en",
                         "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"), "published_source": "page"},
            "relevance": {"score": round(rng.uniform(3, 40), 1), "relevant": True, "matched": {},
                          "reason": None},
            "extractor": {"name": "bench"}, "warc": None,
        }
        doc = document_from_page(page, blocks, syndication=syndication, discovered_via=["sitemap"],
                                 replay_url=None)
        write_document(store, doc, skip_unchanged=False, durable=False)
        written += 1
        if rng.random() < 0.1:  # a stealth edit in a later crawl
            edited = [Block(b.index, b.kind, b.text.replace(".", " today.", 1), b.relation, b.of_block,
                            b.cluster, b.similarity) for b in blocks]
            write_document(store, document_from_page(page, edited, syndication=syndication,
                                                     discovered_via=["sitemap"], replay_url=None),
                           skip_unchanged=False, durable=False)
            written += 1
        documents.append({"doc_id": doc_id, "canonical_url": url, "written": True, "title": title,
                          "outlet": outlet})
    store.flush()
    manifest = {"crawl_id": "20260201T000000Z-bench0", "story": SLUG, "spider": "story", "status": "finished",
                "started": "2026-02-01T00:00:00Z", "finished": "2026-02-01T01:00:00Z",
                "elapsed_seconds": 3600.0, "runs": [], "finish_failures": [], "documents": documents,
                "skipped": [{"url": f"https://metro-daily.example/sport/{i}", "status": 200,
                             "reason": "missing required terms: dock"} for i in range(n // 20)],
                "rejected_at_discovery": [], "stats": {"downloader/response_count": n}}
    store.put_bytes(layout.crawl_manifest_key(SLUG, "20260201T000000Z-bench0"), json.dumps(manifest).encode())
    return written


def _queries(root: Path, rng: random.Random, n: int) -> list[str]:
    """What a reader types: half two words seen in an article, half a quoted phrase of
    three words from one (each from a random generated document)."""
    files = sorted((root / "stories" / SLUG / "articles").glob("*/*.json"))
    out = []
    for i in range(n):
        words = json.loads(rng.choice(files).read_text())["text"].replace(".", "").split()
        j = rng.randrange(0, max(1, len(words) - 3))
        out.append(f'"{" ".join(words[j:j + 3])}"' if i % 2 else " ".join(rng.sample(words, 2)))
    return out


def _start_web(root: Path, replay: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "storyarchive", "web", "--store", str(root), "--port", "0",
               "--replay-url", replay, "--stories", str(root / "no-stories")]
    proc = subprocess.Popen(command, cwd=PROJECT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("web view of "):
        proc.kill()
        raise RuntimeError(f"storyarchive web did not start: {line}{proc.stdout.read()[-2000:]}")
    return proc, line.split(" at ", 1)[1].split()[0].rstrip("/")


def _row(metric: str, ours: float, peer: float | None, unit: str, note: str,
         peer_name: str = "pywb, one replayed page (mp_)") -> dict[str, Any]:
    return {"bench": "web", "metric": metric, "ours": ours,
            "peer_name": peer_name if peer is not None else "", "peer": peer, "unit": unit,
            "ratio": ours / peer if peer else None, "note": note}


def run(args: Any) -> list[dict[str, Any]]:
    from demoweb import free_port
    from storyarchive.procs import stop_process
    from storyarchive.replay.pywb import PywbProcess, build_collections, write_config
    from storyarchive.replay.urls import timestamp14
    from storyarchive.searchindex import SearchIndex
    from storyarchive.store.local import LocalStore

    quick = bool(getattr(args, "quick", False))
    n = 500 if quick else 10_000
    rounds = 20 if quick else 100
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp_name:
        root = Path(tmp_name) / "archive"
        captured = _capture_one(root)
        t = time.perf_counter()
        versions = generate(root, n - 1)
        gen_s = time.perf_counter() - t
        store = LocalStore(root)
        t = time.perf_counter()
        indexed = SearchIndex.for_store(store).rebuild()
        index_s = time.perf_counter() - t
        doc_ids = sorted(p.name for p in (root / "stories" / SLUG / "articles").iterdir())

        work = Path(tmp_name) / "replay"
        write_config(work, build_collections(store, [SLUG], work))
        ts = timestamp14((captured.get("warc") or {}).get("date") or captured["fetched_at"])
        with PywbProcess(work, free_port()) as pywb:
            web, base = _start_web(root, pywb.base_url)
            try:
                replayed = f"{pywb.base_url}/{SLUG}/{ts}mp_/{captured['final_url']}"
                t = time.perf_counter()
                _get(f"{base}/stories/{SLUG}")
                cold = time.perf_counter() - t
                _get(replayed)
                queries = _queries(root, rng, rounds)
                sorts = ["published", "outlet", "words", "relevance", "title"]
                pages = max(1, -(-n // 100))
                times: dict[str, list[float]] = {"story": [], "article": [], "search": [], "search_story": [],
                                                 "pywb": []}
                for r in range(rounds):
                    story_url = (f"{base}/stories/{SLUG}?sort={sorts[r % len(sorts)]}"
                                 f"&page={rng.randint(1, pages)}")
                    article_url = f"{base}/stories/{SLUG}/articles/{rng.choice(doc_ids)}"
                    search_url = f"{base}/search?" + urllib.parse.urlencode({"q": queries[r]})
                    for name, url in (("story", story_url), ("pywb", replayed), ("article", article_url),
                                      ("pywb", replayed), ("search", search_url), ("pywb", replayed)):
                        times[name].append(_get(url))
                    story_search = search_url + "&" + urllib.parse.urlencode({"story": SLUG})
                    times["search_story"].append(_get(story_search))
            finally:
                stop_process(web, timeout=20, sig=signal.SIGINT)

    ms = {k: (_pct(v, 0.5) * 1000, _pct(v, 0.95) * 1000) for k, v in times.items()}
    size = f"{n:,} articles ({versions + 1:,} versions)"
    rows = []
    for key, label in (("story", "story page (100 articles a page, any sort)"),
                       ("article", "article page (blocks, versions, diffs)"),
                       ("search", "search, whole archive (2 words or a 3-word phrase)"),
                       ("search_story", "search within the story (&story=)")):
        note = f"{size}; {len(times[key])} requests"
        for i, q in enumerate(("p50", "p95")):
            rows.append(_row(f"{label} {q}", ms[key][i], ms["pywb"][i], "ms", note))
    rows.append(_row("story page right after start (summary of every document being built)", cold * 1000,
                     None, "ms", size))
    rows.append(_row("search index rebuild", indexed / index_s, None, "docs/s",
                     f"{indexed:,} documents in {index_s:.1f} s; generation took {gen_s:.1f} s"))
    return rows
