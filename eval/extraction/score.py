"""Score extractors on the evaluation pages: bag-of-words precision, recall and F1.

Tokens are lower-cased Unicode word characters (`\\w+`), compared as multisets, like the
trafilatura benchmarks: precision = shared tokens / extracted tokens, recall = shared
tokens / expected tokens. "micro" pools the tokens of all pages of a split; "mean F1" is
the mean of per-page F1.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from storyarchive.extract import ExtractOptions, decode_html, extract_article

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"
_WORD = re.compile(r"\w+")

Extractor = Callable[[str, str], str]


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    expected: str

    @property
    def url(self) -> str:
        return f"https://eval.example/{self.name}"


@dataclass(frozen=True)
class Score:
    shared: int
    extracted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.shared / self.extracted if self.extracted else 0.0

    @property
    def recall(self) -> float:
        return self.shared / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.shared + other.shared, self.extracted + other.extracted,
            self.expected + other.expected,
        )

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def split() -> dict[str, list[str]]:
    data = json.loads((HERE / "split.json").read_text(encoding="utf-8"))
    return {"tuning": data["tuning"], "heldout": data["heldout"]}


def load_pages(names: list[str] | None = None) -> list[Page]:
    """The evaluation pages (all, or the named ones), decoded like the crawler does."""
    if names is None:
        names = sorted(p.name.removesuffix(".html") for p in PAGES.glob("*.html"))
    pages = []
    for name in names:
        html, _ = decode_html((PAGES / f"{name}.html").read_bytes(), None)
        expected = (PAGES / f"{name}.expected.txt").read_text(encoding="utf-8")
        pages.append(Page(name, html, expected))
    return pages


def tokens(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.casefold()))


def score(expected: str, extracted: str) -> Score:
    want, got = tokens(expected), tokens(extracted)
    return Score(sum((want & got).values()), sum(got.values()), sum(want.values()))


def trafilatura_preset(favor_precision: bool = False, favor_recall: bool = False) -> Extractor:
    """trafilatura.extract with its defaults, plus one of its two presets."""

    def run(html: str, url: str) -> str:
        return trafilatura.extract(
            html, url=url, favor_precision=favor_precision, favor_recall=favor_recall
        ) or ""

    return run


def ours(options: ExtractOptions | None = None) -> Extractor:
    opts = options or ExtractOptions()

    def run(html: str, url: str) -> str:
        return extract_article(html, url, opts).text

    return run


def systems() -> dict[str, Extractor]:
    """The compared systems: trafilatura's presets, then ours with the chosen options."""
    return {
        "trafilatura default": trafilatura_preset(),
        "trafilatura favor_precision": trafilatura_preset(favor_precision=True),
        "trafilatura favor_recall": trafilatura_preset(favor_recall=True),
        "storyarchive extract_article": ours(),
    }


def ablations() -> dict[str, Extractor]:
    """Our pipeline with one choice at a time, to show what each contributes."""
    balanced = dict(favor_precision=False)
    return {
        "ours: balanced, comments off only": ours(
            ExtractOptions(**balanced, prune_furniture=False, drop_furniture=False)
        ),
        "ours: balanced, + prune furniture": ours(ExtractOptions(**balanced, drop_furniture=False)),
        "ours: balanced, + drop furniture": ours(ExtractOptions(**balanced, prune_furniture=False)),
        "ours: balanced, both": ours(ExtractOptions(**balanced)),
        "ours: favor_precision, no furniture rules": ours(
            ExtractOptions(prune_furniture=False, drop_furniture=False)
        ),
        "ours: favor_recall, both": ours(ExtractOptions(favor_precision=False, favor_recall=True)),
        "ours: favor_precision, both, no fallbacks": ours(ExtractOptions(fallbacks=False)),
        "ours: favor_precision, both, comments on": ours(ExtractOptions(include_comments=True)),
    }


def evaluate(extract: Extractor, pages: list[Page]) -> tuple[Score, dict[str, Score]]:
    """(pooled score, per-page scores) of one extractor over pages."""
    per_page = {page.name: score(page.expected, extract(page.html, page.url)) for page in pages}
    return sum(per_page.values(), Score(0, 0, 0)), per_page


def mean_f1(per_page: dict[str, Score]) -> float:
    return sum(s.f1 for s in per_page.values()) / len(per_page) if per_page else 0.0


def pages_per_second(extract: Extractor, pages: list[Page], rounds: int = 5) -> float:
    """Single-process rate, after one warm-up pass (lazy imports, stop lists, caches)."""
    for page in pages:
        extract(page.html, page.url)
    started = time.perf_counter()
    for _ in range(rounds):
        for page in pages:
            extract(page.html, page.url)
    return rounds * len(pages) / (time.perf_counter() - started)
