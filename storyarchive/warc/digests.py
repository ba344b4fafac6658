"""The one digest algorithm of the archive: SHA-1, base32, as `sha1:<BASE32>`.

It is warcio's and pywb's default, so CDXJ `digest` fields and revisit lookups agree with
the tools that replay the archive.
"""

from __future__ import annotations

import base64
import hashlib

ALGORITHM = "sha1"


class Digester:
    """Incremental digest; `update(bytes)` then `value()` -> 'sha1:BASE32'."""

    def __init__(self) -> None:
        self._h = hashlib.sha1()

    def update(self, data: bytes | memoryview) -> None:
        self._h.update(data)

    def value(self) -> str:
        return f"{ALGORITHM}:{base64.b32encode(self._h.digest()).decode('ascii')}"


def digest(data: bytes | memoryview) -> str:
    """'sha1:BASE32' of `data`."""
    d = Digester()
    d.update(data)
    return d.value()
