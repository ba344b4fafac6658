"""The web view over an S3 store (moto's server): the same pages as over a local directory,
documents and WARC records read from the bucket."""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import escape

from storyarchive.store.local import LocalStore
from storyarchive.store.s3 import S3Store
from tests.web.conftest import SLUG, DemoArchive, start_web, stop_web


def test_the_web_view_serves_a_story_stored_in_s3(demo_archive: DemoArchive, s3_bucket: str,
                                                  s3_options: dict, s3_env: dict[str, str]):
    local = LocalStore(demo_archive.root)
    s3 = S3Store.from_uri(f"s3://{s3_bucket}/archive", **s3_options)
    for key in local.list_keys("stories/"):
        s3.put_file(key, local.local_path(key))  # type: ignore[arg-type]
    uri = f"s3://{s3_bucket}/archive"
    # no `storyarchive index` here: as for a store crawled by workers on other machines, the
    # web view's own search cache is empty until the view brings it up to date itself
    server = start_web(uri, "--stories", str(demo_archive.story_file.parent),
                       env={**s3_env, "STORYARCHIVE_PROGRESS": "off"})
    try:
        stories = server.json("/api/stories")["stories"]
        assert [s["slug"] for s in stories] == [SLUG]
        assert stories[0]["articles"] == len(demo_archive.docs)
        story = server.json(f"/api/stories/{SLUG}")
        assert {a["doc_id"] for a in story["articles"]} == {d["doc_id"] for d in demo_archive.docs.values()}
        doc = next(d for d in demo_archive.docs.values() if d["blocks"])
        article = server.json(f"/api/stories/{SLUG}/articles/{doc['doc_id']}")
        assert [b["text"] for b in article["blocks"]] == [b["text"] for b in doc["blocks"]]
        status, _, body = server.get(article["versions"][0]["warc"]["url"])
        w = doc["warc"]
        assert status == 200
        assert body == local.get_range(f"stories/{SLUG}/warc/{w['filename']}", w["offset"], w["length"])
        status, _, page = server.get(f"/stories/{SLUG}")
        assert status == 200 and escape(doc["metadata"]["title"]).encode() in page
        phrase = " ".join(doc["blocks"][0]["text"].split()[:6])
        hits = server.json("/api/search?" + urlencode({"q": f'"{phrase}"'}))["hits"]
        assert doc["doc_id"] in [h["doc_id"] for h in hits]
    finally:
        stop_web(server)
