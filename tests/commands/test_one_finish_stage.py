"""One finish stage makes every document: a crawl, then `storyarchive reextract`, then
`storyarchive dedup --rebuild` over the same store reproduce the crawl's documents byte
for byte, and so write nothing. The demo story has wire copies, so dedup relations across
outlets (wire-exact, wire-near) and site boilerplate are part of what must agree."""

from __future__ import annotations

import json
from pathlib import Path

from demoweb import DemoWeb
from tests.commands.crawlproc import Cli

SLUG = "demo-dock-strike"


def story_files(store: Path) -> dict[str, bytes]:
    """{path: bytes} of every file the store holds for the story (documents, WARCs,
    indexes, manifests)."""
    base = store / "stories" / SLUG
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def test_a_crawl_reextract_and_dedup_rebuild_make_byte_identical_documents(
    demo_web: DemoWeb, demo_story_file: Path, tmp_path: Path
):
    store = tmp_path / "archive"
    cli = Cli(tmp_path / "logs")
    cli.ok("crawl", str(demo_story_file), "--store", str(store), "--set", "AUTOTHROTTLE_ENABLED=False")
    crawled = story_files(store)
    documents = {k: json.loads(v) for k, v in crawled.items() if k.startswith("articles/")}
    assert len(documents) == len(demo_web.expected_canonical_urls(include_generated=False))
    relations = {b["relation"] for d in documents.values() for b in d["blocks"]}
    assert {"wire-exact", "wire-near", "site-boilerplate", "repeat-in-page"} <= relations, relations

    reextract = cli.ok("reextract", SLUG, "--store", str(store))
    assert f"0 new document versions, {len(documents)} unchanged" in reextract.out, reextract.out
    assert story_files(store) == crawled

    rebuild = cli.ok("dedup", SLUG, "--rebuild", "--store", str(store))
    assert f"0 of {len(documents)} documents changed" in rebuild.out, rebuild.out
    assert story_files(store) == crawled
