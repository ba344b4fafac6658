"""Build of the one compiled module (storyarchive/dedup/_fast.c); everything else about
the package is in pyproject.toml. It is optional: without a C compiler the install still
succeeds and dedup uses storyarchive/dedup/_fastpy.py (same results, slower); the test
suite fails loudly if the compiled module is missing."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("storyarchive.dedup._fast", ["storyarchive/dedup/_fast.c"],
                             extra_compile_args=["-O2"], optional=True)])
