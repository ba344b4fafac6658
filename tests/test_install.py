"""What `make install` builds: the pinned requirements install without warnings."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version


def test_installing_the_extraction_stack_gives_no_missing_extra_warning():
    # jusText asks for lxml[html_clean]; a pip older than the Makefile's PIP_VERSION does not
    # match the normalized extra name and warns on every install. Everything is installed
    # already, so pip resolves offline.
    pins = [f"{name}=={version(name)}" for name in ("justext", "lxml", "lxml_html_clean", "trafilatura")]
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--dry-run", "--disable-pip-version-check",
         *pins],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "does not provide the extra" not in proc.stderr, proc.stderr
