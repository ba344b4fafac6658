"""Every STORYARCHIVE_* setting and its default, once — as Scrapy keeps its own in
scrapy/settings/default_settings.py — shipped as a Scrapy add-on (`StoryarchiveDefaults`,
in ADDONS of settings.py), so `scrapy crawl`, `storyarchive` commands and every component
see the same defaults, and components read settings bare:
`crawler.settings.getint("STORYARCHIVE_MAX_BODY_BYTES")`.

The defaults are set at the add-on priority, below a settings file ("project") and the
command line (`--set`, `-s`), which override them. Two settings have no default here
because the environment comes between a settings file and their default:
STORYARCHIVE_STORE (storyarchive.store: `$STORYARCHIVE_STORE`, else ./archive) and
STORYARCHIVE_CONTACT_URL (storyarchive.useragent: `$STORYARCHIVE_CONTACT_URL`, else an
example contact). STORYARCHIVE_S3_* may also be set in the environment, which beats a
settings file (storyarchive.store.s3).

docs/configuration.md is generated from this file (`python -m storyarchive.defaults`): the
comment above each assignment is its description. A test keeps the two the same.
"""

from __future__ import annotations

import ast
import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# ---------------------------------------------------------------- bodies and discovery
# Maximum bytes of a response body; larger bodies are cut there, archived as truncated, and
# not extracted. 20 MB covers real article pages with inline data by a wide margin.
STORYARCHIVE_MAX_BODY_BYTES = 20 * 1024 * 1024
# Maximum bytes of a body once its Content-Encoding (gzip, deflate, br, zstd) is decoded: a
# decompression bomb (1 MB inflating to 1 GiB) stops decoding there, is archived as received
# and is not extracted or parsed (storyarchive/decompression.py, which replaces Scrapy's
# HttpCompressionMiddleware). 0 = no limit.
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
# Whether the hosts the user names (a story file's sources, the URLs given to capture) are
# fetched whatever address they resolve to. The web view's "capture now" sets it false for
# the captures it queues: URLs typed into a web form are checked like discovered ones, so a
# token holder cannot make the server fetch its own network or a cloud's metadata service
# (allow an intranet with STORYARCHIVE_ALLOW_NETWORKS).
STORYARCHIVE_TRUST_NAMED_HOSTS = True
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
# How workers start: forkserver (clean workers with the extractor preloaded), spawn, or fork.
STORYARCHIVE_EXTRACT_START_METHOD = "forkserver"
# Seconds one page may take before its worker is killed and the page recorded as an
# extraction error (0 = no limit).
STORYARCHIVE_EXTRACT_TIMEOUT = 60.0
# trafilatura's favor_precision, chosen by measurement on eval/extraction (docs/extraction.md).
STORYARCHIVE_EXTRACT_FAVOR_PRECISION = True
# trafilatura's favor_recall.
STORYARCHIVE_EXTRACT_FAVOR_RECALL = False
# trafilatura's include_tables.
STORYARCHIVE_EXTRACT_INCLUDE_TABLES = True
# trafilatura's include_comments (reader comments under an article).
STORYARCHIVE_EXTRACT_INCLUDE_COMMENTS = False
# trafilatura's fallback extractors (readability, jusText); False is its `fast` mode.
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
# Archive every HTTP exchange as WARC/1.1 (storyarchive.warc, docs/warc.md), by the
# downloader middleware storyarchive.warc.middleware.WarcRecorderMiddleware (order 950).
STORYARCHIVE_WARC_ENABLED = True
# File name prefix: PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz ("" = the story slug).
STORYARCHIVE_WARC_PREFIX = ""
# Rotation by size: a file is closed, indexed and delivered at this many bytes.
STORYARCHIVE_WARC_MAX_BYTES = 1024 * 1024 * 1024
# Rotation by age: a file is closed, indexed and delivered after this many seconds.
STORYARCHIVE_WARC_MAX_AGE = 3600.0
# Who runs the crawl (a name, e-mail or URL), written into each file's warcinfo record.
STORYARCHIVE_WARC_OPERATOR = ""
# gzip level of each record: 0-3 ISA-L's deflate (fast; 3: about 10% larger than zlib's 6
# for a sixth of its CPU), 4-9 zlib's (smaller, slower). Either is standard gzip.
STORYARCHIVE_WARC_GZIP_LEVEL = 3
# Payloads already archived in the story collection become revisit records (no body).
STORYARCHIVE_WARC_REVISITS = True
# Payloads smaller than this are always stored in full (empty bodies gain nothing).
STORYARCHIVE_WARC_REVISIT_MIN_BYTES = 1
# Payload-digest index behind the revisits: "" = SQLite in the store's state dir (one
# machine); "redis://host:6379/0" = shared by many workers archiving one story.
STORYARCHIVE_WARC_DIGEST_INDEX = ""

# ---------------------------------------------------------------- dedup
# Collapse repeated blocks (docs/dedup.md). Thresholds were chosen on eval/dedup/pairs.jsonl
# (`python -m eval.dedup`).
STORYARCHIVE_DEDUP_ENABLED = True
# Shared index for many workers (redis://host:port/db); "" = the embedded SQLite index in
# the store's state directory (<store>/.state/<slug>/dedup.sqlite for a local store).
STORYARCHIVE_DEDUP_REDIS_URL = ""
# Blocks with fewer words are never collapsed across documents ("He said." is not syndication).
STORYARCHIVE_DEDUP_MIN_WORDS = 6
# The same block on this many distinct URLs of one site is that site's boilerplate.
STORYARCHIVE_DEDUP_BOILERPLATE_MIN_URLS = 3
# Near-duplicate verification: Jaccard of the word-shingle sets of two blocks (copies of
# similar length).
STORYARCHIVE_DEDUP_JACCARD = 0.6
# Near-duplicate verification: containment of the smaller block in the larger (a paragraph
# cut short or extended).
STORYARCHIVE_DEDUP_CONTAINMENT = 0.8
# MinHash/LSH: words per shingle (changing it requires `storyarchive dedup <slug> --rebuild`).
STORYARCHIVE_DEDUP_SHINGLE_WORDS = 2
# MinHash/LSH: bands (changing it requires `storyarchive dedup <slug> --rebuild`).
STORYARCHIVE_DEDUP_LSH_BANDS = 16
# MinHash/LSH: rows per band (changing it requires `storyarchive dedup <slug> --rebuild`).
STORYARCHIVE_DEDUP_LSH_ROWS = 2
# Wire agencies' sites (host or host:port): their copy is canonical. Publishers whose own
# site_name is a known agency (Reuters, AP, AFP, ...) count as wire too. A story file may add
# more with `[dedup] wire_sites = [...]`.
STORYARCHIVE_DEDUP_WIRE_SITES: list[str] = []

# ---------------------------------------------------------------- redis
# Seconds a Redis command may wait for its answer (every Redis client: the frontier, the
# dedup and digest indexes; a crawl pings each configured URL before its first fetch).
STORYARCHIVE_REDIS_SOCKET_TIMEOUT = 10.0
# Seconds to connect to Redis; short, so an outage is noticed quickly.
STORYARCHIVE_REDIS_CONNECT_TIMEOUT = 5.0
# Retries after a Redis connection error or timeout, with backoff.
STORYARCHIVE_REDIS_RETRIES = 3

# ---------------------------------------------------------------- S3 store
# S3 (s3://bucket/prefix): endpoint, region and credentials come from the standard AWS chain
# (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_PROFILE, AWS_ACCESS_KEY_ID..., instance
# roles), never from settings. Sizes accept plain bytes or 16MiB / 64M / 512k. Each
# STORYARCHIVE_S3_* may also be set in the environment, which beats a settings file.

# Files above this many bytes go up in parts.
STORYARCHIVE_S3_MULTIPART_THRESHOLD = 32 * 1024 * 1024
# Bytes of one part (>= 5 MiB; grown if a file needs more than 10,000 parts).
STORYARCHIVE_S3_PART_SIZE = 16 * 1024 * 1024
# Parts in flight per file (memory: this x the part size).
STORYARCHIVE_S3_MAX_CONCURRENCY = 4
# botocore retry mode: standard | adaptive | legacy.
STORYARCHIVE_S3_RETRY_MODE = "standard"
# Attempts per request, with backoff, before giving up.
STORYARCHIVE_S3_MAX_ATTEMPTS = 5
# Seconds to connect; short, so an outage is noticed quickly.
STORYARCHIVE_S3_CONNECT_TIMEOUT = 5.0
# Seconds to wait for a read.
STORYARCHIVE_S3_READ_TIMEOUT = 60.0
# auto | path | virtual (MinIO and Ceph often want path).
STORYARCHIVE_S3_ADDRESSING_STYLE = "auto"
# Server-side encryption: "" | AES256 | aws:kms.
STORYARCHIVE_S3_SSE = ""
# KMS key id or ARN with aws:kms ("" = the AWS managed key).
STORYARCHIVE_S3_SSE_KMS_KEY_ID = ""
# Storage class, e.g. STANDARD_IA, INTELLIGENT_TIERING ("" = the bucket's default).
STORYARCHIVE_S3_STORAGE_CLASS = ""
# Tag every object story=<slug>.
STORYARCHIVE_S3_TAG_STORY = False
# Object Lock mode: "" | GOVERNANCE | COMPLIANCE (the bucket needs Object Lock).
STORYARCHIVE_S3_OBJECT_LOCK_MODE = ""
# Retention in days when a lock mode is set.
STORYARCHIVE_S3_OBJECT_LOCK_DAYS = 0
# Put a legal hold on every object (the bucket needs Object Lock).
STORYARCHIVE_S3_LEGAL_HOLD = False

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
# STORYARCHIVE_WARC_DIGEST_INDEX unless they are set ("" = one machine).
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

# ---------------------------------------------------------------- progress and metrics
# Progress display: "auto" (live line on a terminal, log lines otherwise), "log", or "off".
STORYARCHIVE_PROGRESS = "auto"
# Seconds between progress log lines (when not on a terminal).
STORYARCHIVE_PROGRESS_INTERVAL = 10.0
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

_PREFIX = "STORYARCHIVE_"


def defaults() -> dict[str, Any]:
    """{setting name: default} for every STORYARCHIVE_* setting of this module (copies:
    a caller may change a list it gets)."""
    module = sys.modules[__name__]
    return {name: copy.deepcopy(getattr(module, name)) for name in vars(module) if name.startswith(_PREFIX)}


def apply_defaults(settings: BaseSettings) -> None:
    """Set every default in `settings` at the add-on priority: a value from a settings file,
    a spider or the command line stays."""
    for name, value in defaults().items():
        settings.set(name, value, priority="addon")


class StoryarchiveDefaults:
    """Scrapy add-on (ADDONS in settings.py) that gives every STORYARCHIVE_* setting its
    default. Before any crawler exists (CrawlerProcess, CrawlerRunner and the storyarchive
    commands through storyarchive.runner.project_settings call
    `update_pre_crawler_settings`) and again for each crawler (`update_settings`: a Crawler
    built directly, as tests do, gets them too)."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        apply_defaults(settings)

    def update_settings(self, settings: BaseSettings) -> None:
        apply_defaults(settings)


# ---------------------------------------------------------------- docs/configuration.md (generator)

def reference() -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """The settings as this file lists them: (section, its lead text, [(setting, default as
    written, description)]). A setting's description is the comment right above it; a
    section's lead text is a comment right under its "# ----" line, ended by a blank line."""
    source = Path(__file__).read_text(encoding="utf-8")
    lines = source.splitlines()
    sections: list[tuple[str, str, list[tuple[str, str, str]]]] = []
    for i, line in enumerate(lines):
        if line.startswith("# ----") and "configuration.md" not in line:
            lead = []
            j = i + 1
            while j < len(lines) and lines[j].startswith("#"):
                lead.append(lines[j].lstrip("# ").rstrip())
                j += 1
            has_lead = j < len(lines) and not lines[j].strip()
            sections.append((line.lstrip("# -").strip(), " ".join(lead) if has_lead else "", []))
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        if not (isinstance(target, ast.Name) and target.id.startswith(_PREFIX)) or node.value is None:
            continue
        value = node.value
        comments: list[str] = []
        i = node.lineno - 2
        while i >= 0 and lines[i].startswith("#") and not lines[i].startswith("# ----"):
            comments.insert(0, lines[i].lstrip("# ").rstrip())
            i -= 1
        section = max((k for k, (title, _, _) in enumerate(sections)
                       if _line_of(lines, title) < node.lineno), default=0)
        sections[section][2].append((target.id, ast.get_source_segment(source, value) or "",
                                     " ".join(comments)))
    return sections


def _line_of(lines: list[str], title: str) -> int:
    return next(n for n, line in enumerate(lines, 1) if line.startswith("# ----") and line.endswith(title))


def reference_markdown() -> str:
    """docs/configuration.md: one table per section, every setting with its default."""
    out = [
        "# Configuration reference",
        "",
        "Every `STORYARCHIVE_*` setting with its default and what it does. Generated from",
        "`storyarchive/defaults.py` by `python -m storyarchive.defaults > docs/configuration.md`;",
        "do not edit by hand. Set any of them with `--set NAME=VALUE` (storyarchive commands),",
        "`-s NAME=VALUE` (`scrapy crawl`) or in a settings file; README \"Configuration\" says",
        "which wins. `STORYARCHIVE_STORE` and `STORYARCHIVE_CONTACT_URL` have no default here:",
        "the environment comes before theirs (README \"Configuration\").",
    ]
    for title, lead, rows in reference():
        out += ["", f"## {title}", ""]
        if lead:
            out += [lead, ""]
        out += ["| setting | default | what it does |", "| --- | --- | --- |"]
        out += [f"| `{name}` | `{default}` | {text.replace('|', '&#124;')} |" for name, default, text in rows]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(reference_markdown())
