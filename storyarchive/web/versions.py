"""Every stored version of one article, and word-level diffs between consecutive ones
(difflib), the way diffengine shows a newsroom's stealth edits."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from storyarchive import layout
from storyarchive.document import version_keys
from storyarchive.store.base import ArchiveStore

_TOKEN = re.compile(r"\S+|\n\n")  # words, and paragraph breaks as tokens of their own


def list_versions(store: ArchiveStore, slug: str, doc_id: str) -> list[tuple[str, str]]:
    """(version id, key) of every stored version of the document, oldest first."""
    keys = version_keys(store, layout.article_prefix(slug, doc_id)).get((slug, doc_id), [])
    return [(layout.article_version(k) or "", k) for k in keys]


def read_versions(store: ArchiveStore, slug: str, doc_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(version id, document) of every version, oldest first; KeyError if there is none."""
    versions = [(v, json.loads(store.get_bytes(k))) for v, k in list_versions(store, slug, doc_id)]
    if not versions:
        raise KeyError(doc_id)
    return versions


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The change from `old` to `new` as (op, text) segments, op one of 'equal', 'delete',
    'insert'; words keep single spaces between them and paragraphs a blank line. A
    replaced run of words is a 'delete' then an 'insert'."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", _join(a[i1:i2])))
        else:
            if i2 > i1:
                segments.append(("delete", _join(a[i1:i2])))
            if j2 > j1:
                segments.append(("insert", _join(b[j1:j2])))
    return segments


def _join(tokens: list[str]) -> str:
    return " ".join(tokens).replace(" \n\n ", "\n\n")


def diff_stats(segments: list[tuple[str, str]]) -> dict[str, int]:
    """Words deleted and inserted by a word_diff."""
    return {"deleted": sum(len(t.split()) for op, t in segments if op == "delete"),
            "inserted": sum(len(t.split()) for op, t in segments if op == "insert")}
