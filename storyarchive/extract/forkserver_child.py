"""Preloaded by the extraction pool's fork server only (never import it elsewhere): the fork
server dies with the crawl process that started it (see storyarchive.extract.parentdeath)."""

from storyarchive.extract.parentdeath import die_with_parent

die_with_parent()
