"""The User-Agent names the contact URL of the run: --set, a settings file or the
environment (in that order) set it, and the demo server sees it. A crawl of other hosts
with the example contact warns once."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from storyarchive import __version__
from storyarchive.useragent import (
    EXAMPLE_CONTACT_URL,
    ContactUserAgent,
    ExampleContactWarning,
    contact_url_from_settings,
    user_agent_from_settings,
)
from tests.cli import REPO, run_cli

ENV_CONTACT = "https://env.newsroom.test/contact"
FILE_CONTACT = "https://file.newsroom.test/contact"
CLI_CONTACT = "https://cli.newsroom.test/contact"


def agent(contact: str) -> str:
    return f"storyarchive/{__version__} (+{contact})"


# ---------------------------------------------------------------- the precedence rule
def settings_with(**by_priority: dict[str, str]) -> Settings:
    settings = Settings()
    for priority, values in by_priority.items():
        settings.setdict(values, priority=priority)
    return settings


def test_the_contact_is_the_example_when_nothing_sets_it():
    assert contact_url_from_settings(Settings(), environ={}) == EXAMPLE_CONTACT_URL


ENVIRON = {"STORYARCHIVE_CONTACT_URL": ENV_CONTACT}


def test_the_environment_beats_the_default():
    assert contact_url_from_settings(Settings(), environ=ENVIRON) == ENV_CONTACT


def test_a_settings_file_beats_the_environment():
    settings = settings_with(project={"STORYARCHIVE_CONTACT_URL": FILE_CONTACT})
    assert contact_url_from_settings(settings, environ=ENVIRON) == FILE_CONTACT


def test_the_command_line_beats_a_settings_file_and_the_environment():
    settings = settings_with(project={"STORYARCHIVE_CONTACT_URL": FILE_CONTACT},
                             cmdline={"STORYARCHIVE_CONTACT_URL": CLI_CONTACT})
    assert contact_url_from_settings(settings, environ=ENVIRON) == CLI_CONTACT


def test_a_user_agent_the_user_sets_is_sent_as_it_is():
    settings = settings_with(cmdline={"USER_AGENT": "MyArchive/2.0 (+https://me.test)"})
    assert user_agent_from_settings(settings, environ={}) == "MyArchive/2.0 (+https://me.test)"


def test_the_add_on_sets_the_user_agent_once_the_settings_are_final(monkeypatch):
    monkeypatch.delenv("STORYARCHIVE_CONTACT_URL", raising=False)
    settings = settings_with(cmdline={"STORYARCHIVE_CONTACT_URL": CLI_CONTACT})
    ContactUserAgent().update_settings(settings)
    assert settings["USER_AGENT"] == agent(CLI_CONTACT)
    own = settings_with(project={"USER_AGENT": "MyArchive/2.0"})
    ContactUserAgent().update_settings(own)
    assert own["USER_AGENT"] == "MyArchive/2.0"


# ---------------------------------------------------------------- the warning
def middleware(**settings: str) -> ExampleContactWarning:
    add_on = {"storyarchive.useragent.ContactUserAgent": 0}
    crawler = get_crawler(settings_dict={**settings, "ADDONS": add_on})
    return ExampleContactWarning.from_crawler(crawler)


def example_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "example contact" in r.getMessage()]


def test_crawling_other_hosts_with_the_example_contact_warns_once(caplog, monkeypatch):
    monkeypatch.delenv("STORYARCHIVE_CONTACT_URL", raising=False)
    mw = middleware()
    with caplog.at_level(logging.WARNING, logger="storyarchive.useragent"):
        for url in ("https://news.example.net/a", "https://news.example.net/b", "https://other.test/"):
            mw.process_request(Request(url))
    (message,) = example_warnings(caplog)
    assert "news.example.net" in message and "STORYARCHIVE_CONTACT_URL" in message
    assert agent(EXAMPLE_CONTACT_URL) in message


def test_loopback_crawls_do_not_warn(caplog, monkeypatch):
    monkeypatch.delenv("STORYARCHIVE_CONTACT_URL", raising=False)
    with caplog.at_level(logging.WARNING, logger="storyarchive.useragent"):
        demo = middleware()
        for url in ("http://127.0.0.1:8401/", "http://localhost:8402/", "http://[::1]:8403/"):
            demo.process_request(Request(url))
    assert example_warnings(caplog) == []


def test_a_real_contact_or_an_own_user_agent_turns_the_warning_off(monkeypatch):
    from scrapy.exceptions import NotConfigured

    monkeypatch.delenv("STORYARCHIVE_CONTACT_URL", raising=False)
    for settings in ({"STORYARCHIVE_CONTACT_URL": CLI_CONTACT}, {"USER_AGENT": "MyArchive/2.0"}):
        with pytest.raises(NotConfigured):
            middleware(**settings)


# ---------------------------------------------------------------- what the server receives
def capture_user_agents(web, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    """Capture one page of the demo web; the User-Agent headers its outlet received."""
    run_cli("capture", web.url("globe", "/"), "--story", "ua", "--store", str(tmp_path / "archive"),
            "--set", "STORYARCHIVE_CAPTURE_REQUISITES=False", *args, env=env)
    return set(web.user_agents("globe"))


@pytest.fixture
def no_contact_env(monkeypatch):
    monkeypatch.delenv("STORYARCHIVE_CONTACT_URL", raising=False)


def test_the_server_sees_the_contact_given_with_set_even_with_one_in_the_environment(
        fresh_demo_web, tmp_path, no_contact_env):
    agents = capture_user_agents(fresh_demo_web, tmp_path, "--set", f"STORYARCHIVE_CONTACT_URL={CLI_CONTACT}",
                                 env={"STORYARCHIVE_CONTACT_URL": ENV_CONTACT})
    assert agents == {agent(CLI_CONTACT)}  # robots.txt and the page alike


def test_the_server_sees_the_contact_of_the_environment(fresh_demo_web, tmp_path, no_contact_env):
    agents = capture_user_agents(fresh_demo_web, tmp_path, env={"STORYARCHIVE_CONTACT_URL": ENV_CONTACT})
    assert agents == {agent(ENV_CONTACT)}


def test_the_server_sees_the_contact_of_a_settings_file_over_the_environment(
        fresh_demo_web, tmp_path, no_contact_env):
    (tmp_path / "newsroom_settings.py").write_text(
        f"from settings import *  # noqa: F403\nSTORYARCHIVE_CONTACT_URL = {FILE_CONTACT!r}\n")
    env = {"STORYARCHIVE_CONTACT_URL": ENV_CONTACT, "SCRAPY_SETTINGS_MODULE": "newsroom_settings",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    assert capture_user_agents(fresh_demo_web, tmp_path, env=env) == {agent(FILE_CONTACT)}


def test_the_warc_names_the_user_agent_in_its_warcinfo(fresh_demo_web, tmp_path, no_contact_env):
    from warcio.archiveiterator import ArchiveIterator

    capture_user_agents(fresh_demo_web, tmp_path, "--set", f"STORYARCHIVE_CONTACT_URL={CLI_CONTACT}")
    (warc,) = (tmp_path / "archive" / "stories" / "ua" / "warc").glob("*.warc.gz")
    with open(warc, "rb") as f:
        info = next(iter(ArchiveIterator(f)))
        fields = info.content_stream().read().decode()
    assert f"http-header-user-agent: {agent(CLI_CONTACT)}" in fields
    assert "robots: obey" in fields


def test_a_crawl_whose_settings_replace_the_downloader_middlewares_keeps_the_user_agent(
        fresh_demo_web, tmp_path, no_contact_env):
    agents = capture_user_agents(
        fresh_demo_web, tmp_path, "--set", f"STORYARCHIVE_CONTACT_URL={CLI_CONTACT}",
        "--set", 'DOWNLOADER_MIDDLEWARES={"storyarchive.warc.middleware.WarcRecorderMiddleware": 950}')
    assert agents == {agent(CLI_CONTACT)}
