"""Stand-ins: files the agent must not create, made by Aegis for the session
(``aegis_core.sandbox.defaults.STAND_IN_CONTENT`` names them and what they hold).

Some files in a project run code the next time an agent starts there, perhaps outside
any sandbox: a project's ``.mcp.json`` names MCP servers that Claude Code starts. An
existing one is bound read-only inside (plan.py); one that does not exist cannot be
bound, and the project around it is writable. So for the session Aegis puts a
*stand-in* there, holding what means the same as no file (``{"mcpServers": {}}``),
and binds it read-only: the agent can neither write it nor remove it (a mount point),
so it cannot create the real thing. A protected *folder* that does not exist (an
editor's ``.vscode/``, ``.idea/``, the agents' ``.claude/``, git's ``hooks/``) gets an
empty one, bound read-only: it is the mount point the agent cannot remove, so nothing
can be created in it.

When the session ends the stand-in is removed again, unless the user changed it or
another session still stands on it. That second case matters: removing a file that
is bound in another sandbox takes the mount away there too (Linux detaches mounts on
a removed file in every namespace), which would let that agent create the file. Each
session therefore holds a shared ``flock`` on the stand-in while it runs, and a stand-in
is removed only under an exclusive one; a stand-in found in place (left by a session
that is still running, or by one that was killed) is claimed the same way.

A folder is removed only while still empty, and only one Aegis made: each folder a
session creates is noted in Aegis' own state (``marks``, by device and inode, out of
the agent's reach) until it is removed, so the last session standing on it removes it
whichever session made it, and an empty folder of the user's own stays.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from dataclasses import dataclass, replace
from pathlib import Path

from aegis_core.sandbox.plan import Mount, SandboxPlan


@dataclass
class Held:
    """One stand-in this session holds (its shared lock on ``fd``); ``content`` None:
    a folder, removed only when ``mark`` (or, with no marks, this session) made it."""

    path: Path
    fd: int
    content: bytes | None
    mark: Path | None = None
    made: bool = False

    def release(self) -> bool:
        """Remove the stand-in if nobody else holds it and it is unchanged; True if
        it was removed."""
        try:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return False  # another session still stands on it
            if not _same_file(self.path, self.fd):
                return False  # replaced (by the user, outside): theirs now
            if self.content is None:
                return self._remove_folder()
            if os.pread(self.fd, len(self.content) + 1, 0) != self.content:
                return False  # changed (by the user, outside): theirs now
            self.path.unlink()
            return True
        except OSError:
            return False
        finally:
            os.close(self.fd)

    def _remove_folder(self) -> bool:
        ours = os.path.lexists(self.mark) if self.mark is not None else self.made
        if not ours:
            return False  # the user's own empty folder
        try:
            self.path.rmdir()  # only while empty: what the user put there since stays
            return True
        except OSError:
            return False
        finally:
            if self.mark is not None:
                with contextlib.suppress(OSError):
                    self.mark.unlink()


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


def claim_folder(path: Path, marks: Path | None = None) -> Held | None:
    """Hold the empty folder at ``path``, making it when there is none (noted in
    ``marks``): None when it cannot be made (its parent is not writable for this user,
    so not for the agent either). Raises OSError when something else is in the way (a
    link, a file)."""
    for _ in range(5):
        made = False
        try:
            os.mkdir(path, 0o755)
            made = True
        except FileExistsError:
            pass
        except (PermissionError, FileNotFoundError):
            return None
        except OSError as exc:
            if exc.errno == errno.EROFS:
                return None
            raise
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        fcntl.flock(fd, fcntl.LOCK_SH)
        if not _same_file(path, fd):
            os.close(fd)  # removed by a session that was ending: make a new one
            continue
        mark = None
        if marks is not None:
            info = os.fstat(fd)
            mark = marks / f"{info.st_dev}-{info.st_ino}"
            if made:
                try:
                    marks.mkdir(mode=0o700, parents=True, exist_ok=True)
                    mark.touch()
                except OSError:
                    mark = None  # not noted: only this session removes it
        return Held(path, fd, None, mark=mark, made=made)
    raise OSError(f"{path} keeps changing; the session was not started")


def claim_all(plan: SandboxPlan, marks: Path | None = None) -> tuple[SandboxPlan, list[Held]]:
    """The plan with each ``stand-in`` mount turned into a read-only bind of the
    stand-in this session now holds (or dropped where none can be made).

    :param marks: a folder of Aegis' own state noting the folders it made."""
    held: list[Held] = []
    mounts: list[Mount] = []
    try:
        for mount in plan.mounts:
            if mount.kind != "stand-in":
                mounts.append(mount)
                continue
            if mount.content is None:
                folder = claim_folder(Path(mount.dest), marks)
                if folder is not None:
                    held.append(folder)
                    mounts.append(replace(mount, kind="ro", source=mount.dest))
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
