"""The replay virtual environment: pywb pinned in requirements-replay.lock, kept apart from
the crawler's environment (pywb's pins conflict with it).

Located at $STORYARCHIVE_REPLAY_VENV, else `.venv-replay` in the project directory (the
one holding requirements-replay.lock). Built on first use (`make install-replay` does the
same): `python3 -m venv`, then `pip install -r requirements-replay.lock`; installed again
when the lock file is newer than the environment's stamp (`.installed`), as make does, so a
pin added to the lock (boto3, for pywb's S3 loader) reaches an existing environment.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_FILE = "requirements-replay.lock"
VENV_NAME = ".venv-replay"
STAMP = ".installed"


class ReplayEnvironmentError(Exception):
    """The replay environment is missing and could not be built; the message says why."""


def project_dir() -> Path:
    """The directory holding requirements-replay.lock: the source checkout of this package,
    else the current directory."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / LOCK_FILE).exists() else Path.cwd()


def venv_dir() -> Path:
    env = os.environ.get("STORYARCHIVE_REPLAY_VENV")
    return Path(env) if env else project_dir() / VENV_NAME


def wayback_path(venv: Path | None = None) -> Path:
    return (venv or venv_dir()) / "bin" / "wayback"


def is_ready(venv: Path | None = None) -> bool:
    return wayback_path(venv).exists()


def is_stale(venv: Path) -> bool:
    """Whether `venv` was installed (stamp) from an older lock file than the project's."""
    stamp, lock = venv / STAMP, project_dir() / LOCK_FILE
    return stamp.exists() and lock.exists() and stamp.stat().st_mtime < lock.stat().st_mtime


def ensure_environment(venv: Path | None = None, log=print) -> Path:  # type: ignore[no-untyped-def]
    """The replay venv, built now if it has no `wayback`, installed again if it is stale.
    ReplayEnvironmentError if the build fails (no lock file, no network for pip, ...)."""
    venv = venv or venv_dir()
    if is_ready(venv) and not is_stale(venv):
        return venv
    lock = project_dir() / LOCK_FILE
    if not lock.exists():
        raise ReplayEnvironmentError(
            f"{lock} not found: run from the storyarchive checkout, or point "
            "STORYARCHIVE_REPLAY_VENV at an environment with pywb 2.10 installed"
        )
    log(f"building the replay environment in {venv} (pywb; on first use and when "
        f"{LOCK_FILE} changes)...")
    python = os.environ.get("PYTHON") or sys.executable
    steps = [] if (venv / "bin" / "python").exists() else [[python, "-m", "venv", str(venv)]]
    steps += [
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
         "-r", str(lock)],
    ]
    for cmd in steps:
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise ReplayEnvironmentError(
                f"building the replay environment failed ({' '.join(cmd[:3])} ...): "
                f"{(done.stderr or done.stdout).strip()[-800:]}\n"
                "fix the cause (often: no network for pip) and retry, or run `make install-replay`"
            )
    if not is_ready(venv):
        raise ReplayEnvironmentError(f"{venv} was built but has no bin/wayback; check {lock}")
    (venv / STAMP).touch()
    return venv
