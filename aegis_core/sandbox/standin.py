"""Stand-ins: files the agent must not create, made by Aegis for the session
(``aegis_core.sandbox.defaults.STAND_IN_CONTENT`` names them and what they hold).

Some files in a project run code the next time an agent starts there, perhaps outside
any sandbox: a project's ``.mcp.json`` names MCP servers that Claude Code starts. An
existing one is bound read-only inside (plan.py); one that does not exist cannot be
bound, and the project around it is writable. So for the session Aegis puts a
*stand-in* there, holding what means the same as no file (``{"mcpServers": {}}``),
and binds it read-only: the agent can neither write it nor remove it (a mount point),
so it cannot create the real thing.

When the session ends the stand-in is removed again, unless the user changed it or
another session still stands on it. That second case matters: removing a file that
is bound in another sandbox takes the mount away there too (Linux detaches mounts on
a removed file in every namespace), which would let that agent create the file. Each
session therefore holds a shared ``flock`` on the stand-in while it runs, and a stand-in
is removed only under an exclusive one; a stand-in found in place (left by a session
that is still running, or by one that was killed) is claimed the same way.
"""

from __future__ import annotations

import errno
import fcntl
import os
from dataclasses import dataclass, replace
from pathlib import Path

from aegis_core.sandbox.plan import Mount, SandboxPlan


@dataclass
class Held:
    """One stand-in this session holds (its shared lock on ``fd``)."""

    path: Path
    fd: int
    content: bytes

    def release(self) -> bool:
        """Remove the stand-in if nobody else holds it and it is unchanged; True if
        it was removed."""
        try:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # another session still stands on it
            if not _same_file(self.path, self.fd) or os.pread(self.fd, len(self.content) + 1, 0) != self.content:
                return False  # replaced or changed (by the user, outside): theirs now
            self.path.unlink()
            return True
        except OSError:
            return False
        finally:
            os.close(self.fd)


def claim(path: Path, content: str) -> Held | None:
    """Hold the stand-in at ``path``, making it when there is no file: None when it
    cannot be made (the folder is not writable for this user, so not for the agent
    either). Raises OSError when something else is in the way (a link, a folder)."""
    data = content.encode()
    for _ in range(5):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except FileExistsError:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
        except (PermissionError, FileNotFoundError):
            return None
        except OSError as exc:
            if exc.errno == errno.EROFS:  # nothing can create it here
                return None
            raise
        else:
            try:
                os.write(fd, data)
            except OSError:
                os.close(fd)
                raise
        fcntl.flock(fd, fcntl.LOCK_SH)
        if _same_file(path, fd):
            return Held(path, fd, data)
        os.close(fd)  # removed by a session that was ending: make a new one
    raise OSError(f"{path} keeps changing; the session was not started")


def claim_all(plan: SandboxPlan) -> tuple[SandboxPlan, list[Held]]:
    """The plan with each ``stand-in`` mount turned into a read-only bind of the
    stand-in this session now holds (or dropped where none can be made)."""
    held: list[Held] = []
    mounts: list[Mount] = []
    try:
        for mount in plan.mounts:
            if mount.kind != "stand-in":
                mounts.append(mount)
                continue
            got = claim(Path(mount.dest), mount.content or "")
            if got is not None:
                held.append(got)
                mounts.append(replace(mount, kind="ro", source=mount.dest))
    except BaseException:
        for item in held:
            item.release()
        raise
    return replace(plan, mounts=tuple(mounts)), held


def _same_file(path: Path, fd: int) -> bool:
    try:
        on_disk, opened = os.lstat(path), os.fstat(fd)
    except OSError:
        return False
    return (on_disk.st_dev, on_disk.st_ino) == (opened.st_dev, opened.st_ino)
