"""Scrapy settings for storyarchive. Every storyarchive knob is listed here with its default
and documented in README.md ("Configuration"). Override any of them with `-s NAME=VALUE`
on the scrapy command line or `--set NAME=VALUE` on the storyarchive command line.
"""

from storyarchive import __version__

BOT_NAME = "storyarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# ---------------------------------------------------------------- politeness (Scrapy's own)
# An honest User-Agent: who we are and where to complain. Set the contact URL to yours.
STORYARCHIVE_CONTACT_URL = "https://example.org/storyarchive-contact"
USER_AGENT = f"storyarchive/{__version__} (+{STORYARCHIVE_CONTACT_URL})"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Scrapy's own size cap is turned off in favour of STORYARCHIVE_MAX_BODY_BYTES below, which
# keeps the bytes received so far (archived with WARC-Truncated) instead of dropping them.
DOWNLOAD_MAXSIZE = 0
DOWNLOAD_WARNSIZE = 0

# ---------------------------------------------------------------- story spider
# Maximum bytes of a response body; larger bodies are cut there, archived as truncated, and
# not extracted. 20 MB covers real article pages with inline data by a wide margin.
STORYARCHIVE_MAX_BODY_BYTES = 20 * 1024 * 1024
# How deep the story spider follows links from seed pages (feeds and sitemaps are depth 0).
STORYARCHIVE_SEED_DEPTH = 1

# ---------------------------------------------------------------- extraction
# Worker processes for trafilatura (0 = extract in the reactor thread; tests only).
STORYARCHIVE_EXTRACT_WORKERS = 2

# ---------------------------------------------------------------- relevance

# ---------------------------------------------------------------- WARC recorder

# ---------------------------------------------------------------- dedup

# ---------------------------------------------------------------- archive store
# Where the archive lives: a directory (embedded default) or s3://bucket/prefix.
# The STORYARCHIVE_STORE environment variable and --store override it.
STORYARCHIVE_STORE = "./archive"

# ---------------------------------------------------------------- pipelines and middlewares
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.relevance.RelevancePipeline": 200,
    "pipelines.dedup.DedupPipeline": 300,
    "pipelines.store.StorePipeline": 400,
}
DOWNLOADER_MIDDLEWARES: dict[str, int] = {}
EXTENSIONS: dict[str, int] = {}
