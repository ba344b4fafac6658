"""Relevance: does a page belong to its story? A pure function of the story's terms and the
page's title, URL and extracted text.

Matching is case-insensitive and accent-insensitive (NFKD, combining marks removed,
casefolded), on whole words: "port" does not match "report", a phrase matches across any
whitespace or hyphens, and an alternative ending in "*" matches any word starting with it.

Score (documented in docs/story-files.md): each term entry (required or optional) counts
once per field it matches in, weighted by field:

    score = sum over fields f in (title, url, text) of WEIGHTS[f] * (entries matched in f)

with WEIGHTS = title 3, url 2, text 1. The URL field is the words of the path (split on
'/', '-', '_', '.'); host and query are not used. A page is relevant when no excluded term
matches anywhere, every required entry matches in at least one field, and score >=
terms.min_score.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from storyarchive.items import Relevance
from storyarchive.story import StoryDefinition, Term, Terms

FIELDS = ("title", "url", "text")
WEIGHTS = {"title": 3.0, "url": 2.0, "text": 1.0}
_GAP = r"[\s\-\u2010\u2011\u2012\u2013\u2014]+"  # between the words of a phrase


def fold(text: str) -> str:
    """Case- and accent-folded text: 'Ataque en Perú' -> 'ataque en peru'."""
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():  # drop combining marks; look each distinct character up once
        marks = "".join(sorted(c for c in set(decomposed) if unicodedata.combining(c)))
        if marks:
            decomposed = re.sub(f"[{re.escape(marks)}]+", "", decomposed)
    return decomposed.casefold()


def url_words(url: str) -> str:
    """The words of a URL's path, space-separated: '/2025/12/us-strike_venezuela.html' ->
    '2025 12 us strike venezuela html'."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return " ".join(w for w in re.split(r"[/\-_.+,;]+", unquote(path)) if w)


def score_relevance(story: StoryDefinition, title: str | None, url: str | None,
                    text: str | None) -> Relevance:
    """Score a page against `story`'s terms; see the module docstring for the rules.

    `matched` maps each field to the alternatives that matched there (in story order);
    `reason` says why a page is not relevant ("excluded term: baseball" names the alternative
    found, "missing required
    term: strike | attack | ataque", "score 1.0 below min_score 2.0"), else None.
    """
    compiled = _compile(story.terms)
    fields = {"title": fold(title or ""), "url": fold(url_words(url or "")), "text": fold(text or "")}
    # hits[field][i]: the alternatives of scored entry i (required, then optional) found in field
    hits = {f: [[alt for alt, needle, p in patterns if needle in fields[f] and p.search(fields[f])]
                for _, patterns in compiled.scored]
            for f in FIELDS}
    matched = {f: [alt for entry in hits[f] for alt in entry] for f in FIELDS}
    score = sum(WEIGHTS[f] * sum(1 for entry in hits[f] if entry) for f in FIELDS)

    excluded = next((alt for _, patterns in compiled.excluded for alt, needle, p in patterns
                     if any(needle in fields[f] and p.search(fields[f]) for f in FIELDS)), None)
    missing = [term.label for i, (term, _) in enumerate(compiled.required)
               if not any(hits[f][i] for f in FIELDS)]
    reason = None
    if excluded is not None:
        reason = f"excluded term: {excluded}"
    elif missing:
        noun = "term" if len(missing) == 1 else "terms"
        reason = f"missing required {noun}: " + "; ".join(missing)
    elif score < story.terms.min_score:
        reason = f"score {score:g} below min_score {story.terms.min_score:g}"
    return Relevance(score=score, relevant=reason is None, matched=matched, reason=reason)


# ---------------------------------------------------------------- internals

# (alternative as written, its first folded word, pattern): a match always contains the
# word, so a plain substring test (fast, in C) rules most fields out before the regex runs.
_Patterns = tuple[tuple[str, str, re.Pattern[str]], ...]


class _Compiled:
    def __init__(self, terms: Terms) -> None:
        self.required = [(t, _patterns(t)) for t in terms.required]
        self.optional = [(t, _patterns(t)) for t in terms.optional]
        self.excluded = [(t, _patterns(t)) for t in terms.excluded]
        self.scored: list[tuple[Term, _Patterns]] = self.required + self.optional


@lru_cache(maxsize=64)
def _compile(terms: Terms) -> _Compiled:
    return _Compiled(terms)


def _patterns(term: Term) -> _Patterns:
    return tuple((alt, _needle(alt), _pattern(alt)) for alt in term.alternatives)


def _needle(alternative: str) -> str:
    """A literal every match of the alternative contains (its first word, folded)."""
    words = fold(alternative.rstrip("*")).split()
    return words[0] if words else ""


def _pattern(alternative: str) -> re.Pattern[str]:
    """Whole-word pattern of one alternative, on folded text."""
    prefix = alternative.endswith("*")
    words = fold(alternative.rstrip("*")).split()
    body = _GAP.join(re.escape(w) for w in words)
    end = r"\w*" if prefix else r"(?!\w)"
    return re.compile(rf"(?<!\w){body}{end}")
