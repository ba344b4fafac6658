"""The content of one demo article (what its page prints), separate from its catalog labels."""

from __future__ import annotations

from dataclasses import dataclass, field

# A body element: a plain string is a paragraph; ("h2", text) a subheading; ("quote", text)
# a block quote.
BodyPart = str | tuple[str, str]


@dataclass(frozen=True)
class Article:
    """Title, byline, standfirst and body of an article page, written by hand.

    `authors` are the people named in the byline; `byline` is the line as printed (it may add
    "With reporting by" or an agency credit); `caption` goes under the lead image.
    """

    id: str
    title: str
    authors: tuple[str, ...]
    byline: str
    description: str
    body: tuple[BodyPart, ...]
    caption: str = ""
    section: str = "World"
    keywords: tuple[str, ...] = ()
    tail: tuple[str, ...] = field(default=())  # short credit lines printed after the body

    def paragraphs(self) -> list[str]:
        """The body's paragraphs (headings and quotes included as text), in order."""
        return [p if isinstance(p, str) else p[1] for p in self.body]


def edited_copy(
    original: Article,
    *,
    id: str,
    title: str,
    authors: tuple[str, ...],
    byline: str,
    description: str,
    replace: dict[int, list[tuple[str, str]]] | None = None,
    add_sentence: dict[int, str] | None = None,
    cut_sentence: dict[int, str] | None = None,
    drop: tuple[int, ...] = (),
    tail: tuple[str, ...] = (),
    caption: str = "",
    section: str = "World",
) -> Article:
    """A republished copy of `original` with hand-specified light edits (paragraph indexes
    are 0-based into `original.body`). Raises ValueError when an edit does not apply, so the
    copy can never silently drift from what the catalog says was edited."""
    body: list[BodyPart] = []
    for i, part in enumerate(original.body):
        if i in drop:
            continue
        if not isinstance(part, str):
            body.append(part)
            continue
        text = part
        for old, new in (replace or {}).get(i, []):
            if old not in text:
                raise ValueError(f"{id}: paragraph {i} has no {old!r} to replace")
            text = text.replace(old, new, 1)
        if cut_sentence and i in cut_sentence:
            sentence = cut_sentence[i]
            if sentence not in text:
                raise ValueError(f"{id}: paragraph {i} has no sentence {sentence!r} to cut")
            text = text.replace(" " + sentence, "", 1).replace(sentence + " ", "", 1)
        if add_sentence and i in add_sentence:
            text = text + " " + add_sentence[i]
        body.append(text)
    return Article(id=id, title=title, authors=authors, byline=byline, description=description,
                   body=tuple(body), caption=caption or original.caption, section=section,
                   keywords=original.keywords, tail=tail)
