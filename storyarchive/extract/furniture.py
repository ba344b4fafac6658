"""Page furniture that main-text extractors commonly let through, and how we remove it.

Two generic layers, both measured on eval/extraction (docs/extraction.md):
- `prune_furniture` removes, before extraction, elements whose class or id names them as
  furniture (share bars, captions, newsletter boxes, related links, pull quotes, comment
  sections) and which hold little text: a real article wrapper is never that short.
- `drop_furniture` drops extracted blocks that read as furniture: share prompts, "Read
  more:" teasers, photo captions' credit lines, newsletter prompts, ad labels, and a block
  that only repeats the title or the byline. Patterns cover several languages; each is
  capped in length so a real paragraph that merely starts with such words is kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from lxml.html import HtmlElement

from storyarchive.items import Block

# Class/id tokens that name furniture ("teaser" is left out on purpose: several CMSes call
# the article's lead paragraph that). Matched as a token prefix (" share" matches
# "share-bar", "sharing" does not match "shareholders" because of the length guard).
_FURNITURE_NAMES = (
    "share", "sharing", "social", "newsletter", "related", "read-more", "readmore",
    "more-stories", "recommended", "pullquote", "pull-quote", "caption", "credit",
    "comments", "comment-list", "subscribe", "signup", "sign-up", "promo", "advert",
    "ad-slot", "outbrain", "taboola", "byline", "author", "bio", "contributor",
    "tags", "dek", "standfirst", "subheadline", "strapline",
)
_FURNITURE_CLASS = re.compile(r"(?:^|\s)(?:" + "|".join(map(re.escape, _FURNITURE_NAMES)) + ")")
_FURNITURE_ID = re.compile(r"^(?:" + "|".join(map(re.escape, _FURNITURE_NAMES)) + ")")
# Comment sections are long; they are named clearly enough to prune at any length.
_COMMENTS_ID = re.compile(r"^(comments|disqus_thread)$")
_COMMENTS_CLASS = re.compile(r"(?:^|\s)comments-(section|area)(?:\s|$)")
# A real article wrapper is never this short; furniture is.
_MAX_PRUNED_CHARS = 600


def prune_furniture(tree: HtmlElement) -> int:
    """Remove furniture elements from a parsed page, in place; returns how many.

    Removed: <figcaption>, short <aside>s, short elements whose class or id names them as
    furniture (share bars, captions, credits, newsletter boxes, related links, pull quotes,
    bylines, author bios, ...), and comment sections whatever their length. The text that
    follows a removed element (its tail) is kept.
    """
    doomed: set[HtmlElement] = set()
    for element in tree.iter("*"):
        if element in doomed or not isinstance(element.tag, str):
            continue
        tag = element.tag
        cls = element.get("class") or ""
        ident = element.get("id") or ""
        if tag == "figcaption" or _COMMENTS_ID.match(ident) or _COMMENTS_CLASS.search(cls):
            doomed.add(element)
        elif (tag == "aside" or _FURNITURE_CLASS.search(cls) or _FURNITURE_ID.match(ident)) and (
            tag not in ("html", "body", "main", "article")
            and _short(element)
        ):
            doomed.add(element)
    removed = 0
    for element in doomed:
        parent = element.getparent()
        if parent is None or any(a in doomed for a in element.iterancestors()):
            continue
        element.drop_tree()  # keeps the tail text
        removed += 1
    return removed


def _short(element: HtmlElement) -> bool:
    size = 0
    for text in element.itertext():
        size += len(text.strip())
        if size >= _MAX_PRUNED_CHARS:
            return False
    return True


_SHARE = re.compile(
    r"^(share|share (this|the) (article|story|post|page)|share on \w+|tweet( this)?|"
    r"email( this)?( article| story)?|copy (the )?link|print( this)?( article)?|"
    r"compart(ir|e|a)( (este|esta|la|el) (artículo|nota|noticia))?( en \w+)?|"
    r"copiar (el )?enlace|partager( cet article| sur \w+)?|artikel teilen|teilen|"
    r"condividi( questo articolo)?|follow us( on \w+)?|síguenos( en \w+)?)"
    r"[\s:!.]*((on )?(facebook|twitter|x|whatsapp|linkedin|email|reddit|telegram)[\s,|]*)*$",
    re.I,
)
_TEASER = re.compile(
    r"^(read more|read also|also read|see also|related|related articles?|more on this( story)?|"
    r"recommended( reading)?|watch|listen|lee también|leer más|lea también|ver también|"
    r"te puede interesar|más información|noticias relacionadas|lire aussi|à lire aussi|"
    r"mehr zum thema|lesen sie auch|leggi anche)\s*[:|»›>\-–—]",
    re.I,
)
_CREDIT = re.compile(
    r"^((photo|photograph|image|picture|foto|fotografía|imagen|illustration|video|credit|crédito)s?"
    r"( credit)?\s*[:|/]"
    r"|\(?(ap|afp|efe|epa|reuters|getty images|ap photo|afp photo)\s*(photo)?\s*/)"
    r"|\((ap|afp|efe|epa) (photo|foto)/[^)]*\)\s*$"
    r"|(/|\|)\s*(reuters|afp|ap|efe|epa|getty images|shutterstock|bloomberg)\s*\)?\s*$",
    re.I,
)
_PROMPT = re.compile(
    r"^(sign up|subscribe|get (our|the) [\w\s]*newsletter|suscr[ií]bete|inscr[ií]bete|"
    r"abonnez-vous|jetzt abonnieren|"
    r"story continues below|article continues below|continue reading( below)?|"
    r"the article continues|el artículo continúa|contin[uú]a leyendo)\b"
    r"|^(advertisement|advertising|publicidad|anuncio|publicité|anzeige|sponsored( content)?)$",
    re.I,
)
_LEGAL = re.compile(
    r"^(copyright\s*)?(©|\(c\)|copyright)\s*\d{4}.*$|^.{0,80}\ball rights reserved\.?$"
    r"|^(<<|«|‹|←)\s*back to\b.*$|^back to (top|home|homepage)$",
    re.I,
)
# The title of a comment section: it and everything after it are reader comments.
_COMMENTS_TITLE = re.compile(
    r"^(\d+\s+)?(comments?|comentarios?|commentaires?|kommentare?|commenti|comentários|"
    r"reader comments|leave a (reply|comment)|join the (discussion|conversation)|"
    r"deja (un|tu) comentario|\d+ (thoughts|responses|replies) (on|to) .*)(\s*\(\d+\))?$",
    re.I,
)
_DATELINE = re.compile(
    r"^(published|updated|posted|last updated|publicado|actualizado|publié|mis à jour)"
    r"(\s+(on|el|le|at))?\s*:?\s*(?P<rest>.*)$",
    re.I,
)
# Words a date or time is written with; a dateline holds nothing else.
_DATE_WORDS = re.compile(
    r"^(\d[\d:.,/h-]*|a\.?m\.?|p\.?m\.?|[A-Z]{2,5}|at|on|of|de|del|le|à|a|el|la|um|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"january|february|march|april|june|july|august|september|october|november|december|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
    r"diciembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|"
    r"novembre|décembre|ago|dic|ene|abr|updated|ago|hours?|minutes?|days?|\|)$",
    re.I,
)
_BYLINE = re.compile(r"^(by|por|par|von|di)\s+[^.!?]{2,120}$", re.I)
# "By Walter Simms, Staff Writer": capitalised names, optionally a role after a comma.
_BYLINE_NAMES = re.compile(
    r"^(By|BY|Por|POR|Par|PAR|Von|VON)\s+"
    r"(?:[A-ZÀ-Ý][\w.'’-]*|and|y|et|und|&|,)(?:\s+(?:[A-ZÀ-Ý][\w.'’-]*|and|y|et|und|&)|,)*"
    r"(?:,\s*[\w\s]{2,40})?$"
)
_MAX_BYLINE_WORDS = 9
_MAX_FURNITURE_WORDS = 25


def drop_furniture(
    blocks: list[Block], title: str | None = None, authors: Iterable[str] = ()
) -> list[Block]:
    """The blocks that are not page furniture, re-indexed in their original order.

    title / authors: the page's metadata; a block that only repeats them is furniture.
    Repeats of real paragraphs are kept: they are the dedup stage's business.
    """
    title_key = _key(title) if title else None
    author_keys = {_key(a) for a in authors if a}
    kept: list[Block] = []
    for block in blocks:
        if kept and _COMMENTS_TITLE.match(block.text):
            break
        if is_furniture(block.text, title_key, author_keys):
            continue
        block.index = len(kept)
        kept.append(block)
    return kept


def is_furniture(text: str, title_key: str | None = None, author_keys: set[str] | None = None) -> bool:
    """Whether one block's text reads as page furniture rather than article text."""
    words = text.split()
    if not words:
        return True
    if len(words) > _MAX_FURNITURE_WORDS:
        return False
    key = _key(text)
    if title_key and key == title_key:
        return True
    if author_keys and _is_byline(text, key, author_keys):
        return True
    return bool(
        _SHARE.match(text) or _TEASER.match(text) or _CREDIT.search(text)
        or _PROMPT.match(text) or _is_dateline(text) or _LEGAL.match(text)
        or (len(words) <= _MAX_BYLINE_WORDS and _BYLINE_NAMES.match(text))
    )


def _is_dateline(text: str) -> bool:
    match = _DATELINE.match(text)
    if not match:
        return False
    rest = re.findall(r"[^\s,.]+(?:\.[^\s,.]+)*", match.group("rest"))
    return bool(rest) and any(w[0].isdigit() for w in rest) and all(
        _DATE_WORDS.match(w.strip("()")) for w in rest
    )


def _is_byline(text: str, key: str, author_keys: set[str]) -> bool:
    if key in author_keys:
        return True
    if _BYLINE.match(text):
        return any(a and a in key for a in author_keys)
    return False


def _key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form for comparing short strings."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", letters))
