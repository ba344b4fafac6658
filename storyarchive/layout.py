"""The archive's object layout: the same keys in every store backend (documented in README).

    stories/<slug>/warc/<PREFIX-TIMESTAMP-SERIAL-HOST>.warc.gz   closed WARC files
    stories/<slug>/indexes/<same stem>.cdxj                      CDXJ index of each WARC
    stories/<slug>/articles/<doc_id>/<WRITTEN>-<SHA12>.json      cleaned JSON, one version per capture
    stories/<slug>/crawls/<crawl_id>.json                        manifest of one crawl or capture run
    stories/<slug>/wacz/<name>.wacz                              WACZ packages
    stories/<slug>/journal/<crawl_id>/<WORKER>-<SEQ>.jsonl.gz    a distributed crawl's per-page results
    storyarchive-store.json                                      the store's identity (its id)

Keys always use '/', never start with '/', and never contain '..'.
"""

from __future__ import annotations

import hashlib
import re

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
# WRITTEN is a UTC timestamp to the microsecond (YYYYMMDDTHHMMSSffffffZ) and SHA12 the first
# 12 hex digits of the document's SHA-256: keys sort by time, never collide, and are known
# without asking the store (so a document written during an outage spools under its key).
_VERSION = re.compile(r"/(\d{8}T\d{12}Z-[0-9a-f]{12})\.json$")


_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


def check_warc_prefix(prefix: str) -> str:
    """Return `prefix` (STORYARCHIVE_WARC_PREFIX) if it can start a WARC file name, else
    raise ValueError: a '/' would split a WARC from its index, a leading '.' would hide it
    from show, verify and replay."""
    if prefix and not _PREFIX.match(prefix):
        raise ValueError(
            f"STORYARCHIVE_WARC_PREFIX {prefix!r} must be empty or 1-80 characters of A-Z, a-z, "
            "0-9, '.', '_' and '-', starting with a letter or digit (it starts WARC file names)")
    return prefix


def check_slug(slug: str) -> str:
    """Return `slug` if it is a valid story slug, else raise ValueError saying why."""
    if not _SLUG.match(slug):
        raise ValueError(
            f"story slug {slug!r} must be 1-80 characters of a-z, 0-9 and '-', "
            "starting with a letter or digit"
        )
    return slug


def story_prefix(slug: str) -> str:
    return f"stories/{check_slug(slug)}/"


def doc_id(canonical_url: str) -> str:
    """Stable document id: the first 20 hex digits of SHA-256 of the canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:20]


def warc_key(slug: str, filename: str) -> str:
    return f"{story_prefix(slug)}warc/{filename}"


def cdxj_key(slug: str, warc_filename: str) -> str:
    stem = warc_filename.removesuffix(".gz").removesuffix(".warc")
    return f"{story_prefix(slug)}indexes/{stem}.cdxj"


def article_prefix(slug: str, document_id: str) -> str:
    return f"{story_prefix(slug)}articles/{document_id}/"


def article_key(slug: str, document_id: str, written: str, sha256_hex: str) -> str:
    """Key of one version of a document; `written` as YYYYMMDDTHHMMSSffffffZ (UTC)."""
    return f"{article_prefix(slug, document_id)}{written}-{sha256_hex[:12]}.json"


def article_version(key: str) -> str | None:
    """The version id of an article key (sortable: later versions sort higher), or None."""
    m = _VERSION.search(key)
    return m.group(1) if m else None


def crawl_manifest_key(slug: str, crawl_id: str) -> str:
    return f"{story_prefix(slug)}crawls/{crawl_id}.json"


def journal_segment_prefix(slug: str, crawl_id: str) -> str:
    return f"{story_prefix(slug)}journal/{crawl_id}/"


def journal_segment_key(slug: str, crawl_id: str, worker: str, seq: int) -> str:
    """One committed piece of a worker's crawl journal (storyarchive.distributed)."""
    return f"{journal_segment_prefix(slug, crawl_id)}{worker}-{seq:06d}.jsonl.gz"


STORE_ID_KEY = "storyarchive-store.json"


def wacz_key(slug: str, name: str) -> str:
    return f"{story_prefix(slug)}wacz/{name}"


def check_key(key: str) -> str:
    """Return `key` if it is a safe relative object key, else raise ValueError."""
    if not key or key.startswith("/") or "\\" in key or any(p in ("", ".", "..") for p in key.split("/")):
        raise ValueError(f"invalid object key {key!r}")
    return key
