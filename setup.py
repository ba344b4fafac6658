"""Build of the one compiled module (storyarchive/dedup/_fast.c); everything else about
the package is in pyproject.toml. If the module can't be built, storyarchive still works,
slower (storyarchive/dedup/_fastpy.py)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("storyarchive.dedup._fast", ["storyarchive/dedup/_fast.c"],
                             extra_compile_args=["-O2"])])
