"""Scrapy settings and crawlers for tests, with the project's defaults (storyarchive/defaults.py,
the StoryarchiveDefaults add-on) as every crawl and command has them: components read
their settings bare, so a crawler or Settings without them is not what runs."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler as scrapy_get_crawler

from storyarchive.defaults import apply_defaults

DEFAULTS_ADDON = {"storyarchive.defaults.StoryarchiveDefaults": 0}


def get_crawler(spidercls: type[Spider] | None = None,
                settings_dict: dict[str, Any] | None = None) -> Crawler:
    """scrapy.utils.test.get_crawler with the defaults add-on (`settings_dict` at the project
    priority, over the defaults)."""
    return scrapy_get_crawler(spidercls, {"ADDONS": dict(DEFAULTS_ADDON), **(settings_dict or {})})


def settings_with_defaults(values: dict[str, Any] | None = None) -> Settings:
    """Settings holding `values` (project priority) over every default."""
    settings = Settings(values)
    apply_defaults(settings)
    return settings
