"""The honest User-Agent: `storyarchive/VERSION (+CONTACT)`, built when a crawl starts (the
ContactUserAgent add-on) from STORYARCHIVE_CONTACT_URL, so that `--set`, a settings file and
the environment all work.

Precedence of the contact URL, as for the store: the command line (`--set`) > a settings
file (settings.py ships none) > $STORYARCHIVE_CONTACT_URL > EXAMPLE_CONTACT_URL. A
USER_AGENT set by the user (command line or settings file) is sent as it is.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from storyarchive import __version__

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

CONTACT_SETTING = "STORYARCHIVE_CONTACT_URL"  # the setting and the environment variable
EXAMPLE_CONTACT_URL = "https://example.org/storyarchive-contact"
# Domains reserved for examples (RFC 2606): a contact there reaches nobody.
_EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")


def _user_set(settings: BaseSettings, name: str) -> bool:
    """Whether `name` was given by the user: on the command line or in a settings file
    (priority 'project' or above), not a packaged default."""
    from scrapy.settings import get_settings_priority

    return (settings.getpriority(name) or 0) >= get_settings_priority("project")


def contact_url_from_settings(settings: BaseSettings, environ: Mapping[str, str] | None = None) -> str:
    """The contact URL a crawl announces (the precedence rule above). Empty counts as unset."""
    environ = os.environ if environ is None else environ
    value = str(settings.get(CONTACT_SETTING) or "")
    if value and _user_set(settings, CONTACT_SETTING):
        return value
    return environ.get("STORYARCHIVE_CONTACT_URL") or value or EXAMPLE_CONTACT_URL


def user_agent_from_settings(settings: BaseSettings, environ: Mapping[str, str] | None = None) -> str:
    """The User-Agent of a crawl: the user's own USER_AGENT if they set one, else
    `storyarchive/VERSION (+CONTACT)`."""
    if _user_set(settings, "USER_AGENT") and settings.get("USER_AGENT"):
        return str(settings.get("USER_AGENT"))
    return f"storyarchive/{__version__} (+{contact_url_from_settings(settings, environ)})"


def is_example_contact(url: str) -> bool:
    """Whether `url` is a placeholder no site owner can reach (an example domain)."""
    host = (urlsplit(url).hostname or "").lower()
    return not host or host.endswith(".example") or any(
        host == d or host.endswith("." + d) for d in _EXAMPLE_DOMAINS)


def is_loopback(url: str) -> bool:
    """Whether `url`'s host is this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ContactUserAgent:
    """Scrapy add-on (ADDONS in settings.py): when the crawler's settings are final (the
    command line included), set USER_AGENT to the run's User-Agent, unless the user set
    their own, for Scrapy's UserAgentMiddleware and robots.txt middleware; and add the
    ExampleContactWarning middleware. As an add-on it holds even where a settings module
    replaces DOWNLOADER_MIDDLEWARES."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not _user_set(settings, "USER_AGENT"):
            settings.set("USER_AGENT", user_agent_from_settings(settings), priority="addon")
        settings["DOWNLOADER_MIDDLEWARES"][f"{__name__}.ExampleContactWarning"] = 500


class ExampleContactWarning:
    """Downloader middleware (added by ContactUserAgent while the contact is an example
    one): the first request to a host other than this machine logs a warning, once per
    crawl, counted under storyarchive/useragent/example_contact."""

    def __init__(self, user_agent: str, stats: StatsCollector | None = None) -> None:
        self.user_agent = user_agent
        self.stats = stats
        self._warned = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExampleContactWarning:
        from scrapy.exceptions import NotConfigured

        settings = crawler.settings
        if _user_set(settings, "USER_AGENT") or not is_example_contact(contact_url_from_settings(settings)):
            raise NotConfigured
        return cls(str(settings.get("USER_AGENT")), crawler.stats)

    def process_request(self, request: Request) -> None:
        if not self._warned and not is_loopback(request.url):
            self._warned = True
            if self.stats is not None:
                self.stats.set_value("storyarchive/useragent/example_contact", 1)
            logger.warning(
                "crawling %s with the example contact in the User-Agent (%s): set "
                "STORYARCHIVE_CONTACT_URL to a page where site owners can reach you "
                "(--set STORYARCHIVE_CONTACT_URL=..., a settings file or the environment)",
                urlsplit(request.url).netloc, self.user_agent)
        return None
