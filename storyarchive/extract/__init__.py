"""Extraction: HTTP body -> decoded text -> article metadata and ordered body blocks.

`decode_html` picks the charset, `extract_article` runs trafilatura and maps its output to
`storyarchive.items.Extraction`, `skip_reason` says why a body is not extracted at all;
`read_page` reads a fetched page once for the crawl (canonical link, requisites, extraction).
"""

from storyarchive.extract.article import ExtractOptions, extract_article, extract_body, options_from_settings
from storyarchive.extract.decode import decode_html
from storyarchive.extract.reading import PageReading, ReadOptions, read_page
from storyarchive.extract.skip import NotHtmlError, skip_reason

__all__ = [
    "options_from_settings",
    "ExtractOptions",
    "NotHtmlError",
    "PageReading",
    "ReadOptions",
    "decode_html",
    "extract_article",
    "extract_body",
    "read_page",
    "skip_reason",
]
