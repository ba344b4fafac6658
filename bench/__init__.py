"""Benchmarks: `python -m bench` (or `make bench`) runs them all, prints a table, writes JSON."""
