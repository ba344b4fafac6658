"""pytest plugin: marks the slow tests `slow`, so `make check` (pytest -m "not slow") is a
fast loop and `make test` still runs everything.

A test is slow when it, or a fixture it uses, starts another process: a crawl or any
command in a subprocess, moto's S3 server, redis-server, pywb, headless Chromium (through
Playwright), a process pool. That is found by reading code, not by a list of files, so a
test someone adds is marked the same way: the names a test function (or fixture) uses are
looked up in its module; `subprocess`, `multiprocessing`, `concurrent.futures.process`
and `playwright` (or anything from them) make it slow, and helpers defined under tests/
(functions, classes and their methods) are read the same way, recursively.

A test can also say it is slow itself with `@pytest.mark.slow` (for a slow test that starts
no process: name why in a comment).
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import pytest

# Starting one of these is what makes a test slow (seconds, not milliseconds).
_PROCESS_MODULES = ("subprocess", "multiprocessing", "concurrent.futures.process", "playwright")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    cache: dict[Any, bool] = {}
    for item in items:
        if item.get_closest_marker("slow") is None and _starts_a_process(item, cache):
            item.add_marker(pytest.mark.slow)


def _starts_a_process(item: pytest.Item, cache: dict[Any, bool]) -> bool:
    function = getattr(item, "function", None)
    if function is not None and _spawns(function, cache):
        return True
    info = getattr(item, "_fixtureinfo", None)
    for defs in (info.name2fixturedefs.values() if info is not None else ()):
        for fixturedef in defs:
            if _spawns(fixturedef.func, cache):
                return True
    return False


def _spawns(obj: Any, cache: dict[Any, bool]) -> bool:
    """Whether calling `obj` (a function, or a class defined in tests/) may start a process."""
    key = getattr(obj, "__code__", None) or obj
    if key in cache:
        return cache[key]
    cache[key] = False  # a recursive helper does not loop
    result = any(_is_process_api(target) or (_is_test_code(target) and _spawns(target, cache))
                 for target in _names_used(obj))
    cache[key] = result
    return result


def _names_used(obj: Any) -> Iterator[Any]:
    """The globals a function (and the functions nested in it) or a class's methods name."""
    if isinstance(obj, type):
        for member in vars(obj).values():
            func = getattr(member, "__func__", member)  # staticmethod / classmethod
            if isinstance(func, types.FunctionType):
                yield from _names_used(func)
        return
    func = getattr(obj, "__wrapped__", obj)
    code = getattr(func, "__code__", None)
    if code is None:
        return
    namespace = func.__globals__
    stack = [code]
    while stack:
        current = stack.pop()
        for name in current.co_names:
            if name in namespace:
                yield namespace[name]
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))


def _is_process_api(target: Any) -> bool:
    name = target.__name__ if isinstance(target, types.ModuleType) else getattr(target, "__module__", None)
    return isinstance(name, str) and any(name == m or name.startswith(m + ".") for m in _PROCESS_MODULES)


def _is_test_code(target: Any) -> bool:
    module = getattr(target, "__module__", None)
    return (isinstance(target, types.FunctionType | type) and isinstance(module, str)
            and (module == "tests" or module.startswith("tests.") or module.startswith("test_")
                 or module == "conftest"))
