"""Item pipelines, in flow order: extract -> relevance -> dedup -> store (see settings.py)."""
