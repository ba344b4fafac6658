"""The mode of the files the store writes: what `open()` would give (0o666 less the umask),
so that another user (a replay or web server) can read the archive when the umask lets it.
`tempfile.mkstemp`, which every atomic write starts from, always creates 0600."""

from __future__ import annotations

import os


def current_umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux
    /proc/self/status); elsewhere set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(fd: int) -> None:
    """Give the file open at `fd` the mode a plain `open()` would have given it."""
    os.fchmod(fd, 0o666 & ~current_umask())
