"""Scrapy spiders: `story` discovers a story's coverage, `capture` archives given URLs."""
