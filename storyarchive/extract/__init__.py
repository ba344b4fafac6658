"""Extraction: HTTP body -> decoded text -> article metadata and ordered body blocks.

`decode_html` picks the charset, `extract_article` runs trafilatura and maps its output to
`storyarchive.items.Extraction`, `skip_reason` says why a body is not extracted at all.
"""

from storyarchive.extract.article import ExtractOptions, extract_article, extract_body, options_from_settings
from storyarchive.extract.decode import decode_html
from storyarchive.extract.skip import NotHtmlError, skip_reason

__all__ = [
    "options_from_settings",
    "ExtractOptions",
    "NotHtmlError",
    "decode_html",
    "extract_article",
    "extract_body",
    "skip_reason",
]
