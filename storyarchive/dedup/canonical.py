"""Document identity and the canonical-copy rule of a cluster.

The canonical copy is chosen by a fixed rule, never by arrival order:
wire outlet first, then earliest published, then the most complete copy (most words of the
cluster's text), then canonical URL order, then document id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

# Publisher names (metadata site_name) of wire agencies, compared case-insensitively.
DEFAULT_WIRE_NAMES = (
    "Associated Press", "AP", "AP News", "Reuters", "Agence France-Presse", "AFP", "dpa",
    "Deutsche Presse-Agentur", "EFE", "Agencia EFE", "ANSA", "Kyodo News", "Xinhua",
    "Press Association", "PA Media", "United Press International", "UPI", "Bloomberg",
)


def site_of(url: str) -> str:
    """The outlet a URL belongs to: its host[:port], lower-cased ('' if none)."""
    return urlsplit(url).netloc.lower()


def published_key(published: str | None) -> str:
    """A sortable UTC form of a published date/datetime ("" when unknown or unparseable
    as ISO 8601, which sorts such copies after dated ones)."""
    if not published:
        return ""
    text = published.strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def is_wire(site: str, site_name: str | None, wire_sites: frozenset[str],
            wire_names: frozenset[str]) -> bool:
    """A wire outlet: its site (host[:port], or host alone) is configured as one, or its
    own publisher name is a known agency's."""
    host = site.rsplit(":", 1)[0] if site.rsplit(":", 1)[-1].isdigit() else site
    if site in wire_sites or host in wire_sites:
        return True
    if not site_name:
        return False
    return site_name.strip().casefold() in wire_names


@dataclass(frozen=True)
class DocMeta:
    """What the canonical rule and the summaries need to know about one document."""

    doc_id: str
    canonical_url: str
    site: str
    published: str  # published_key()
    wire: bool
    current: bool  # part of the crawl being finalized (False: from the index)


def canonical_order(doc: DocMeta, cluster_words: int) -> tuple[int, int, str, int, str, str]:
    """Sort key of the canonical rule; the smallest key is the canonical copy."""
    return (0 if doc.wire else 1, 0 if doc.published else 1, doc.published, -cluster_words,
            doc.canonical_url, doc.doc_id)
