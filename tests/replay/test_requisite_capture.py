"""Page requisites are captured with the pages (and can be switched off)."""

from __future__ import annotations

from pathlib import Path

from demoweb import DemoWeb
from storyarchive.replay.indexes import read_index
from tests.replay.conftest import CrawledArchive, manifest, run_cli


def _urls(store: Path, slug: str) -> set[str]:
    indexes = (store / "stories" / slug / "indexes").glob("*.cdxj")
    return {f["url"] for p in indexes for _k, _t, f in read_index(p)}


def test_a_story_crawl_archives_each_outlets_stylesheet_and_article_images(two_crawls: CrawledArchive):
    urls = {f["url"] for _k, _t, f in two_crawls.index()}
    for outlet in ("meridian", "harbor", "capital", "atlantic", "prensa", "globe"):
        assert two_crawls.web.url(outlet, "/static/site.css") in urls
    for doc in two_crawls.documents():  # every kept article's own images came along
        origin = "/".join(doc["final_url"].split("/")[:3])
        assert any(u.startswith(f"{origin}/static/img/") for u in urls), doc["final_url"]
    stats = manifest(two_crawls, two_crawls.crawl_ids[0])["stats"]
    assert stats["storyarchive/requisites/fetched"] >= 12
    # requisites are never articles
    assert not any("/static/" in d["final_url"] for d in two_crawls.documents())


def test_capture_with_requisites_off_archives_the_page_alone(tmp_path: Path):
    with DemoWeb(base_port=0) as web:
        entry = next(e for e in web.catalog if e.kind == "article" and e.relevant)
        page = web.entry_url(entry.id)
        run_cli("capture", page, "--story", "reqs-on", "--store", str(tmp_path))
        run_cli("capture", page, "--story", "reqs-off", "--store", str(tmp_path),
                "--set", "STORYARCHIVE_CAPTURE_REQUISITES=false")
        css = web.url(entry.outlet, "/static/site.css")
        image = web.url(entry.outlet, f"/static/img/{entry.id}.png")
    on, off = _urls(tmp_path, "reqs-on"), _urls(tmp_path, "reqs-off")
    assert css in on and image in on
    assert page in off and not any("/static/" in u for u in off)
