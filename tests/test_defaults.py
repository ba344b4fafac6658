"""Every default once: storyarchive/defaults.py holds each STORYARCHIVE_* default, the
StoryarchiveDefaults add-on gives them to `scrapy crawl` and to every storyarchive command,
components read settings bare, and docs/configuration.md is generated from the module."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

import settings as project_settings_module
from storyarchive.defaults import StoryarchiveDefaults, apply_defaults, defaults, reference_markdown
from storyarchive.runner import project_settings
from tests.cli import REPO

SOURCES = [p for d in ("storyarchive", "spiders", "pipelines") for p in (REPO / d).rglob("*.py")]
# Settings the code sets for itself in a distributed crawl (storyarchive.distributed.worker):
# not knobs, so they have no default.
INTERNAL = {"STORYARCHIVE_REDIS_SCOPE", "STORYARCHIVE_WORKER_SEED"}
# The environment comes between a settings file and their default, which lives with them.
ENVIRONMENT_RULE = {"STORYARCHIVE_STORE", "STORYARCHIVE_CONTACT_URL"}
_GETTER = r"\.get(?:int|float|bool|list|dict)?\("
_READ = re.compile(r"(?:" + _GETTER + r"""|\[)\s*["'](STORYARCHIVE_[A-Z0-9_]+)["']""")
_READ_WITH_DEFAULT = re.compile(_GETTER + r"""\s*["'](STORYARCHIVE_[A-Z0-9_]+)["']\s*,""")


def _settings_reads() -> dict[str, list[str]]:
    reads: dict[str, list[str]] = {}
    for path in SOURCES:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "environ" in line:
                continue  # os.environ.get("STORYARCHIVE_SPOOL_DIR", ...): the environment
            for name in _READ.findall(line):
                reads.setdefault(name, []).append(f"{path.relative_to(REPO)}:{n}")
    return reads


def test_every_setting_the_code_reads_has_its_default_in_the_defaults_module() -> None:
    missing = {name: where for name, where in _settings_reads().items()
               if name not in defaults() and name not in INTERNAL | ENVIRONMENT_RULE}
    assert not missing


def test_no_call_site_repeats_a_default() -> None:
    repeats = [f"{path.relative_to(REPO)}:{n}: {line.strip()}"
               for path in SOURCES
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if _READ_WITH_DEFAULT.search(line) and "environ" not in line]
    assert not repeats


def test_settings_py_states_no_default_of_ours() -> None:
    assigned = [name for name in vars(project_settings_module) if name.startswith("STORYARCHIVE_")]
    assert assigned == []
    assert "storyarchive.defaults.StoryarchiveDefaults" in project_settings_module.ADDONS


def test_a_crawler_gets_every_default_through_the_add_on() -> None:
    crawler = get_crawler(Spider, {"ADDONS": dict(project_settings_module.ADDONS)})
    for name, value in defaults().items():
        assert crawler.settings[name] == value, name
    assert crawler.settings.getpriority("STORYARCHIVE_MAX_BODY_BYTES") == 15  # "addon"


def test_commands_get_the_defaults_and_the_command_line_beats_them() -> None:
    settings = project_settings(None, {"STORYARCHIVE_SEED_DEPTH": "3"})
    assert settings.getint("STORYARCHIVE_MAX_BODY_BYTES") == 20 * 1024 * 1024
    assert settings.getint("STORYARCHIVE_SEED_DEPTH") == 3


def test_a_settings_file_beats_a_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "my_settings.py").write_text(
        "from settings import *  # noqa: F403\nSTORYARCHIVE_SEED_DEPTH = 5\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "my_settings")
    settings = project_settings(None)
    assert settings.getint("STORYARCHIVE_SEED_DEPTH") == 5
    assert settings.getint("STORYARCHIVE_MAX_URLS") == 100_000


def test_defaults_never_override_a_value_already_set() -> None:
    settings = Settings({"STORYARCHIVE_WARC_GZIP_LEVEL": 9})
    apply_defaults(settings)
    StoryarchiveDefaults().update_settings(settings)
    assert settings.getint("STORYARCHIVE_WARC_GZIP_LEVEL") == 9
    assert settings.getint("STORYARCHIVE_WARC_MAX_BYTES") == 1024 * 1024 * 1024


def test_a_default_list_is_a_copy_per_settings_object() -> None:
    one, two = Settings(), Settings()
    apply_defaults(one)
    apply_defaults(two)
    one.getlist("STORYARCHIVE_DEDUP_WIRE_SITES").append("wire.example")
    assert defaults()["STORYARCHIVE_DEDUP_WIRE_SITES"] == []
    assert two.getlist("STORYARCHIVE_DEDUP_WIRE_SITES") == []


def test_scrapy_crawl_sees_the_defaults() -> None:
    # What `scrapy crawl` does before it crawls (scrapy.cmdline): the project's settings, a
    # CrawlerProcess over them, a crawler of the spider; in a process of its own (reactor).
    code = ("from scrapy.crawler import CrawlerProcess\n"
            "from scrapy.utils.project import get_project_settings\n"
            "process = CrawlerProcess(get_project_settings())\n"
            "crawler = process.create_crawler('story')\n"
            "crawler._apply_settings()\n"
            "print(process.settings.getint('STORYARCHIVE_MAX_URLS'), "
            "crawler.settings.getint('STORYARCHIVE_MAX_URLS'))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=True)
    assert proc.stdout.split() == ["100000", "100000"]


def test_the_configuration_reference_is_generated_from_the_defaults() -> None:
    doc = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert doc == reference_markdown(), "run: python -m storyarchive.defaults > docs/configuration.md"
    for name in defaults():
        assert f"`{name}`" in doc


def test_every_setting_the_readme_names_exists() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    named = {n for n in re.findall(r"STORYARCHIVE_[A-Z0-9_]+\*?", readme) if not n.endswith(("*", "_"))}
    # environment variables, not settings
    environment = {"STORYARCHIVE_SPOOL_DIR", "STORYARCHIVE_STATE_DIR", "STORYARCHIVE_WEB_TOKEN",
                   "STORYARCHIVE_REPLAY_VENV"}
    assert named - set(defaults()) - ENVIRONMENT_RULE - environment == set()
    assert "docs/configuration.md" in readme
