"""DemoWeb.requests: the per-outlet access log (request path and query -> how many
requests), which crawl tests read to prove that nothing was fetched twice."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from demoweb import DemoWeb, DemoWebError
from tests.demoweb.helpers import fetch


def test_requests_counts_each_path_and_query_separately(fresh_demo_web: DemoWeb):
    assert fresh_demo_web.requests("globe") == Counter()
    fetch(fresh_demo_web.url("globe", "/feed/"))
    fetch(fresh_demo_web.url("globe", "/feed/"))
    fetch(fresh_demo_web.url("globe", "/?utm_source=x"))
    fetch(fresh_demo_web.url("globe", "/no-such-page"))  # answered 404: still a request
    fetch(fresh_demo_web.url("globe", "/"), method="HEAD")
    assert fresh_demo_web.requests("globe") == Counter(
        {"/feed/": 2, "/?utm_source=x": 1, "/no-such-page": 1, "/": 1})
    assert fresh_demo_web.requests("meridian") == Counter()  # per outlet


def test_requests_is_a_copy(fresh_demo_web: DemoWeb):
    log = fresh_demo_web.requests("globe")
    fetch(fresh_demo_web.url("globe", "/"))
    assert log == Counter()
    assert fresh_demo_web.requests("globe") == Counter({"/": 1})


def test_requests_loses_no_count_under_concurrent_clients(fresh_demo_web: DemoWeb):
    url = fresh_demo_web.url("globe", "/robots.txt")

    def client() -> None:
        for _ in range(25):
            fetch(url)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fresh_demo_web.requests("globe") == Counter({"/robots.txt": 200})


def test_requests_of_a_stopped_outlet_is_an_error(fresh_demo_web: DemoWeb):
    fresh_demo_web.stop_outlet("globe")
    with pytest.raises(DemoWebError, match="globe"):
        fresh_demo_web.requests("globe")


def test_a_held_web_logs_requests_and_answers_them_once_released(fresh_demo_web: DemoWeb):
    url = fresh_demo_web.url("globe", "/feed/")
    answers: list[int] = []
    with fresh_demo_web.held():
        client = threading.Thread(target=lambda: answers.append(fetch(url)[0]))
        client.start()
        for _ in range(1000):  # taken, in the access log
            if fresh_demo_web.requests("globe") == Counter({"/feed/": 1}):
                break
            client.join(0.01)
        assert fresh_demo_web.requests("globe") == Counter({"/feed/": 1})
        client.join(0.5)
        assert client.is_alive() and answers == []  # and not answered while held
    client.join(10)
    assert answers == [200]
    assert fetch(url)[0] == 200  # released for good
