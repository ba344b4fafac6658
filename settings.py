"""Scrapy settings for storyarchive. Every storyarchive knob is listed here with its default
and documented in README.md ("Configuration"). Override any of them with `-s NAME=VALUE`
on the scrapy command line or `--set NAME=VALUE` on the storyarchive command line.
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
# Scrapy's own size cap is turned off in favour of STORYARCHIVE_MAX_BODY_BYTES below, which
# keeps the bytes received so far (archived with WARC-Truncated) instead of dropping them.
DOWNLOAD_MAXSIZE = 0
DOWNLOAD_WARNSIZE = 0

# ---------------------------------------------------------------- story spider
# Maximum bytes of a response body; larger bodies are cut there, archived as truncated, and
# not extracted. 20 MB covers real article pages with inline data by a wide margin.
STORYARCHIVE_MAX_BODY_BYTES = 20 * 1024 * 1024
# Maximum bytes of a body once its Content-Encoding (gzip, deflate, br, zstd) is decoded: a
# decompression bomb (1 MB inflating to 1 GiB) stops decoding there, is archived as received
# and is not extracted or parsed (storyarchive/decompression.py, which replaces Scrapy's
# HttpCompressionMiddleware below). 0 = no limit.
STORYARCHIVE_MAX_DECODED_BYTES = 20 * 1024 * 1024
# A page, feed or sitemap with more elements than this (start tags, counted before parsing:
# storyarchive/markup.py) is archived, not parsed or extracted: memory goes by elements, and
# 20 MB of tiny ones make a 750 MB tree. Real pages have a few thousand; a 50,000-URL
# sitemap about 150,000. 0 = no limit.
STORYARCHIVE_MAX_PAGE_ELEMENTS = 250_000
# How deep the story spider follows links from seed pages (feeds and sitemaps are depth 0).
STORYARCHIVE_SEED_DEPTH = 1
# Networks a crawl may reach besides the public internet and the hosts the user names (a
# story file's sources, the URLs given to capture): CIDRs, e.g. ["10.0.0.0/8"] for an
# intranet (--set STORYARCHIVE_ALLOW_NETWORKS=10.0.0.0/8,192.168.0.0/16). Every other
# loopback, private, link-local or cloud-metadata address a discovered URL (or a redirect)
# resolves to is refused (storyarchive/addressguard.py; reason "forbidden-address").
STORYARCHIVE_ALLOW_NETWORKS: list[str] = []
# The URL budget of one story crawl: child sitemaps and candidate articles it requests
# (the sources the story file names do not count). Past it, discovered URLs are not
# followed; each source that listed some is in the manifest (rejected_at_discovery, reason
# "url-budget", with how many). A story's coverage is thousands of pages; a source listing
# more is a runaway. 0 = no limit.
STORYARCHIVE_MAX_URLS = 100_000

# ---------------------------------------------------------------- extraction
# Turn the extract pipeline off entirely (items then carry no extraction).
STORYARCHIVE_EXTRACT_ENABLED = True
# Worker processes for trafilatura (0 = extract in the reactor thread; debugging only).
STORYARCHIVE_EXTRACT_WORKERS = 2
# How workers start: forkserver (default; clean workers with the extractor preloaded),
# spawn, or fork.
STORYARCHIVE_EXTRACT_START_METHOD = "forkserver"
# Seconds one page may take before its worker is killed and the page recorded as an
# extraction error (0 = no limit).
STORYARCHIVE_EXTRACT_TIMEOUT = 60.0
# trafilatura's knobs, chosen by measurement on eval/extraction (docs/extraction.md).
STORYARCHIVE_EXTRACT_FAVOR_PRECISION = True
STORYARCHIVE_EXTRACT_FAVOR_RECALL = False
STORYARCHIVE_EXTRACT_INCLUDE_TABLES = True
STORYARCHIVE_EXTRACT_INCLUDE_COMMENTS = False
STORYARCHIVE_EXTRACT_FALLBACKS = True
# Remove page furniture (share prompts, captions, credits, "Read more" teasers, newsletter
# boxes, a repeated title or byline) before and after trafilatura.
STORYARCHIVE_EXTRACT_FURNITURE = True

# ---------------------------------------------------------------- relevance
# Score every extracted page against the story's terms (docs/story-files.md) and drop the
# story spider's off-topic pages; capture-spider pages are scored, never dropped.
STORYARCHIVE_RELEVANCE_ENABLED = True
# Also drop story-spider pages whose extracted published date is outside the story's window.
STORYARCHIVE_RELEVANCE_CHECK_WINDOW = True
# Log level of Scrapy's "Dropped: ..." line for rejected pages (they are counted in stats
# under storyarchive/rejected/off-topic and .../out-of-window either way).
STORYARCHIVE_RELEVANCE_DROP_LOG_LEVEL = "DEBUG"

# ---------------------------------------------------------------- WARC recorder
# Every HTTP exchange is archived as WARC/1.1 (storyarchive.warc, docs/warc.md) by the
# downloader middleware storyarchive.warc.middleware.WarcRecorderMiddleware (order 950).
STORYARCHIVE_WARC_ENABLED = True
# File name prefix: PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz ("" = the story slug).
STORYARCHIVE_WARC_PREFIX = ""
# Rotation: a file is closed, indexed and delivered at this size (bytes) or age (seconds).
STORYARCHIVE_WARC_MAX_BYTES = 1024 * 1024 * 1024
STORYARCHIVE_WARC_MAX_AGE = 3600.0
# Who runs the crawl (a name, e-mail or URL), written into each file's warcinfo record.
STORYARCHIVE_WARC_OPERATOR = ""
# gzip level of each record (1 fastest .. 9 smallest).
STORYARCHIVE_WARC_GZIP_LEVEL = 6
# Payloads already archived in the story collection become revisit records (no body).
STORYARCHIVE_WARC_REVISITS = True
# Payloads smaller than this are always stored in full (empty bodies gain nothing).
STORYARCHIVE_WARC_REVISIT_MIN_BYTES = 1
# Payload-digest index behind the revisits: "" = SQLite in the store's state dir (one
# machine); "redis://host:6379/0" = shared by many workers archiving one story.
STORYARCHIVE_WARC_DIGEST_INDEX = ""
# Scrapy's HTTP/1.1 handler plus the raw response head (real reason phrase, header case and
# order, connection headers) for the WARC response records.
DOWNLOAD_HANDLERS = {
    "http": "storyarchive.warc.handler.RawHeadHTTPDownloadHandler",
    "https": "storyarchive.warc.handler.RawHeadHTTPDownloadHandler",
}
# A body cut by a lost connection still reaches the recorder (flag "dataloss"), which
# archives it with WARC-Truncated: disconnect; the spider must not extract it.
DOWNLOAD_FAIL_ON_DATALOSS = False

# ---------------------------------------------------------------- dedup
# Collapse repeated blocks (docs/dedup.md). Thresholds were chosen on eval/dedup/pairs.jsonl
# (`python -m eval.dedup`): precision 1.0 overall at these values, see docs/dedup.md.
STORYARCHIVE_DEDUP_ENABLED = True
# Shared index for many workers (redis://host:port/db); empty = the embedded SQLite index in
# the store's state directory (<store>/.state/<slug>/dedup.sqlite for a local store).
STORYARCHIVE_DEDUP_REDIS_URL = ""
# Blocks with fewer words are never collapsed across documents ("He said." is not syndication).
STORYARCHIVE_DEDUP_MIN_WORDS = 6
# The same block on this many distinct URLs of one site is that site's boilerplate.
STORYARCHIVE_DEDUP_BOILERPLATE_MIN_URLS = 3
# Near-duplicate verification: Jaccard of word-shingle sets (copies of similar length) or
# containment of the smaller block in the larger (a paragraph cut short or extended).
STORYARCHIVE_DEDUP_JACCARD = 0.6
STORYARCHIVE_DEDUP_CONTAINMENT = 0.8
# MinHash/LSH shape: words per shingle, bands x rows permutations (changing them requires
# `storyarchive dedup <slug> --rebuild`).
STORYARCHIVE_DEDUP_SHINGLE_WORDS = 2
STORYARCHIVE_DEDUP_LSH_BANDS = 16
STORYARCHIVE_DEDUP_LSH_ROWS = 2
# Wire agencies' sites (host or host:port): their copy is canonical. Publishers whose own
# site_name is a known agency (Reuters, AP, AFP, ...) count as wire too. A story file may add
# more with `[dedup] wire_sites = [...]`.
STORYARCHIVE_DEDUP_WIRE_SITES: list[str] = []

# ---------------------------------------------------------------- redis
# Every Redis client (STORYARCHIVE_DEDUP_REDIS_URL, STORYARCHIVE_WARC_DIGEST_INDEX) is built
# with these; a crawl pings each configured URL before its first fetch.
STORYARCHIVE_REDIS_SOCKET_TIMEOUT = 10.0  # seconds a command may wait for its answer
STORYARCHIVE_REDIS_CONNECT_TIMEOUT = 5.0  # seconds; short, so an outage is noticed quickly
STORYARCHIVE_REDIS_RETRIES = 3  # retries after a connection error or timeout, with backoff

# ---------------------------------------------------------------- archive store
# Where the archive lives: a directory (embedded default) or s3://bucket/prefix.
# Not set here on purpose: the first of --store (or --set STORYARCHIVE_STORE=...), a value
# set in this file or your own settings module, $STORYARCHIVE_STORE, "./archive" wins.
# STORYARCHIVE_STORE = "./archive"
# S3 backend (s3://bucket/prefix). Endpoint, region and credentials come from the standard AWS
# chain (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_PROFILE, AWS_ACCESS_KEY_ID..., instance
# roles), never from here. Each STORYARCHIVE_S3_* below may also be set in the environment,
# which wins over this file; --set wins over both. Sizes accept plain bytes or 16MiB / 64M / 512k.
STORYARCHIVE_S3_MULTIPART_THRESHOLD = 32 * 1024 * 1024  # files above this go up in parts
STORYARCHIVE_S3_PART_SIZE = 16 * 1024 * 1024  # >= 5 MiB; grown if a file needs > 10,000 parts
STORYARCHIVE_S3_MAX_CONCURRENCY = 4  # parts in flight per file (memory: this x part size)
STORYARCHIVE_S3_RETRY_MODE = "standard"  # botocore retry mode: standard | adaptive | legacy
STORYARCHIVE_S3_MAX_ATTEMPTS = 5  # attempts per request, with backoff, before giving up
STORYARCHIVE_S3_CONNECT_TIMEOUT = 5.0  # seconds; short, so an outage is noticed quickly
STORYARCHIVE_S3_READ_TIMEOUT = 60.0  # seconds
STORYARCHIVE_S3_ADDRESSING_STYLE = "auto"  # auto | path | virtual (MinIO/Ceph often: path)
# Optional, all off by default:
STORYARCHIVE_S3_SSE = ""  # server-side encryption: "" | AES256 | aws:kms
STORYARCHIVE_S3_SSE_KMS_KEY_ID = ""  # KMS key id/ARN with aws:kms ("" = the AWS managed key)
STORYARCHIVE_S3_STORAGE_CLASS = ""  # e.g. STANDARD_IA, INTELLIGENT_TIERING ("" = bucket default)
STORYARCHIVE_S3_TAG_STORY = False  # tag every object story=<slug>
STORYARCHIVE_S3_OBJECT_LOCK_MODE = ""  # "" | GOVERNANCE | COMPLIANCE (bucket needs Object Lock)
STORYARCHIVE_S3_OBJECT_LOCK_DAYS = 0  # retention in days when a lock mode is set
STORYARCHIVE_S3_LEGAL_HOLD = False  # put a legal hold on every object (bucket needs Object Lock)

# ---------------------------------------------------------------- crawl journal and finish stage
# Every page's result is journaled as it is handled (<state>/<slug>/crawls/<crawl_id>/,
# README "Operations"). Each line is written at once (a killed process loses none); this is
# how often, at most, the journal is also fsynced (seconds; a power cut costs at most this
# window, which a resume answers from the WARCs again). 0 = fsync every line.
STORYARCHIVE_JOURNAL_FSYNC_INTERVAL = 1.0
# Keep a crawl's state directory (journal, finish log) once its documents and manifest are
# written; by default it is removed then (the archive holds everything it said).
STORYARCHIVE_JOURNAL_KEEP = False
# The finish stage deduplicates and writes this many documents at a time, in doc-id order:
# its memory is bounded by this, not by the crawl (500 keeps it under the fetch phase's
# own peak on real-size pages; bench/memory.py). Crawls of up to this many articles are
# deduplicated as one run; larger ones in batches that each see the batches before them
# (a copy in an earlier batch is not re-pointed at a canonical found in a later one).
STORYARCHIVE_FINISH_BATCH_DOCUMENTS = 500

# ---------------------------------------------------------------- scale-out (many workers)
# The shared frontier of a distributed crawl (storyarchive/distributed/, README "Scale-out"):
# a redis:// URL makes the crawl take its requests from, and put what it discovers into,
# Redis, so that any number of `storyarchive worker` processes on any machines crawl it
# together. `--redis URL` sets it, and also STORYARCHIVE_DEDUP_REDIS_URL and
# STORYARCHIVE_WARC_DIGEST_INDEX unless they are set ("" = one machine, as by default).
STORYARCHIVE_REDIS_URL = ""
# A worker that has not heartbeated for this long is taken for dead: the requests it had
# leased go back into the frontier (seconds; a kill -9 costs at most their fetch again).
STORYARCHIVE_LEASE_TIMEOUT = 60.0
# How often a worker makes what it handled durable in the store (closes its WARC file,
# uploads its journal segment) and acknowledges those requests; it also does when idle.
# Shorter: less fetched again after a kill, more (smaller) WARC files.
STORYARCHIVE_WORKER_COMMIT_INTERVAL = 30.0
# A worker's name (its WARC files carry it); "" = <host>-<pid>-<random>, new each start.
STORYARCHIVE_WORKER_ID = ""
# Crawls one `storyarchive worker` process works on at the same time.
STORYARCHIVE_WORKER_MAX_CRAWLS = 4

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
# Progress display: "auto" (live line on a terminal, log lines otherwise), "log", or "off".
STORYARCHIVE_PROGRESS = "auto"
STORYARCHIVE_PROGRESS_INTERVAL = 10.0

# ---------------------------------------------------------------- metrics
# Serve Prometheus metrics of the crawl (docs/metrics.md) at http://HOST:PORT/metrics from
# the spider's start until its finish stage is done; 0 = no metrics. `--metrics-port` sets it.
STORYARCHIVE_METRICS_PORT = 0
# Address the metrics server listens on: loopback, so only this machine can read it; set a
# routable address (or 0.0.0.0) for a Prometheus server on another machine.
STORYARCHIVE_METRICS_HOST = "127.0.0.1"

# ---------------------------------------------------------------- replay
# Capture what each article (and capture) page needs to render — stylesheets, images,
# scripts, fonts, icons — so the page replays as it looked (docs/replay.md). Turn off for
# text-only crawls. Requisites obey robots.txt, politeness and the size limit, are never
# extracted, and are counted under storyarchive/requisites/...
STORYARCHIVE_CAPTURE_REQUISITES = True
# At most this many requisites per page (and per stylesheet).
STORYARCHIVE_REQUISITES_MAX_PER_PAGE = 100
# Base URL of the replay server (`storyarchive replay`) used in every document's replay_url.
STORYARCHIVE_REPLAY_BASE_URL = "http://127.0.0.1:8080"
# How often (seconds) a running `storyarchive replay` looks in the store for index files of
# new captures and merges them into what pywb serves (no restart needed); 0 = never.
STORYARCHIVE_REPLAY_REFRESH_INTERVAL = 2.0
