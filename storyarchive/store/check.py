"""Is the configured store usable? `check_store` probes it step by step for
`storyarchive store check`; `preflight` runs the same probe before a crawl and raises the
first problem, so a misconfigured store stops a crawl before anything is fetched."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from storyarchive.store.base import PROBE_PREFIX, ArchiveStore, StoreError, StoreIntegrityError

STEPS = ("location", "write", "read", "delete")


@dataclass(frozen=True)
class CheckStep:
    name: str  # one of STEPS
    ok: bool
    detail: str  # what was checked, or what is wrong and what to do
    error: StoreError | None = None


def check_store(store: ArchiveStore) -> list[CheckStep]:
    """Probe `store`: its location (endpoint reachable, bucket or directory exists,
    credentials accepted), then write, read back and delete a small probe object under
    PROBE_PREFIX. Stops at the first failing step; the list holds the steps that ran."""
    key = f"{PROBE_PREFIX}{uuid.uuid4().hex}"
    data = b"storyarchive store probe " + os.urandom(16).hex().encode()

    def read_back() -> None:
        got = store.get_bytes(key)
        if got != data:
            raise StoreIntegrityError(
                f"{store.uri}/{key} read back {len(got)} bytes that differ from the "
                f"{len(data)} written; the store corrupts or rewrites objects"
            )

    actions = {
        "location": (store.verify_location, f"{store.uri} is reachable and exists"),
        "write": (lambda: store.put_bytes(key, data, content_type="text/plain"),
                  f"created probe object {key}"),
        "read": (read_back, "read the probe object back, bytes identical"),
        "delete": (lambda: store.delete_probe(key), "deleted the probe object"),
    }
    steps: list[CheckStep] = []
    for name in STEPS:
        action, success = actions[name]
        try:
            action()
        except StoreError as exc:
            steps.append(CheckStep(name, False, str(exc), exc))
            break
        steps.append(CheckStep(name, True, success))
    return steps


def preflight(store: ArchiveStore) -> None:
    """Raise the first problem `check_store` finds (a StoreError subclass with a message
    the user can act on: StoreUnavailableError, StoreNotFoundError, StoreAccessError,
    StoreClockSkewError, StoreEndpointError, ...); return None if the store works."""
    for step in check_store(store):
        if step.error is not None:
            raise step.error
