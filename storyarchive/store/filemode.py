"""The mode of the files the store writes: what `open()` would give (0o666 less the umask),
so that another user (a replay or web server) can read the archive when the umask lets it.
`tempfile.mkstemp`, which every atomic write starts from, always creates 0600: either
create the temporary file with `create_temporary` (the kernel applies the umask, as for
`open()`), or give a mkstemp file its mode with `follow_umask`."""

from __future__ import annotations

import os
from pathlib import Path

# mkstemp's flags: create only, never through a symbolic link, not inherited by children
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
    | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def create_temporary(directory: Path, prefix: str = ".tmp-") -> tuple[int, Path]:
    """A new file in `directory`, open for writing, with a unique random name: (fd, path).
    Created as `mkstemp` does (exclusively, never through a link) but with the mode
    `open()` gives (0o666 less the umask, applied by the kernel), so no umask is read
    and no chmod follows: a crawl's finish writes thousands of documents, and reading
    the umask (/proc/self/status) for each cost more than writing it.
    FileNotFoundError if `directory` does not exist; OSError as os.open raises."""
    for _ in range(100):
        path = directory / f"{prefix}{os.urandom(6).hex()}"
        try:
            return os.open(path, _CREATE_FLAGS, 0o666), path
        except FileExistsError:
            continue  # 48 random bits: another writer's name, try the next
    raise FileExistsError(f"no unused temporary file name in {directory}")


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
