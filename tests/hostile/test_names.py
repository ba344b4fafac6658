"""Names that would break the archive's layout are refused before anything is fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from demoweb import DemoWeb
from tests.commands.test_crawl import cli_env, responses_sent
from tests.store.conftest import run_cli


@pytest.mark.parametrize("prefix", ["sub/dir", ".hidden", "../up", "-dash", "sp ace"])
def test_a_warc_prefix_that_would_break_the_layout_is_refused_before_fetching(
    fresh_demo_web: DemoWeb, tmp_path: Path, prefix: str
):
    article = sorted(fresh_demo_web.expected_canonical_urls(include_generated=False))[0]
    result = run_cli(["capture", article, "--store", str(tmp_path / "archive"),
                      "--set", f"STORYARCHIVE_WARC_PREFIX={prefix}"], cli_env(), tmp_path)
    assert result.code == 2, result.err[-3000:]
    assert f"storyarchive: error: STORYARCHIVE_WARC_PREFIX {prefix!r} must be" in result.err
    assert "Traceback" not in result.err
    assert responses_sent(fresh_demo_web) == 0
    assert not list(tmp_path.rglob("*.warc.gz*"))


def test_a_valid_warc_prefix_starts_every_warc_file_name(fresh_demo_web: DemoWeb, tmp_path: Path):
    article = sorted(fresh_demo_web.expected_canonical_urls(include_generated=False))[0]
    result = run_cli(["capture", article, "--store", str(tmp_path / "archive"),
                      "--set", "STORYARCHIVE_WARC_PREFIX=newsroom_2026"], cli_env(), tmp_path)
    assert result.code == 0, result.err[-3000:]
    names = [p.name for p in (tmp_path / "archive" / "stories" / "captures" / "warc").iterdir()]
    assert names and all(n.startswith("newsroom_2026-") for n in names), names
    verify = run_cli(["warc", "verify", "--story", "captures", "--store", str(tmp_path / "archive")],
                     cli_env(), tmp_path)
    assert verify.code == 0, verify.out + verify.err
