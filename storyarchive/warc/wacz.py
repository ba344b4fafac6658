"""WACZ 1.1.1 packaging of a story's captures.

    archive/<name>.warc.gz        every closed WARC of the story (stored, not recompressed)
    indexes/index.cdx             the merged, sorted CDXJ of those WARCs (CDXJ lines; the
                                  `.cdx` name is what pywb's `wb-manager add --unpack-wacz` reads)
    pages/pages.jsonl             one line per captured HTML page (url, ts, title)
    datapackage.json              every file above with its sha256 hash and size
    datapackage-digest.json       the sha256 of datapackage.json

Titles come from the story's cleaned JSON documents (the latest version of each) when they
exist, else from the page's <title> in the WARC. Files are streamed from the store into
the zip; nothing large is held in memory.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from storyarchive import SOFTWARE, layout
from storyarchive.store import ArchiveStore
from storyarchive.warc.cdxj import parse_line

WACZ_VERSION = "1.1.1"
_CHUNK = 8 << 20
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


class WaczError(Exception):
    """The story cannot be packaged (no WARC files, unreadable index)."""


@dataclass
class WaczSummary:
    path: Path
    warcs: int
    pages: int
    bytes: int


def _copy_object(store: ArchiveStore, key: str, out: IO[bytes]) -> tuple[str, int]:
    """Stream object `key` into `out`; return (sha256 hex, size)."""
    h = hashlib.sha256()
    local = store.local_path(key)
    size = 0
    if local is not None:
        with open(local, "rb") as f:
            while chunk := f.read(_CHUNK):
                h.update(chunk)
                out.write(chunk)
                size += len(chunk)
        return h.hexdigest(), size
    total = store.size(key)
    for off in range(0, total, _CHUNK):
        chunk = store.get_range(key, off, min(_CHUNK, total - off))
        h.update(chunk)
        out.write(chunk)
        size += len(chunk)
    return h.hexdigest(), size


class _HashingWriter:
    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.h, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.h.update(data)
        self.size += len(data)


def document_titles(store: ArchiveStore, slug: str) -> dict[str, str]:
    """URL (as requested and final) -> title, from the latest version of each document."""
    from storyarchive.document import iter_latest_documents

    titles: dict[str, str] = {}
    for _, doc in iter_latest_documents(store, slug):
        title = (doc.get("metadata") or {}).get("title")
        if title:
            for field in ("url", "final_url"):
                if doc.get(field):
                    titles[doc[field]] = title
    return titles


def _warc_title(store: ArchiveStore, slug: str, filename: str, offset: int, length: int) -> str | None:
    """The <title> of the HTML page in one response record (first 64 KB of its body)."""
    import io

    from warcio.archiveiterator import ArchiveIterator

    data = store.get_range(layout.warc_key(slug, filename), offset, length)
    for record in ArchiveIterator(io.BytesIO(data)):
        m = _TITLE.search(record.content_stream().read(65536))
        if m:
            return html.unescape(m.group(1).decode("utf-8", "replace")).strip() or None
    return None


def _iso(ts14: str) -> str:
    return datetime.strptime(ts14, "%Y%m%d%H%M%S").replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pages(store: ArchiveStore, slug: str, lines: list[str]) -> Iterator[dict[str, Any]]:
    """One page per HTML capture (2xx response, or revisit of a URL captured as HTML)."""
    titles = document_titles(store, slug)
    parsed = [parse_line(line) for line in lines]
    html_urls = {f["url"] for _, _, f in parsed if (f.get("mime") or "").startswith("text/html")}
    for _, ts, f in parsed:
        status = f.get("status", "")
        mime = f.get("mime") or ""
        if (
            not status.startswith("2")
            or f["url"] not in html_urls
            or mime not in ("text/html", "warc/revisit")
        ):
            continue
        title = titles.get(f["url"])
        if title is None and mime == "text/html":
            title = _warc_title(store, slug, f["filename"], int(f["offset"]), int(f["length"]))
        page: dict[str, Any] = {
            "id": uuid.uuid5(uuid.NAMESPACE_URL, f"{f['url']} {ts}").hex,
            "url": f["url"],
            "ts": _iso(ts),
        }
        if title:
            page["title"] = title
        yield page


def build_wacz(store: ArchiveStore, slug: str, out_path: Path) -> WaczSummary:
    """Write the WACZ of story `slug` to `out_path`. WaczError if the story has no WARCs."""
    prefix = layout.story_prefix(slug)
    warc_keys = [k for k in store.list_keys(prefix + "warc/") if k.endswith(".warc.gz")]
    if not warc_keys:
        raise WaczError(f"story {slug!r} has no closed WARC files in {store.uri}")
    lines: list[str] = []
    for key in warc_keys:
        ikey = layout.cdxj_key(slug, key.rsplit("/", 1)[1])
        if not store.exists(ikey):
            raise WaczError(
                f"{key} has no CDXJ index at {ikey}; run `storyarchive warc verify --story {slug}`"
            )
        lines += [ln for ln in store.get_bytes(ikey).decode("utf-8").splitlines() if ln.strip()]
    lines.sort(key=lambda s: s.encode("utf-8"))
    resources: list[dict[str, Any]] = []
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_path, "w", allowZip64=True) as z:
        for key in warc_keys:
            name = "archive/" + key.rsplit("/", 1)[1]
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED  # already gzip; stored keeps ranges readable
            with z.open(info, "w", force_zip64=True) as zf:
                digest, size = _copy_object(store, key, zf)
            resources.append(
                {"name": Path(name).name, "path": name, "hash": f"sha256:{digest}", "bytes": size}
            )
        pages_payload = _pages_jsonl(store, slug, lines)
        for name, payload in (
            ("indexes/index.cdx", "".join(line + "\n" for line in lines).encode("utf-8")),
            ("pages/pages.jsonl", pages_payload),
        ):
            z.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                payload,
                compress_type=zipfile.ZIP_DEFLATED,
            )
            resources.append(
                {
                    "name": Path(name).name,
                    "path": name,
                    "hash": "sha256:" + hashlib.sha256(payload).hexdigest(),
                    "bytes": len(payload),
                }
            )
        created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        package = json.dumps(
            {
                "profile": "data-package",
                "wacz_version": WACZ_VERSION,
                "title": slug,
                "software": SOFTWARE,
                "created": created,
                "resources": resources,
            },
            indent=2,
        ).encode()
        z.writestr("datapackage.json", package, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr(
            "datapackage-digest.json",
            json.dumps(
                {
                    "path": "datapackage.json",
                    "hash": "sha256:" + hashlib.sha256(package).hexdigest(),
                },
                indent=2,
            ),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    pages = pages_payload.count(b"\n") - 1  # minus the header line
    return WaczSummary(out_path, len(warc_keys), pages, out_path.stat().st_size)


def _pages_jsonl(store: ArchiveStore, slug: str, lines: list[str]) -> bytes:
    header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    rows = [json.dumps(header)] + [json.dumps(p, ensure_ascii=False) for p in _pages(store, slug, lines)]
    return ("\n".join(rows) + "\n").encode("utf-8")


def package_story(
    store: ArchiveStore, slug: str, name: str | None = None, copy_to: Path | None = None
) -> tuple[str, WaczSummary]:
    """Build the WACZ of `slug`, deliver it to the store at layout.wacz_key, and copy it to
    `copy_to` if given. Returns (key, summary)."""
    import shutil

    from storyarchive.store.spool import deliver, spool_path

    name = name or f"{slug}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S')}.wacz"
    key = layout.wacz_key(slug, name)
    final = spool_path(store, key)
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=final.parent, prefix=".tmp-", suffix=".wacz", delete=False) as tmp:
        tmp_path = Path(tmp.name)
    try:
        summary = build_wacz(store, slug, tmp_path)
        if copy_to is not None:
            shutil.copyfile(tmp_path, copy_to)
        tmp_path.rename(final)
    finally:
        tmp_path.unlink(missing_ok=True)
    summary.path = copy_to or final
    deliver(store, key, final)
    return key, summary
