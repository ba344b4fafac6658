"""Shared fixtures: each real server the tests drive lives in tests/fixtures/<name>.py."""

import importlib.util

# Each plugin starts one real server on a free 127.0.0.1 port and stops it afterwards.
_PLUGINS = [
    "tests.fixtures.demoweb",  # the demo news web
    "tests.fixtures.s3server",  # moto's standalone S3 server
    "tests.fixtures.redisserver",  # redis-server
    "tests.fixtures.replay",  # pywb in its own virtual environment
    "tests.fixtures.smalldisk",  # a small tmpfs to fill up
    "tests.fixtures.statehome",  # each test's own $XDG_STATE_HOME (spool and state of S3 stores)
    "tests.slow",  # marks `slow` every test that starts a process (make check leaves them out)
]
pytest_plugins = [p for p in _PLUGINS if importlib.util.find_spec(p) is not None]
