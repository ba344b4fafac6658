"""Replay: see any captured page as it was (pywb over the archive), and re-run extraction
over stored WARCs without fetching anything (docs/replay.md).

    urls        replay_url(): a document's link into the replay server
    indexes     the story collections' merged, sorted CDXJ for pywb
    environment the replay virtual environment (.venv-replay, pywb pinned)
    pywb        pywb's config over the archive (a directory or s3://) and the `wayback` process
    records     one WARC record by ranged read; revisits resolved to the original payload
    reextract   extraction + dedup again over a story's WARCs, new document versions
"""

from storyarchive.replay.urls import DEFAULT_REPLAY_BASE_URL, replay_url, timestamp14

__all__ = ["DEFAULT_REPLAY_BASE_URL", "replay_url", "timestamp14"]
