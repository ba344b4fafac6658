"""The web view in headless Chromium over a crawled demo archive: what a researcher sees on
the stories page, a story page and an article page, and that its links open the capture
in pywb and the WARC record itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html import unescape
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from storyarchive.storyview import outlet_of
from tests.web.conftest import SLUG, DemoArchive, WebServer, screenshot


def doc_page(doc: dict[str, Any]) -> str:
    return f"/stories/{SLUG}/articles/{doc['doc_id']}"


def first_publishers(docs: list[dict[str, Any]]) -> dict[str, str]:
    """canonical doc id -> doc id of the earliest published member of its syndicated story."""
    groups: dict[str, list[dict[str, Any]]] = {}
    by_id = {d["doc_id"]: d for d in docs}
    for d in docs:
        canonical = ((d.get("syndication") or {}).get("canonical") or {}).get("doc_id")
        if canonical and any(b["relation"].startswith("wire") for b in d["blocks"]):
            groups.setdefault(canonical, []).append(d)
    out = {}
    for canonical, members in groups.items():
        everyone = {m["doc_id"]: m for m in [*members, by_id[canonical]]}.values()
        first = min(everyone, key=lambda m: (
            dt.datetime.fromisoformat(m["metadata"]["published"].replace("Z", "+00:00")), m["doc_id"]))
        out[canonical] = first["doc_id"]
    return out


def test_the_stories_page_lists_the_story_with_its_counts_last_crawl_and_next_crawl(
        web_server: WebServer, demo_archive: DemoArchive, page: Any):
    page.goto(web_server.base + "/")
    row = page.locator(f'tr.story[data-slug="{SLUG}"]')
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    outlets = {outlet_of(d) for d in demo_archive.docs.values()}
    assert cells[0].startswith("US strike on a Venezuelan dock")  # the story file's title
    assert cells[1:4] == [str(len(demo_archive.docs)), str(len(outlets)), "1"]
    assert cells[5] == "finished"
    manifest = web_server.json(f"/api/stories/{SLUG}")["crawls"][0]
    finished = dt.datetime.fromisoformat(manifest["finished"].replace("Z", "+00:00"))
    next_crawl = (finished + dt.timedelta(hours=6)).strftime("%Y-%m-%d %H:%M UTC")  # recrawl = "6h"
    assert cells[6].startswith(next_crawl)
    assert cells[7] == "0"
    screenshot(page, "stories")


def test_the_story_page_shows_every_article_and_outlet_and_draws_the_timeline(
        web_server: WebServer, demo_archive: DemoArchive, page: Any):
    docs = list(demo_archive.docs.values())
    page.goto(f"{web_server.base}/stories/{SLUG}")
    rows = page.locator("table.articles tr.article")
    assert rows.count() == len(docs)
    titles = rows.locator("td:first-child").all_inner_texts()
    assert sorted(titles) == sorted(d["metadata"]["title"] for d in docs)
    # sorted by publication time, as the table says
    published = [d["metadata"]["published"] for d in sorted(docs, key=lambda d: d["metadata"]["published"])]
    assert [t.strip() for t in rows.locator("td:nth-child(3)").all_inner_texts()][0].startswith(
        published[0][:10] + " " + published[0][11:16])
    outlets = page.locator("table.outlets tr.outlet td:first-child").all_inner_texts()
    assert sorted(outlets) == sorted({outlet_of(d) for d in docs})

    # the timeline: one bar segment per outlet and hour, adding up to every dated article
    svg = page.locator("svg.timeline")
    assert svg.is_visible()
    bars = svg.locator("rect.bar")
    counts = [int(c) for c in bars.evaluate_all("els => els.map(e => e.dataset.count)")]
    assert sum(counts) == len([d for d in docs if d["metadata"]["published"]])
    drawn = set(bars.evaluate_all("els => els.map(e => e.dataset.outlet)"))
    assert drawn == {outlet_of(d) for d in docs}
    heights = bars.evaluate_all("els => els.map(e => e.getBBox().height)")
    assert all(h > 0 for h in heights)
    # the first publisher of each syndicated story is marked
    marked = set(" ".join(svg.locator("path.first-publisher").evaluate_all(
        "els => els.map(e => e.dataset.docs)")).split())
    expected = first_publishers(docs)
    assert expected and marked == set(expected.values())

    # syndication: each copy of the wire story is listed under its canonical copy
    for canonical in expected:
        heading = page.locator(f'h3 a[href="/stories/{SLUG}/articles/{canonical}"]')
        cluster = page.locator(".cluster", has=heading)
        copies = cluster.locator("table.copies tbody tr td:first-child").all_inner_texts()
        members = [d for d in docs if ((d.get("syndication") or {}).get("canonical") or {}).get("doc_id")
                   == canonical and d["doc_id"] != canonical
                   and any(b["relation"].startswith("wire") for b in d["blocks"])]
        assert sorted(copies) == sorted(outlet_of(d) for d in members)

    # pages not kept and the crawl history
    rejected = page.locator("table.rejected").inner_text()
    assert "http-404" in rejected and "out-of-window" in rejected
    crawl = page.locator("table.crawls tr.crawl").first.inner_text()
    assert "finished" in crawl and "story" in crawl
    screenshot(page, "story")


def pick_article(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The article whose blocks show the most kinds of dedup relation."""
    return max(docs, key=lambda d: (len({b["relation"] for b in d["blocks"]}), d["doc_id"]))


def test_an_article_page_marks_every_block_with_its_dedup_relation_and_links_wire_copy_to_its_canonical(
        web_server: WebServer, demo_archive: DemoArchive, page: Any):
    doc = pick_article(list(demo_archive.docs.values()))
    relations = {b["relation"] for b in doc["blocks"]}
    assert {"wire-exact", "site-boilerplate"} <= relations or len(relations) >= 3
    page.goto(web_server.base + doc_page(doc))
    blocks = page.locator("#text .block")
    assert blocks.count() == len(doc["blocks"])
    shown = blocks.evaluate_all(
        "els => els.map(e => [e.dataset.relation, e.querySelector('p.text').innerText])")
    assert [r for r, _ in shown] == [b["relation"] for b in doc["blocks"]]
    assert [" ".join(t.split()) for _, t in shown] == [" ".join(b["text"].split()) for b in doc["blocks"]]
    clusters = {c["cluster"]: c["canonical"]["doc_id"] for c in doc["syndication"]["clusters"]}
    for i, b in enumerate(doc["blocks"]):
        block = blocks.nth(i)
        if b["relation"] in ("wire-exact", "wire-near") and clusters.get(b.get("cluster")) != doc["doc_id"]:
            href = block.locator("a.canonical").get_attribute("href")
            assert href == f"/stories/{SLUG}/articles/{clusters[b['cluster']]}"
        if b["relation"] == "repeat-in-page":
            assert block.locator(f'a[href="#b{b["of_block"]}"]').count() == 1
        if b["relation"] == "site-boilerplate":
            assert "site boilerplate" in block.locator("p.relation").inner_text()
    screenshot(page, "article")


def test_the_replay_link_of_an_article_opens_the_capture_in_pywb(
        web_server: WebServer, demo_archive: DemoArchive, replay_server: str, page: Any):
    doc = pick_article(list(demo_archive.docs.values()))
    page.goto(web_server.base + doc_page(doc))
    link = page.locator("dl.meta a.replay")
    href = link.get_attribute("href")
    assert href.startswith(f"{replay_server}/{SLUG}/") and href.endswith(doc["final_url"])
    link.click()
    page.wait_for_load_state("networkidle")
    frame = next(f for f in page.frames if "mp_/" in f.url)
    frame.wait_for_selector("h1.headline")
    assert frame.inner_text("h1.headline").strip() == doc["metadata"]["title"]
    body = " ".join(frame.inner_text("article").split())
    assert doc["blocks"][0]["text"] in body
    screenshot(page, "replay")


def test_the_warc_link_of_a_version_serves_its_response_record(
        web_server: WebServer, demo_archive: DemoArchive, page: Any):
    doc = pick_article(list(demo_archive.docs.values()))
    page.goto(web_server.base + doc_page(doc))
    href = page.locator(".version a.warc").first.get_attribute("href")
    status, headers, body = web_server.get(href)
    assert status == 200 and headers["content-type"] == "application/warc"
    records = [(r.rec_type, r.rec_headers.get_header("WARC-Record-ID"),
                r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read().decode("utf-8"))
               for r in ArchiveIterator(io.BytesIO(body))]
    assert len(records) == 1
    kind, record_id, target, html = records[0]
    assert kind == "response" and record_id == doc["warc"]["record_id"] and target == doc["final_url"]
    title = re.search(r'<h1 class="headline">([^<]*)</h1>', html)
    assert title and unescape(title.group(1)) == doc["metadata"]["title"]


def test_search_finds_the_article_a_phrase_comes_from_first_and_marks_it(
        web_server: WebServer, demo_archive: DemoArchive, page: Any):
    docs = list(demo_archive.docs.values())
    texts = [d["text"] for d in docs]
    # a unique paragraph's opening words that occur in no other article
    doc, phrase = next((d, " ".join(b["text"].split()[:7])) for d in docs for b in d["blocks"]
                       if b["relation"] == "unique" and len(b["text"].split()) > 12
                       and sum(" ".join(b["text"].split()[:7]) in t for t in texts) == 1)
    page.goto(f"{web_server.base}/search?q=" + f'"{phrase}"'.replace(" ", "+").replace('"', "%22"))
    hits = page.locator("ol.hits li.hit")
    assert hits.count() >= 1
    assert hits.first.locator("a").get_attribute("href") == doc_page(doc)
    marks = hits.first.locator(".snippet mark").all_inner_texts()
    assert marks and all(m.lower() in phrase.lower() for m in marks)
    screenshot(page, "search")


def test_the_story_page_offers_exports_that_download_one_row_per_article_with_its_text(
        web_server: WebServer, demo_archive: DemoArchive, page: Any):
    import pyarrow.parquet as pq

    page.goto(f"{web_server.base}/stories/{SLUG}")
    links = dict(zip(page.locator("a.export").all_inner_texts(),
                     page.locator("a.export").evaluate_all("els => els.map(e => e.getAttribute('href'))"),
                     strict=True))
    assert set(links) == {"jsonl", "csv", "parquet"}
    texts = {d["doc_id"]: d["text"] for d in demo_archive.docs.values()}
    status, headers, body = web_server.get(links["jsonl"])
    assert status == 200 and headers["content-type"].startswith("application/x-ndjson")
    assert f'filename="{SLUG}.jsonl"' in headers["content-disposition"]
    rows = [json.loads(line) for line in body.decode("utf-8").splitlines()]
    assert {r["doc_id"]: r["text"] for r in rows} == texts and len(rows) == len(texts)
    status, _, body = web_server.get(links["parquet"])
    table = pq.read_table(io.BytesIO(body))
    assert status == 200 and dict(zip(table.column("doc_id").to_pylist(), table.column("text").to_pylist(),
                                      strict=True)) == texts
    assert web_server.get(f"/stories/{SLUG}/export.xml")[0] == 404
    assert web_server.get("/stories/no-such-story/export.jsonl")[0] == 404


def test_the_json_api_gives_what_the_pages_show(web_server: WebServer, demo_archive: DemoArchive):
    docs = list(demo_archive.docs.values())
    story = web_server.json(f"/api/stories/{SLUG}?sort=words&order=desc")
    assert [a["words"] for a in story["articles"]] == sorted((d["word_count"] for d in docs), reverse=True)
    assert story["page"] == {"page": 1, "pages": 1, "size": 100, "sort": "words", "order": "desc"}
    assert story["totals"]["articles"] == len(docs)
    assert sum(sum(b["counts"].values()) for b in story["timeline"]["bins"]) == len(docs)
    doc = pick_article(docs)
    article = web_server.json(f"/api/stories/{SLUG}/articles/{doc['doc_id']}")
    assert article["document"]["canonical_url"] == doc["canonical_url"]
    assert [b["relation"] for b in article["blocks"]] == [b["relation"] for b in doc["blocks"]]
    assert len(article["versions"]) == 1 and "diff" not in article["versions"][0]
    stories = web_server.json("/api/stories")["stories"]
    assert [(s["slug"], s["articles"]) for s in stories] == [(SLUG, len(docs))]
