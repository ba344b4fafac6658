"""Scale-out: several worker processes crawl one story through a shared frontier in a real
redis-server, into one store; the result equals a one-process crawl of the same site.

Each test starts `storyarchive worker` processes and a seeding `storyarchive crawl --redis`
as subprocesses, and reads what they did from the demo web's access log, the store (WARC
files, documents, manifest) and the processes' output."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from warcio.archiveiterator import ArchiveIterator

from demoweb import DemoWeb
from storyarchive.distributed.frontier import _POP, _REQUEUE
from storyarchive.distributed.keys import CrawlKeys, CrawlRecord, registry_key, scope_for
from storyarchive.store.identity import store_id
from storyarchive.store.local import LocalStore
from storyarchive.story import load_story
from tests.commands.conftest import GeneratedSite, Reference
from tests.commands.crawlproc import GENERATED_SLUG as SLUG
from tests.commands.crawlproc import (
    Cli,
    Running,
    access_log,
    document_differences,
    documents,
    manifest,
    settings_args,
)
from tests.fixtures.redisserver import RedisProcess

# Short leases and commits, so a dead worker is noticed in seconds; a small delay per
# request, so the crawl lasts long enough for every worker to take part.
SHARED = ("STORYARCHIVE_LEASE_TIMEOUT=3", "STORYARCHIVE_WORKER_COMMIT_INTERVAL=1",
          "DOWNLOAD_DELAY=0.02")


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    """The storyarchive commands of a test; whatever still runs at its end is killed."""
    commands = Cli(tmp_path / "logs")
    try:
        yield commands
    finally:
        commands.kill_all()


def start_workers(cli: Cli, n: int, redis_url: str, store: Path, *extra: str,
                  first: int = 1) -> list[Running]:
    """n `storyarchive worker` processes named worker<first>.., each waiting for crawls
    before this returns."""
    workers = [cli.start("worker", "--redis", redis_url, "--store", str(store),
                         "--exit-when-idle", "8",
                         *settings_args(*SHARED, *extra, f"STORYARCHIVE_WORKER_ID=worker{first + i}"))
               for i in range(n)]
    for w in workers:
        w.wait_until(lambda w=w: "waiting for crawls" in w.err_path.read_text(), "it was ready")
    return workers


def outputs(processes: list[Running]) -> str:
    return "".join(p.out_path.read_text() + p.err_path.read_text() for p in processes)


def warc_files(store: Path, slug: str = SLUG) -> list[Path]:
    return sorted((store / "stories" / slug / "warc").glob("*.warc.gz"))


def warc_worker(path: Path) -> str:
    """The worker id in a WARC file's name (PREFIX-TIMESTAMP-SERIAL-WORKER.warc.gz)."""
    return re.sub(r"^.*?-\d{17}-\d{5}-", "", path.name.removesuffix(".warc.gz"))


def warc_workers(store: Path, slug: str = SLUG) -> Counter[str]:
    """Worker id -> its WARC files."""
    return Counter(warc_worker(p) for p in warc_files(store, slug))


def responses_by_worker(store: Path, slug: str = SLUG) -> Counter[str]:
    """Worker id -> the response records in its WARC files: what each process fetched."""
    fetched: Counter[str] = Counter()
    for path in warc_files(store, slug):
        with path.open("rb") as f:
            fetched[warc_worker(path)] += sum(rec.rec_type == "response" for rec in ArchiveIterator(f))
    return fetched


def assert_warcs_valid(store: Path) -> None:
    files = warc_files(store)
    assert files
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, files)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert not list((store / ".spool").rglob("*.open")), "an open WARC was left in the spool"


def finishers(seeder_out: str, worker_outs: list[str]) -> int:
    """How many processes ran the finish stage, by what each printed: a worker says "this
    worker finished it", a seeder that did not says whose documents they are."""
    ran = sum("this worker finished it" in out for out in worker_outs)
    return ran + int("written by worker" not in seeder_out)


def members(redis_url: str, store: Path, slug: str) -> set[str]:
    """The processes that joined the story's running crawl (none before it is registered)."""
    scope = scope_for(store_id(LocalStore(store)))
    r = redis.Redis.from_url(redis_url)
    try:
        raw = r.hget(registry_key(scope), slug)
        if raw is None:
            return set()
        keys = CrawlKeys(scope, CrawlRecord.from_json(raw).crawl_id)
        return {m.decode() for m in r.smembers(keys.workers)}
    finally:
        r.close()


def crawl_once_all_joined(cli: Cli, web: DemoWeb, story: Path, redis_url: str, store: Path,
                          slug: str, n: int, *settings: str) -> Running:
    """Seed the crawl of `story` while `web` answers nothing, and let it answer once all `n`
    processes (the seeder and the workers already waiting) have joined: however slowly a
    loaded machine starts them, every one is in the crawl before its first page arrives."""
    with web.held():
        seeder = cli.start("crawl", str(story), "--redis", redis_url, "--store", str(store),
                           *settings_args(*settings))
        seeder.wait_until(lambda: len(members(redis_url, store, slug)) == n,
                          f"all {n} processes joined the crawl", poll=0.1)
    return seeder


def fetched_since(web: DemoWeb, before: Counter[str]) -> Counter[str]:
    after = access_log(web)
    after.subtract(before)
    return +after


@pytest.mark.parametrize("n_workers", [2, 3])
def test_workers_crawl_one_story_as_one_process_would(
    n_workers: int, generated_site: GeneratedSite, reference: Callable[..., Reference],
    tmp_path: Path, redis_url: str, cli: Cli
):
    expected = reference().documents
    store = tmp_path / "archive"
    before = access_log(generated_site.web)
    workers = start_workers(cli, n_workers - 1, redis_url, store)  # the seeder is one more
    seeder = crawl_once_all_joined(cli, generated_site.web, generated_site.story, redis_url, store,
                                   SLUG, n_workers, *SHARED).result()
    assert seeder.code == 0, seeder.err[-3000:]
    results = [w.result() for w in workers]
    assert all(r.code == 0 for r in results), outputs(workers)

    assert documents(LocalStore(store), SLUG) == expected  # the same articles, dedup, canonicals
    fetched = fetched_since(generated_site.web, before)
    twice = {url: n for url, n in fetched.items() if n > 1}
    assert not twice, f"fetched more than once: {twice}"
    # The work was shared: an idle worker asks the frontier again within a second, not on
    # Scrapy's 5 s heartbeat (with which the seeder alone fetched 196-199 of 214 pages here)
    share = responses_by_worker(store)
    assert len(share) == n_workers and min(share.values()) >= share.total() / n_workers / 4, share
    assert_warcs_valid(store)
    m = manifest(LocalStore(store), SLUG)  # exactly one manifest: one finish stage
    assert m["status"] == "finished" and len(m["runs"]) == n_workers
    assert finishers(seeder.out, [r.out for r in results]) == 1
    assert f"{len(expected)} documents" in seeder.out


def test_two_workers_crawl_the_demo_story_as_one_process_does(
    fresh_demo_web: DemoWeb, tmp_path: Path, redis_url: str, cli: Cli
):
    """The demo story: six outlets, wire copy, canonical aliases, feeds, sitemaps, search,
    and the lab's broken pages. One process, then two workers, on the same web."""
    story = tmp_path / "demo.toml"
    story.write_text(fresh_demo_web.story_toml(), encoding="utf-8")
    slug = load_story(story).slug
    before = access_log(fresh_demo_web)
    cli.ok("crawl", str(story), "--store", str(tmp_path / "one"), *settings_args())
    alone = fetched_since(fresh_demo_web, before)

    before = access_log(fresh_demo_web)
    store = tmp_path / "shared"
    slower = "DOWNLOAD_DELAY=0.3"  # a few seconds per outlet: both processes have work to share
    (worker,) = start_workers(cli, 1, redis_url, store, slower)
    seeder = crawl_once_all_joined(cli, fresh_demo_web, story, redis_url, store, slug, 2,
                                   *SHARED, slower).result()
    assert seeder.code == 0, seeder.err[-3000:]
    assert worker.result().code == 0, outputs([worker])
    shared = fetched_since(fresh_demo_web, before)

    differences = document_differences(documents(LocalStore(store), slug),
                                       documents(LocalStore(tmp_path / "one"), slug))
    assert not differences, differences
    assert shared == alone  # every URL as often as one process fetches it (retries included)
    assert len(warc_workers(store, slug)) == 2, warc_workers(store, slug)


def test_a_worker_killed_mid_crawl_costs_only_its_uncommitted_requests(
    generated_site: GeneratedSite, reference: Callable[..., Reference], tmp_path: Path, redis_url: str,
    cli: Cli
):
    expected = reference().documents
    store = tmp_path / "archive"
    before = access_log(generated_site.web)
    # The survivor and the seeder fetch slowly, so the victim does most of the work and the
    # crawl is still running when it has handled 20 pages, however loaded the machine is.
    slow = "DOWNLOAD_DELAY=0.25"
    (victim,) = start_workers(cli, 1, redis_url, store, "CONCURRENT_REQUESTS=2")
    (survivor,) = start_workers(cli, 1, redis_url, store, slow, first=2)
    journal = store / ".state" / SLUG / "crawls"
    seeder = cli.start("crawl", str(generated_site.story), "--redis", redis_url, "--store", str(store),
                       *settings_args(*SHARED, slow))

    def victim_fetched() -> int:
        return sum(p.read_bytes().count(b'{"t":"page"')
                   for p in journal.glob("*/workers/worker1/journal.jsonl"))

    victim.wait_until(lambda: victim_fetched() >= 20, "the victim handled 20 pages")
    status = json.loads(cli.ok("status", "--redis", redis_url, "--store", str(store), "--json").out)
    (story,) = status["stories"]
    running = story["running"]
    assert story["slug"] == SLUG and running["seeded"]
    assert {"worker1", "worker2"} <= set(running["workers"]) and len(running["workers"]) == 3
    assert running["frontier"] + running["leased"] > 0 and running["pages"] >= 20
    victim.kill(signal.SIGKILL)
    seen = seeder.result()
    assert seen.code == 0, seen.err[-3000:]
    assert survivor.result().code == 0, outputs([survivor])

    assert documents(LocalStore(store), SLUG) == expected  # every page archived, nothing lost
    fetched = fetched_since(generated_site.web, before)
    twice = {url: n for url, n in fetched.items() if n > 1}
    # what the victim had leased and not committed was fetched again by someone: at most
    # its own concurrency plus the requests handled since its last commit (1 s)
    assert all(n == 2 for n in twice.values()), twice
    assert len(twice) <= 2 + 60, twice
    assert warc_workers(store)["worker1"] >= 2, warc_workers(store)  # committed ones and the open one
    assert_warcs_valid(store)  # its open WARC was recovered, not left in the spool


def test_a_finisher_killed_during_the_finish_is_completed_by_finish_redis(
    generated_site: GeneratedSite, reference: Callable[..., Reference], tmp_path: Path, redis_url: str,
    cli: Cli
):
    slow_finish = "STORYARCHIVE_FINISH_BATCH_DOCUMENTS=1"  # one write per document
    expected = reference(slow_finish).documents
    store = tmp_path / "archive"
    seeder = cli.start("crawl", str(generated_site.story), "--redis", redis_url, "--store", str(store),
                       *settings_args(*SHARED, slow_finish))
    articles = store / "stories" / SLUG / "articles"
    seeder.wait_until(lambda: articles.is_dir() and len(list(articles.iterdir())) >= 10,
                      "10 documents were written")
    seeder.kill(signal.SIGKILL)
    fetched = access_log(generated_site.web)

    status = json.loads(cli.ok("status", "--redis", redis_url, "--store", str(store), "--json").out)
    running = status["stories"][0]["running"]
    assert (running["frontier"], running["leased"]) == (0, 0)  # nothing left to fetch
    deadline = time.monotonic() + 30
    while True:  # the dead finisher's lock expires after the lease timeout
        done = cli.run("finish", SLUG, "--redis", redis_url, "--store", str(store),
                       *settings_args(*SHARED, slow_finish))
        if done.code == 0 or time.monotonic() > deadline:
            break
        assert done.code == 2 and "is running the finish stage" in done.err, done.err[-2000:]
        time.sleep(0.5)
    assert done.code == 0, done.err[-3000:]
    assert access_log(generated_site.web) == fetched, "the finish fetched something"
    assert documents(LocalStore(store), SLUG) == expected
    versions = [p for p in articles.rglob("*.json")]
    assert len(versions) == len(expected), "a document was written twice"
    status = json.loads(cli.ok("status", "--redis", redis_url, "--store", str(store), "--json").out)
    (story,) = status["stories"]
    assert story["running"] is None and story["last"]["status"] == "finished"
    assert story["last"]["documents"] == len(expected) and story["last"]["by"].startswith("finish-")


def test_the_finish_stage_runs_once_when_every_worker_goes_idle_at_once(
    generated_site: GeneratedSite, tmp_path: Path, redis_url: str, cli: Cli
):
    store = tmp_path / "archive"
    workers = start_workers(cli, 3, redis_url, store)
    web = generated_site.web
    url = sorted(u for u in web.expected_canonical_urls() if u.startswith(web.url("tidewater", "/")))[0]
    seeder = cli.ok("capture", url, "--story", "once", "--redis", redis_url, "--store", str(store),
                    *settings_args(*SHARED))
    results = [w.result() for w in workers]
    assert all(r.code == 0 for r in results), outputs(workers)
    assert finishers(seeder.out, [r.out for r in results]) == 1
    manifests = list((store / "stories" / "once" / "crawls").glob("*.json"))
    assert len(manifests) == 1, manifests
    versions = list((store / "stories" / "once" / "articles").rglob("*.json"))
    assert len(versions) <= 1, versions  # one document version, whoever wrote it


def test_redis_restarted_mid_crawl_goes_on_or_fails_loudly_and_resume_completes_it(
    generated_site: GeneratedSite, reference: Callable[..., Reference], tmp_path: Path,
    persistent_redis: RedisProcess, cli: Cli
):
    expected = reference().documents
    store = tmp_path / "archive"
    url = persistent_redis.url
    seeder = cli.start("crawl", str(generated_site.story), "--redis", url, "--store", str(store),
                       *settings_args(*SHARED, "CONCURRENT_REQUESTS=2"))
    state = store / ".state" / SLUG / "crawls"
    seeder.wait_until(lambda: sum(p.read_bytes().count(b'{"t":"page"')
                                  for p in state.glob("*/workers/*/journal.jsonl")) >= 30,
                      "30 pages were handled")
    persistent_redis.stop_cleanly()  # its append-only file is complete
    time.sleep(8)  # down for longer than the clients' retries
    persistent_redis.restart()
    first = seeder.result()
    if first.code != 0:  # it stopped: loudly, saying what to run
        steps = [line for line in first.err.splitlines() if line.startswith("storyarchive: ")]
        assert len(steps) == 1 and f"storyarchive resume {SLUG} --redis" in steps[0], first.err[-3000:]
        assert "redis" in steps[0].lower()
        cli.ok("resume", SLUG, "--redis", url, "--store", str(store), *settings_args(*SHARED))
    assert documents(LocalStore(store), SLUG) == expected  # never a silent gap
    assert_warcs_valid(store)


def test_leases_go_back_to_the_frontier_only_for_dead_workers(redis_url: str):
    r = redis.Redis.from_url(redis_url)
    keys = CrawlKeys("storyarchive:test", "c1")
    for i in range(3):
        r.zadd(keys.frontier, {f"req-{i}".encode(): -i})
    pop = r.register_script(_POP)
    lease, data = pop(keys=[keys.frontier, keys.leases("w1"), keys.lease_seq, keys.workers], args=["w1"])
    assert data == b"req-2" and r.zcard(keys.frontier) == 2  # the highest priority first
    assert r.hget(keys.leases("w1"), lease) == b"-2\nreq-2"  # leased, not deleted
    requeue = r.register_script(_REQUEUE)
    assert requeue(keys=[keys.frontier, keys.leases("w1")]) == 1
    assert r.zscore(keys.frontier, b"req-2") == -2 and not r.exists(keys.leases("w1"))

    from storyarchive.distributed.coordinator import requeue_dead

    r.delete(keys.workers)
    pop(keys=[keys.frontier, keys.leases("alive"), keys.lease_seq, keys.workers], args=["alive"])
    pop(keys=[keys.frontier, keys.leases("dead"), keys.lease_seq, keys.workers], args=["dead"])
    assert r.smembers(keys.workers) == {b"alive", b"dead"}  # a lease holder is a member
    r.set(keys.alive("alive"), "{}", px=10_000)
    assert requeue_dead(r, keys) == 1
    assert r.hlen(keys.leases("alive")) == 1 and r.zcard(keys.frontier) == 2
    assert r.smembers(keys.workers) == {b"alive"}


def test_two_stores_sharing_one_redis_have_their_own_scope(tmp_path: Path):
    a, b = LocalStore(tmp_path / "a"), LocalStore(tmp_path / "b")
    assert scope_for(store_id(a)) != scope_for(store_id(b))
    assert store_id(a) == store_id(LocalStore(tmp_path / "a"))  # held by the store itself
    assert (tmp_path / "a" / "storyarchive-store.json").exists()
