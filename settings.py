"""Scrapy settings for storyarchive: Scrapy's own knobs as this project sets them, and its
components. Every STORYARCHIVE_* knob has its default once, in storyarchive/defaults.py
(listed with what it does in docs/configuration.md), given to every crawl and command by
the StoryarchiveDefaults add-on below. Set any of them here to override the default, with
`-s NAME=VALUE` on the scrapy command line or `--set NAME=VALUE` on the storyarchive
command line. Your own settings module should start with `from settings import *`, so it
keeps ADDONS and the components.
"""

BOT_NAME = "storyarchive"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl` exits 1 when a crawl is not finished or fails while closing, as
# `storyarchive crawl` does (Scrapy's own exits 0 unless the crawl could not start)
COMMANDS_MODULE = "storyarchive.scrapy_commands"

# ---------------------------------------------------------------- politeness (Scrapy's own)
# An honest User-Agent, built when a crawl starts (storyarchive/useragent.py):
# "storyarchive/VERSION (+CONTACT)". Set the contact URL to a page where site owners can
# reach you. Not set here on purpose, as for the store: the first of --set
# STORYARCHIVE_CONTACT_URL=..., a value set in this file or your own settings module,
# $STORYARCHIVE_CONTACT_URL, the example https://example.org/storyarchive-contact wins (a
# crawl of hosts other than this machine with the example logs a warning). A USER_AGENT set
# here or with --set is sent as it is.
# STORYARCHIVE_CONTACT_URL = "https://your.newsroom.example/about/archiving"
# robots.txt groups are matched against our product token, whatever the full User-Agent.
ROBOTSTXT_USER_AGENT = "storyarchive"
# StoryarchiveDefaults gives every STORYARCHIVE_* setting its default (storyarchive/defaults.py)
# at the add-on priority, below this file and the command line; ContactUserAgent sets
# USER_AGENT from the contact URL once a crawl's settings are final, and warns about an
# example contact (storyarchive/useragent.py).
ADDONS = {
    "storyarchive.defaults.StoryarchiveDefaults": 0,
    "storyarchive.useragent.ContactUserAgent": 10,
}
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy runs each response's output through this many tasks created per response (100 by
# default); our callbacks yield one item and a few requests, and the task set-up was the
# largest single cost on the reactor thread (bench/pipeline.py).
CONCURRENT_ITEMS = 8
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote-control server runs Python code sent to it over HTTP (token-protected, on
# loopback); on by default in Scrapy 2.19. Off here: a crawl of the open web takes no orders.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Scrapy's own size cap is turned off in favour of STORYARCHIVE_MAX_BODY_BYTES, which
# keeps the bytes received so far (archived with WARC-Truncated) instead of dropping them.
DOWNLOAD_MAXSIZE = 0
DOWNLOAD_WARNSIZE = 0

# ---------------------------------------------------------------- WARC recorder
# Scrapy's HTTP/1.1 handler plus the raw response head (real reason phrase, header case and
# order, connection headers) for the WARC response records.
DOWNLOAD_HANDLERS = {
    "http": "storyarchive.warc.handler.RawHeadHTTPDownloadHandler",
    "https": "storyarchive.warc.handler.RawHeadHTTPDownloadHandler",
}
# A body cut by a lost connection still reaches the recorder (flag "dataloss"), which
# archives it with WARC-Truncated: disconnect; the spider must not extract it.
DOWNLOAD_FAIL_ON_DATALOSS = False

# ---------------------------------------------------------------- archive store
# Where the archive lives: a directory (embedded default) or s3://bucket/prefix.
# Not set here on purpose: the first of --store (or --set STORYARCHIVE_STORE=...), a value
# set in this file or your own settings module, $STORYARCHIVE_STORE, "./archive" wins.
# STORYARCHIVE_STORE = "./archive"

# ---------------------------------------------------------------- pipelines and middlewares
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.relevance.RelevancePipeline": 200,
    "pipelines.store.StorePipeline": 400,
}
DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    # user:password@ in a URL becomes an Authorization header; no URL written or logged
    # carries it (storyarchive/credentials.py)
    "storyarchive.credentials.UrlCredentialsMiddleware": 40,
    # discovered URLs never reach loopback, private, link-local or metadata addresses
    # unless the user named the host (STORYARCHIVE_ALLOW_NETWORKS); first, before robots.txt
    "storyarchive.addressguard.AddressGuardMiddleware": 50,
    # decodes bodies up to STORYARCHIVE_MAX_DECODED_BYTES (in the place of Scrapy's own)
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "storyarchive.decompression.BoundedDecompressionMiddleware": 590,
    # follows meta refreshes, and passes on a page whose <base href> urllib refuses
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "storyarchive.metarefresh.TolerantMetaRefreshMiddleware": 580,
    # journals each archived exchange; a resumed crawl gets what it archived from its WARCs
    "storyarchive.warc.answer.ArchivedResponseMiddleware": 940,
    # next to the downloader: sees bodies still content-encoded, every 3xx and retry
    "storyarchive.warc.middleware.WarcRecorderMiddleware": 950,
}
EXTENSIONS: dict[str, int] = {
    # what fails while the spider closes makes the run exit 1 (storyarchive/closing.py);
    # first, so its spider_closed handler runs before any other of ours can fail
    "storyarchive.closing.CloseFailures": 100,
    "storyarchive.progress.CrawlProgress": 500,
    "storyarchive.warc.bodylimit.MaxBodySize": 510,  # STORYARCHIVE_MAX_BODY_BYTES
    "storyarchive.metrics.MetricsExtension": 520,  # STORYARCHIVE_METRICS_PORT
    "storyarchive.distributed.coordinator.DistributedCrawl": 530,  # STORYARCHIVE_REDIS_URL
}
SPIDER_MIDDLEWARES: dict[str, int] = {
    # a distributed crawl: only its seeder queues the start requests
    "storyarchive.distributed.seed.SeedMiddleware": 50,
}
