"""Reading a file the agent names, as the policy does to judge what a script, a SQL
file or an edited file holds: bounded, regular files only, and never waiting. The
daemon reads these paths outside the sandbox, so a path swapped for a FIFO or a device
between a check and the read must not hang it: the file is opened without waiting and
checked through the open descriptor."""

from __future__ import annotations

import os
import stat


def regular_file_head(path: str, limit: int) -> bytes | None:
    """The whole of ``path``; None unless it is a regular file no larger than
    ``limit`` that can be opened."""
    return _read(path, limit, whole=True)


def file_text(path: str, limit: int) -> str:
    """The first ``limit`` bytes of the regular file ``path`` as text ("" when it is not
    a readable regular file)."""
    data = _read(path, limit, whole=False)
    return data.decode("utf-8", errors="replace") if data else ""


def _read(path: str, limit: int, *, whole: bool) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (whole and info.st_size > limit):
            return None
        return os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)
