"""tests/slow.py: a test that starts a process, itself or through a fixture or a helper
under tests/, is marked `slow` (make check leaves it out); other tests are not."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli import run_cli
from tests.fixtures.redisserver import start_redis
from tests.slow import _spawns


def _runs_a_process() -> None:
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def _calls_a_helper_that_runs_one() -> None:
    _runs_a_process()


def _nested_function_runs_one() -> None:
    def inner() -> None:
        run_cli("--help")

    inner()


class _Server:
    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", "pass"])


def _starts_a_server_object() -> None:
    _Server().start()


def _pure() -> int:
    return sum(range(10))


@pytest.mark.parametrize("function", [_runs_a_process, _calls_a_helper_that_runs_one,
                                      _nested_function_runs_one, _starts_a_server_object,
                                      start_redis])
def test_code_that_starts_a_process_is_slow(function: object) -> None:
    assert _spawns(function, {})


def test_code_that_starts_none_is_not(demo_web: object) -> None:
    assert not _spawns(_pure, {})
    assert not _spawns(test_code_that_starts_a_process_is_slow, {})


def test_tests_using_a_server_fixture_or_the_cli_are_marked_and_others_not(
        request: pytest.FixtureRequest) -> None:
    items = {item.nodeid: item for item in request.session.items}
    marked = {nodeid for nodeid, item in items.items() if item.get_closest_marker("slow")}
    here = request.node.nodeid.rsplit("::", 1)[0]
    assert f"{here}::test_code_that_starts_none_is_not" not in marked  # demo_web is threads
    assert request.node.nodeid not in marked
    for nodeid in items:  # wherever they were collected in this run
        if "test_crawl_to_s3.py::" in nodeid or "test_bench_smoke.py::" in nodeid:
            assert nodeid in marked, nodeid
        if "test_urls.py::" in nodeid:
            assert nodeid not in marked, nodeid
