"""The demo news web: a realistic, self-contained news web on loopback for `make demo`, the
tests and the benchmarks. See docs/demoweb.md."""

from demoweb.outlets import Outlet
from demoweb.server import DemoWeb, DemoWebError, free_port

__all__ = ["DemoWeb", "DemoWebError", "Outlet", "free_port"]
