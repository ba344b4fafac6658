"""WACZ 1.1.1 packaging of a story's captures.

    archive/<name>.warc.gz        every closed WARC of the story (stored, not recompressed)
    indexes/index.cdx.gz          the merged, sorted CDXJ of those WARCs, compressed as py-wacz
                                  and ArchiveWeb.page write it: gzip members of 1,024 lines
                                  each, stored uncompressed in the zip so ranges can be read
    indexes/index.idx             one line per member (its first key, offset, length, sha256)
    pages/pages.jsonl             one line per captured HTML page (url, ts, title, text)
    datapackage.json              every file above with its sha256 hash and size
    datapackage-digest.json       the sha256 of datapackage.json

The index is always compressed, whatever the size: ReplayWeb.page then loads only
index.idx (one line per 1,024 captures) and the blocks a lookup needs, which is what keeps
a large collection quick to open, and pywb's `wb-manager add --unpack-wacz` reads
`.cdx.gz` too; one layout for every size leaves one path to test.

Titles and texts come from the story's cleaned JSON documents (the latest version of each:
its title and `text_dedup`, the article without in-page repeats and site boilerplate, so a
full-text search in ReplayWeb.page matches articles, not the newsletter box every page of a
site prints); a page with no document gets the <title> of the page in the WARC and no text.
Files are streamed from the store into the zip; documents are read one at a time.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from storyarchive import SOFTWARE, layout
from storyarchive.store import ArchiveStore
from storyarchive.warc.cdxj import parse_line

WACZ_VERSION = "1.1.1"
INDEX_BLOCK_LINES = 1024  # CDXJ lines per gzip member of index.cdx.gz (py-wacz's default)
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


@dataclass
class DocumentPages:
    """Which document each capture belongs to: by the WARC record a document names, else by
    URL (as requested and final). Holds keys and titles only; texts are read when needed."""

    store: ArchiveStore
    by_record: dict[tuple[str, int], tuple[str, str | None]]  # (file, offset) -> (key, title)
    by_url: dict[str, tuple[str, str | None]]

    @classmethod
    def of_story(cls, store: ArchiveStore, slug: str) -> DocumentPages:
        from storyarchive.document import iter_latest_documents

        by_record: dict[tuple[str, int], tuple[str, str | None]] = {}
        by_url: dict[str, tuple[str, str | None]] = {}
        for key, doc in iter_latest_documents(store, slug):
            entry = (key, (doc.get("metadata") or {}).get("title"))
            w = doc.get("warc") or {}
            if w.get("filename") is not None and w.get("offset") is not None:
                by_record[(w["filename"], int(w["offset"]))] = entry
            for field in ("url", "final_url"):
                if doc.get(field):
                    by_url[doc[field]] = entry
        return cls(store, by_record, by_url)

    def find(self, url: str, filename: str, offset: int) -> tuple[str, str | None] | None:
        """(document key, title) of a capture, None if no document has it."""
        return self.by_record.get((filename, offset)) or self.by_url.get(url)

    def text(self, key: str) -> str | None:
        doc = json.loads(self.store.get_bytes(key))
        return doc.get("text_dedup") or doc.get("text") or None


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


def _pages(store: ArchiveStore, slug: str, lines: list[str],
           documents: DocumentPages) -> Iterator[dict[str, Any]]:
    """One page per HTML capture (2xx response, or revisit of a URL captured as HTML), with
    its title and, when a document has it, its text."""
    html_urls = set()
    for line in lines:
        _, _, f = parse_line(line)
        if (f.get("mime") or "").startswith("text/html"):
            html_urls.add(f["url"])
    for line in lines:
        _, ts, f = parse_line(line)
        status = f.get("status", "")
        mime = f.get("mime") or ""
        if (
            not status.startswith("2")
            or f["url"] not in html_urls
            or mime not in ("text/html", "warc/revisit")
        ):
            continue
        found = documents.find(f["url"], f["filename"], int(f["offset"]))
        title = found[1] if found else None
        if title is None and mime == "text/html":
            title = _warc_title(store, slug, f["filename"], int(f["offset"]), int(f["length"]))
        page: dict[str, Any] = {
            "id": uuid.uuid5(uuid.NAMESPACE_URL, f"{f['url']} {ts}").hex,
            "url": f["url"],
            "ts": _iso(ts),
        }
        if title:
            page["title"] = title
        text = documents.text(found[0]) if found else None
        if text:
            page["text"] = text
        yield page


def write_compressed_cdxj(lines: Iterable[str], out: IO[bytes] | _HashingWriter,
                          data_name: str = "index.cdx.gz",
                          block_lines: int = INDEX_BLOCK_LINES) -> bytes:
    """Write sorted CDXJ `lines` (no newline) to `out` as gzip members of `block_lines`
    lines each; return the matching index.idx: a `!meta` header line, then per member its
    first line's key and timestamp with {"offset", "length", "digest"} (the cdxj-gzip-1.0
    layout of py-wacz and cdxj-indexer, which ReplayWeb.page and pywb read)."""
    idx = [f"!meta 0 {json.dumps({'format': 'cdxj-gzip-1.0', 'filename': data_name})}\n"]
    offset = 0
    block: list[str] = []

    def flush() -> None:
        nonlocal offset
        comp = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
        data = comp.compress("".join(line + "\n" for line in block).encode("utf-8")) + comp.flush()
        out.write(data)
        prefix = block[0].split("{", 1)[0].strip()
        entry = {"offset": offset, "length": len(data),
                 "digest": "sha256:" + hashlib.sha256(data).hexdigest()}
        idx.append(f"{prefix} {json.dumps(entry)}\n")
        offset += len(data)
        block.clear()

    for line in lines:
        block.append(line)
        if len(block) == block_lines:
            flush()
    if block:
        flush()
    return "".join(idx).encode("utf-8")


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
        # the compressed index is stored, not deflated: ReplayWeb.page reads its members by range
        cdx_info = zipfile.ZipInfo("indexes/index.cdx.gz", date_time=(1980, 1, 1, 0, 0, 0))
        cdx_info.compress_type = zipfile.ZIP_STORED
        with z.open(cdx_info, "w", force_zip64=True) as zf:
            cdx = _HashingWriter(zf)
            idx_payload = write_compressed_cdxj(lines, cdx)
        resources.append(_resource(cdx_info.filename, cdx))
        _write_deflated(z, "indexes/index.idx", idx_payload, resources)
        pages_info = zipfile.ZipInfo("pages/pages.jsonl", date_time=(1980, 1, 1, 0, 0, 0))
        pages_info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(pages_info, "w", force_zip64=True) as zf:
            pages_out = _HashingWriter(zf)
            pages = _write_pages_jsonl(store, slug, lines, pages_out)
        resources.append(_resource(pages_info.filename, pages_out))
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
    return WaczSummary(out_path, len(warc_keys), pages, out_path.stat().st_size)


def _resource(path: str, written: _HashingWriter) -> dict[str, Any]:
    return {"name": Path(path).name, "path": path, "hash": f"sha256:{written.h.hexdigest()}",
            "bytes": written.size}


def _write_deflated(z: zipfile.ZipFile, path: str, payload: bytes, resources: list[dict[str, Any]]) -> None:
    z.writestr(zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0)), payload,
               compress_type=zipfile.ZIP_DEFLATED)
    resources.append({"name": Path(path).name, "path": path,
                      "hash": "sha256:" + hashlib.sha256(payload).hexdigest(), "bytes": len(payload)})


def _write_pages_jsonl(store: ArchiveStore, slug: str, lines: list[str], out: _HashingWriter) -> int:
    """Write pages.jsonl (header, then one line per page) to `out`; return the page count.
    The header says `hasText` when the story has documents (ReplayWeb.page then offers
    full-text search over `text`)."""
    documents = DocumentPages.of_story(store, slug)
    header: dict[str, Any] = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    if documents.by_url:
        header["hasText"] = True
    out.write((json.dumps(header) + "\n").encode("utf-8"))
    count = 0
    for page in _pages(store, slug, lines, documents):
        out.write((json.dumps(page, ensure_ascii=False) + "\n").encode("utf-8"))
        count += 1
    return count


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
