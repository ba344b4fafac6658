"""storyarchive: capture all the news coverage of a story (WARC, extraction, dedup, storage)."""

__version__ = "0.1.0"
SOFTWARE = f"storyarchive/{__version__}"
