"""Scrapy commands of the project (COMMANDS_MODULE in settings.py): `crawl` replaces
Scrapy's own so that `scrapy crawl` exits as `storyarchive crawl` does."""
