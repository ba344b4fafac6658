"""Replay sees new captures without a restart.

pywb opens a collection's index file for every lookup, so a merged index replaced
atomically (storyarchive.replay.indexes.write_merged_index) is what the next request reads.
`IndexRefresher.refresh()` lists each replayed story's per-file CDXJ indexes in the store
and merges them again when a new one has arrived: a capture or crawl is replayable a few
seconds after its WARC file is closed and delivered (at its end, or at a rotation), from a
local store or S3 alike.

Why not pywb's own `autoindex`: it watches `collections/<coll>/archive/` directories and
indexes every WARC there itself (all of them, at each start), and cannot see an S3 store;
the recorder already writes each closed WARC's CDXJ to the store, WARC first, so a new
index key means its WARC is readable.

A story that gets its first captures while `storyarchive replay` serves every story is not
in pywb's configuration (read once, at start): it is reported once, with what to do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from storyarchive.replay.indexes import build_story_index, index_keys, story_slugs
from storyarchive.store.base import ArchiveStore, StoreError

logger = logging.getLogger(__name__)


class IndexRefresher:
    """Keeps the merged index of each replayed story current with the store.

    slugs: the stories pywb serves; watch_new_stories: also report stories that get their
    first captures meanwhile (replay of every story). `log` receives one line per change.
    """

    def __init__(self, store: ArchiveStore, slugs: list[str], work_dir: Path, *,
                 watch_new_stories: bool = False, log: Callable[[str], None] = logger.info) -> None:
        self.store, self.work_dir, self.log = store, work_dir, log
        self.watch_new_stories = watch_new_stories
        self.known = {slug: frozenset(index_keys(store, slug)) for slug in slugs}
        self.reported: set[str] = set()
        self.failing = False

    def refresh(self) -> list[tuple[str, int]]:
        """Merge again the index of every story whose per-file indexes changed. Returns
        (slug, captures) of each story updated. A store that does not answer is logged once
        (until it answers again) and costs nothing else: the last index stays served."""
        updated = []
        try:
            for slug, known in self.known.items():
                keys = frozenset(index_keys(self.store, slug))
                if keys == known:
                    continue
                _, captures = build_story_index(self.store, slug, self.work_dir)
                self.known[slug] = keys
                updated.append((slug, captures))
                self.log(f"  {slug}: {len(keys - known)} new index file(s), {captures} captures")
            if self.watch_new_stories:
                for slug in sorted(set(story_slugs(self.store)) - set(self.known) - self.reported):
                    self.reported.add(slug)
                    self.log(f"  new story {slug!r} has captures: restart `storyarchive replay` "
                             f"to browse it (or `storyarchive replay --story {slug} --port N`)")
        except (StoreError, OSError) as exc:
            if not self.failing:
                self.log(f"  could not look for new captures ({exc}); trying again")
            self.failing = True
            return updated
        if self.failing:
            self.log("  the store answers again")
        self.failing = False
        return updated

    def run_while(self, running: Callable[[], bool], interval: float) -> None:
        """Refresh every `interval` seconds while `running()` (interval <= 0: only wait)."""
        while running():
            time.sleep(interval if interval > 0 else 1.0)
            if interval > 0 and running():
                self.refresh()
