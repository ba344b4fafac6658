"""Scheduled crawls: which stories are due, from each story's `[schedule] recrawl` cadence
and the finish time of its last crawl in the archive (the crawl manifests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storyarchive.manifests import iter_manifests
from storyarchive.store.base import ArchiveStore
from storyarchive.story import StoryDefinition


@dataclass(frozen=True)
class Due:
    story: StoryDefinition
    last_finished: dt.datetime | None  # None: never crawled
    next_due: dt.datetime

    def is_due(self, now: dt.datetime) -> bool:
        return now >= self.next_due


def last_finished(store: ArchiveStore, slug: str) -> dt.datetime | None:
    """When the story's latest story crawl finished, from its manifests (None if never)."""
    latest: dt.datetime | None = None
    for manifest in iter_manifests(store, slug):
        try:
            if manifest.get("spider") != "story":
                continue  # on-demand captures do not reset the schedule
            finished = dt.datetime.fromisoformat(manifest["finished"].replace("Z", "+00:00"))
        except (KeyError, ValueError, TypeError):
            continue
        if latest is None or finished > latest:
            latest = finished
    return latest


def schedule_of(story: StoryDefinition, last: dt.datetime | None, now: dt.datetime) -> Due:
    """When `story` is next due. ValueError if it has no recrawl cadence."""
    cadence = story.schedule.recrawl
    if cadence is None:
        raise ValueError(f"{story.source_name}: no [schedule] recrawl cadence, so it cannot be scheduled")
    return Due(story, last, now if last is None else last + cadence)
