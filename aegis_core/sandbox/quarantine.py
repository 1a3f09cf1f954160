"""What the agent left in the project for git to run later, taken out of git's way at
the end of the session, kept where the human can read it and put back with one command.

The project is writable, so the agent can make a repository anywhere in it
(``git init sub``, a bare-looking folder, a ``.git`` file pointing elsewhere) and give it
a config that runs a command (``core.fsmonitor``, ``core.hooksPath``, a filter driver,
an ``!`` alias...) or hooks. Nothing of it runs inside the sandbox that matters; it
runs when the human later types ``git status`` in that folder, outside, with the
user's full authority. Keeping ``.git`` folders from being made at all would break
routine work (``git init`` of a scratch repository, tests that make repositories), so
instead, once the sandbox is gone (nothing inside can race it), each repository in
the project is looked at:

* its config keeps only settings on an allow-list of inert ones (what ``git init`` and
  ``git clone`` write: format, file modes, remotes' URLs and refspecs, branches'
  upstreams, the user's name...); anything else, read with git's own parser (never by
  running git in that repository), makes the whole file move to the quarantine and a
  config holding only the inert settings take its place. An allow-list, not a list of
  dangerous keys: git grows command-running settings faster than any list of them;
* its hooks (every file in ``hooks/`` but git's ``*.sample``; the folder itself when it
  is a link) move to the quarantine.

Only files the sandbox could write are touched (the plan says which): the project's
own git folder is read-only inside and stays as it is. The quarantine is
``$AEGIS_HOME/quarantine/<session>/``, out of the agent's reach; ``aegis sandbox
restore <session>`` puts each file back, and remembers it (path and content) as the
human's own, so that the same file is left alone at later sessions' ends.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUARANTINE = "quarantine"
TRUSTED = "trusted.json"
ITEMS = "items.json"

# Settings git only stores (never runs, never turns into a command, never points git
# at another file to read): what `git init`, `git clone`, `git worktree add`,
# `git submodule add`, `git remote add`, `git branch -u` and `git config user.*` write.
_INERT = {
    "core.repositoryformatversion", "core.filemode", "core.bare", "core.logallrefupdates",
    "core.ignorecase", "core.precomposeunicode", "core.symlinks", "core.autocrlf", "core.eol",
    "core.safecrlf", "core.quotepath", "core.sharedrepository", "core.abbrev", "core.compression",
    "core.loosecompression", "core.bigfilethreshold", "core.checkstat", "core.trustctime",
    "core.splitindex", "core.untrackedcache", "core.commitgraph", "core.multipackindex",
    "extensions.objectformat", "extensions.refstorage", "extensions.worktreeconfig",
    "extensions.preciousobjects", "extensions.partialclone",
    "init.defaultbranch", "user.name", "user.email", "author.name", "author.email",
    "committer.name", "committer.email", "pull.rebase", "pull.ff", "push.default",
    "push.autosetupremote", "fetch.prune", "rebase.autostash", "color.ui", "gc.auto",
    "index.version", "feature.manyfiles", "status.showuntrackedfiles", "diff.renames",
    "merge.ff", "branch.autosetupmerge", "branch.autosetuprebase", "advice.detachedhead",
    "commit.verbose", "log.date", "clone.defaultremotename",
}
_INERT_PER_NAME = {
    "remote": {"url", "pushurl", "fetch", "push", "tagopt", "prune", "mirror", "skipdefaultupdate",
               "promisor", "partialclonefilter"},
    "branch": {"remote", "merge", "rebase", "pushremote", "description"},
    "submodule": {"url", "active", "path", "branch", "shallow", "ignore", "fetchrecursesubmodules"},
}
# A URL naming its transport (``ext::sh -c ...``, ``fd::``, ``<helper>::``: git runs
# that command, or a git-remote-<helper> found on PATH).
_COMMAND_URL = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9+.-]*::")
_GIT_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C", "HOME": "/nonexistent"}


@dataclass(frozen=True)
class Item:
    """One file taken out of git's way: where it was, its copy in the quarantine, and
    what now stands in its place (a config of inert settings; for a hook, nothing)."""

    path: str
    stored: str
    kind: str  # "config" or "hook"
    why: str
    digest: str  # of the original
    written: str | None = None  # digest of the config written in its place

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "stored": self.stored, "kind": self.kind, "why": self.why,
                "digest": self.digest, "written": self.written}


def quarantine_repositories(project: str | os.PathLike[str], aegis_home: str | os.PathLike[str], session: str,
                            writable: Callable[[str], bool]) -> list[Item]:
    """Take what would run out of each repository in ``project`` whose files the
    sandbox could write; returns what was moved (nothing, the usual case)."""
    box = Path(aegis_home) / QUARANTINE / session
    trusted = _Trusted(Path(aegis_home))
    moved: list[Item] = []
    for git_dir in sorted(set(repositories(Path(os.path.realpath(project)), writable))):
        for found in _neutralise(git_dir, box, len(moved), writable, trusted):
            moved.append(found)
    if moved:
        import json
        import time

        (box / ITEMS).write_text(json.dumps({"session": session, "at": time.time(),
                                             "items": [item.to_dict() for item in moved]}, indent=1))
    return moved


def describe(items: list[Item], session: str) -> list[str]:
    """Plain words for the terminal and the audit log."""
    if not items:
        return []
    lines = [f"{item.path}: {item.why}; moved to the quarantine" for item in items[:15]]
    if len(items) > 15:
        lines.append(f"... and {len(items) - 15} more")
    lines.append(f"git in those folders, outside the sandbox, would have run them. Read them in "
                 f"$AEGIS_HOME/{QUARANTINE}/{session}/; if they are yours, put them back: "
                 f"aegis sandbox restore {session}")
    return lines


# -- finding repositories ------------------------------------------------------------


def repositories(project: Path, writable: Callable[[str], bool] | None = None) -> Iterator[Path]:
    """Every git folder git could find from a folder of ``project``: ``.git`` folders,
    what ``.git`` files and links point at, folders that look like a bare repository,
    and the git folders inside those (``modules/``, ``worktrees/``). A link to a folder
    outside the project is followed when the sandbox could write there (``writable``):
    ``cd tools`` through ``tools -> ~/.cache/x`` runs git in ``~/.cache/x``."""
    stack = [project]
    seen = {str(project)}
    while stack:
        folder = stack.pop()
        try:
            entries = {entry.name: entry for entry in os.scandir(folder)}
        except OSError:
            continue
        if _looks_like_git_dir(entries):
            yield from _with_inner(folder)
            continue
        dot_git = entries.get(".git")
        if dot_git is not None:
            target = _git_dir_of(folder, dot_git)
            if target is not None:
                yield from _with_inner(target)
        for name, entry in entries.items():
            if name == ".git":
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif writable is not None and entry.is_symlink() and entry.is_dir():
                    real = os.path.realpath(entry.path)
                    inside = real == str(project) or real.startswith(str(project).rstrip("/") + "/")
                    if not inside and real not in seen and writable(real):
                        seen.add(real)
                        stack.append(Path(real))
            except OSError:
                continue


def _looks_like_git_dir(entries: dict[str, os.DirEntry[str]]) -> bool:
    """git's own test, loosely (a false match costs only a look at a config)."""
    return "HEAD" in entries and ("commondir" in entries or ("objects" in entries and "refs" in entries))


def _git_dir_of(folder: Path, dot_git: os.DirEntry[str]) -> Path | None:
    try:
        if dot_git.is_dir():  # a folder, or a link to one
            return Path(os.path.realpath(dot_git.path))
    except OSError:
        return None
    text = _small_text(dot_git.path)
    if text is None or not text.startswith("gitdir:"):
        return None
    target = Path(os.path.realpath(folder / text[len("gitdir:"):].strip()))
    return target if target.is_dir() else None


def _with_inner(git_dir: Path) -> Iterator[Path]:
    yield git_dir
    common = _small_text(git_dir / "commondir")
    if common:
        yield Path(os.path.realpath(git_dir / common))
    for inner in ("modules", "worktrees"):
        top = git_dir / inner
        if top.is_dir() and not top.is_symlink():
            for root, folders, files in os.walk(top):
                if "HEAD" in files or "config" in files:
                    yield Path(root)
                folders[:] = [name for name in folders if name not in ("objects", "refs", "logs")]


def _small_text(path: str | Path) -> str | None:
    """A pointer file's text (``.git``, ``commondir``), as git reads it (through a
    link), but only a regular file's first 4 KiB: a FIFO or ``-> /dev/zero`` planted
    there must not hold the session's end forever."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, 4096).decode("utf-8", errors="replace").strip()
    except OSError:
        return None
    finally:
        os.close(fd)


# -- taking out what runs ------------------------------------------------------------


class _Trusted:
    """What the human put back (path -> digest), read only when something is found."""

    def __init__(self, aegis_home: Path) -> None:
        self.aegis_home = aegis_home
        self._known: dict[str, str] | None = None

    def get(self, path: str) -> str | None:
        if self._known is None:
            self._known = _trusted(self.aegis_home)
        return self._known.get(path)


def _neutralise(git_dir: Path, box: Path, counter: int, writable: Callable[[str], bool],
                trusted: _Trusted) -> Iterator[Item]:
    """Every step through descriptors of folders reached with no link on the way: a
    program of another session still running in the project may swap a folder for a
    link while this runs; what is moved or written stays where it was looked at."""
    try:
        folder = _open_dir(git_dir)
    except OSError:
        return  # gone, or a link on the way (then it is not where git would look from here)
    try:
        for name in ("config", "config.worktree"):
            item = _neutralise_config(folder, git_dir / name, box, counter, writable, trusted)
            if item is not None:
                counter += 1
                yield item
        kind = _kind_at(folder, "hooks")
        if kind == "link":
            if writable(str(git_dir)) and trusted.get(str(git_dir / "hooks")) != _digest_at(folder, "hooks"):
                yield _store(folder, git_dir / "hooks", box, counter, "hook", "a link in place of the hooks folder")
        elif kind == "dir" and writable(str(git_dir / "hooks")):
            hooks = os.open("hooks", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
            try:
                for name in sorted(os.listdir(hooks)):
                    path = git_dir / "hooks" / name
                    if name.endswith(".sample") or trusted.get(str(path)) == _digest_at(hooks, name):
                        continue
                    yield _store(hooks, path, box, counter, "hook", f"a git hook ({name})")
                    counter += 1
            finally:
                os.close(hooks)
    finally:
        os.close(folder)


def _neutralise_config(folder: int, path: Path, box: Path, counter: int, writable: Callable[[str], bool],
                       trusted: _Trusted) -> Item | None:
    kind = _kind_at(folder, path.name)
    if kind not in ("file", "link", "other"):
        return None
    # The file itself (a read-only bind over it cannot be written, moved or removed);
    # a link, also where it lies (the agent could have made it there).
    if not (writable(str(path)) or (kind == "link" and writable(str(path.parent)))):
        return None
    data = _read_at(folder, path.name) if kind == "file" else None
    digest = _digest_at(folder, path.name)
    if trusted.get(str(path)) == digest:
        return None
    entries = None if data is None else read_config_bytes(data)
    if entries is None:
        kept: list[tuple[str, str | None]] = []
        why = "a git config git could not read as a plain file"
    else:
        kept = [(key, value) for key, value in entries if _inert(key, value)]
        dropped = list(dict.fromkeys(key for key, value in entries if not _inert(key, value)))
        if not dropped:
            return None
        shown = ", ".join(dropped[:6]) + (", ..." if len(dropped) > 6 else "")
        why = f"a git config setting {shown}"
    owner = os.stat(path.name, dir_fd=folder, follow_symlinks=False)
    item = _store(folder, path, box, counter, "config", why)
    text = render_config(kept)
    if read_config_bytes(text.encode("utf-8", "surrogateescape")) != kept:
        text = ""  # what git reads back must be exactly the inert part
    _create_at(folder, path.name, text.encode("utf-8", "surrogateescape"), owner)
    return Item(item.path, item.stored, item.kind, item.why, item.digest, _digest_at(folder, path.name))


def _inert(key: str, value: str | None) -> bool:
    section, _, rest = key.partition(".")
    if "." in rest:
        name, _, variable = rest.rpartition(".")
        allowed = variable in _INERT_PER_NAME.get(section, ())
        if allowed and variable in ("url", "pushurl") and value is not None and _COMMAND_URL.match(value):
            return False
        return allowed and "\n" not in name
    return key in _INERT


def _store(folder: int, path: Path, box: Path, counter: int, kind: str, why: str) -> Item:
    """Move ``path`` (the entry ``path.name`` of ``folder``; a link moves as a link)
    into the quarantine."""
    box.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored = f"{counter:03d}-{path.parent.name}-{path.name}"
    digest = _digest_at(folder, path.name)
    into = _open_dir(Path(os.path.realpath(box)))
    try:
        os.rename(path.name, stored, src_dir_fd=folder, dst_dir_fd=into)
    finally:
        os.close(into)
    return Item(str(path), stored, kind, why, digest)


# -- files through folder descriptors --------------------------------------------------

_MAX_READ = 16 << 20


def _open_dir(path: Path) -> int:
    """A descriptor of the folder at the absolute ``path``, each step opened without
    following a link (an error when one is on the way)."""
    flags = os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open("/", flags)
    try:
        for part in path.parts[1:]:
            step = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = step
    except BaseException:
        os.close(fd)
        raise
    return fd


def _kind_at(folder: int, name: str) -> str | None:
    import stat

    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return "link"
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    return "file" if stat.S_ISREG(info.st_mode) else "other"


def _read_at(folder: int, name: str) -> bytes | None:
    """A regular file's bytes (None: not one, or too large to be a config)."""
    import stat

    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_READ:
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(_MAX_READ + 1)
    finally:
        os.close(fd)


def _digest_at(folder: int, name: str) -> str:
    """What an entry holds: a file's bytes; a link, where it points (and what is there)."""
    import hashlib
    import stat

    hasher = hashlib.sha256()
    if _kind_at(folder, name) == "link":
        try:
            hasher.update(b"link:" + os.fsencode(os.readlink(name, dir_fd=folder)) + b"\0")
        except OSError:
            return ""
        try:
            with open(os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder), "rb") as handle:
                if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # never a device or a FIFO
                    hasher.update(handle.read(_MAX_READ))
        except OSError:
            pass  # a dangling link, or a folder: where it points is what it holds
        return hasher.hexdigest()
    data = _read_at(folder, name)
    if data is None:
        return ""
    hasher.update(data)
    return hasher.hexdigest()


def _create_at(folder: int, name: str, data: bytes, like: os.stat_result) -> None:
    """A new file (never through a link, never over one that appeared meanwhile),
    owned as the one it replaces."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=folder)
    try:
        os.write(fd, data)
        if os.geteuid() == 0 and like.st_uid != 0:
            os.fchown(fd, like.st_uid, like.st_gid)
    finally:
        os.close(fd)


# -- git's config format, read and written by git's rules -------------------------------


def read_config(path: Path) -> list[tuple[str, str | None]] | None:
    """The entries of one config file as git reads them; None when git cannot."""
    try:
        return read_config_bytes(path.read_bytes())
    except OSError:
        return None


def read_config_bytes(data: bytes) -> list[tuple[str, str | None]] | None:
    """The entries of a config file's bytes as git reads them (``git config --file -``:
    includes not followed, nothing run, from /, with no other config); None when git
    cannot."""
    try:
        done = subprocess.run(["git", "config", "--file", "-", "--no-includes", "--null", "--list"], input=data,
                              capture_output=True, timeout=10, cwd="/", env=_GIT_ENV)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    entries: list[tuple[str, str | None]] = []
    for record in done.stdout.split(b"\0"):
        if not record:
            continue
        key, newline, value = record.decode("utf-8", errors="surrogateescape").partition("\n")
        entries.append((key, value if newline else None))
    return entries


def read_config_text(text: str) -> list[tuple[str, str | None]] | None:
    return read_config_bytes(text.encode("utf-8", "surrogateescape"))


def render_config(entries: list[tuple[str, str | None]]) -> str:
    """A config file holding ``entries`` (section.[name.]variable, value), grouped by
    section as git writes them."""
    lines: list[str] = []
    current = None
    for key, value in entries:
        section, _, rest = key.partition(".")
        name, _, variable = rest.rpartition(".")
        header = f'[{section} "{_escape(name)}"]' if name else f"[{section}]"
        if header != current:
            lines.append(header)
            current = header
        lines.append(f"\t{variable}" if value is None else f'\t{variable} = "{_escape(value)}"')
    return "\n".join(lines) + "\n" if lines else ""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


# -- putting back ------------------------------------------------------------------


def _trusted(aegis_home: Path) -> dict[str, str]:
    import json

    try:
        loaded = json.loads((aegis_home / QUARANTINE / TRUSTED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def sessions(aegis_home: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """What each session's quarantine holds (newest first)."""
    import json

    top = Path(aegis_home) / QUARANTINE
    found = []
    for items in top.glob(f"*/{ITEMS}"):
        try:
            found.append(json.loads(items.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda record: -float(record.get("at", 0)))


def restore(aegis_home: str | os.PathLike[str], session: str) -> list[tuple[str, str | None]]:
    """Put each file of ``session``'s quarantine back; a file is left in the quarantine
    (with the reason) when its place holds something other than what Aegis left there,
    or a link is now on the way to it. Each restored file is remembered as the human's
    own (path and content)."""
    import json
    import shutil

    home = Path(aegis_home)
    box = Path(os.path.realpath(home / QUARANTINE / session))
    record = json.loads((box / ITEMS).read_text(encoding="utf-8"))
    trusted = _trusted(home)
    outcome: list[tuple[str, str | None]] = []
    remaining = []
    held = _open_dir(box)
    try:
        for raw in record.get("items", []):
            path, stored = Path(str(raw["path"])), str(raw["stored"])
            if _kind_at(held, stored) is None:
                outcome.append((str(path), "no longer in the quarantine"))
                continue
            why = _put_back(held, stored, path, raw, trusted)
            if why is not None:
                remaining.append(raw)
            outcome.append((str(path), why))
    finally:
        os.close(held)
    (home / QUARANTINE / TRUSTED).write_text(json.dumps(trusted, indent=1, sort_keys=True))
    if remaining:
        (box / ITEMS).write_text(json.dumps({**record, "items": remaining}, indent=1))
    else:
        shutil.rmtree(box, ignore_errors=True)
    return outcome


def _put_back(held: int, stored: str, path: Path, raw: dict[str, Any], trusted: dict[str, str]) -> str | None:
    """Move one file back; None when done, else why it stays in the quarantine."""
    try:
        folder = _open_dir(path.parent)
    except OSError as exc:
        return f"its folder is gone or a link is on the way to it now ({exc.strerror}); left in the quarantine"
    try:
        here = _kind_at(folder, path.name)
        if raw.get("kind") == "config" and here is not None:
            if here != "file" or _digest_at(folder, path.name) != raw.get("written"):
                return "changed since Aegis wrote it; left in the quarantine"
            os.unlink(path.name, dir_fd=folder)
        elif here is not None:
            return "something is there again; left in the quarantine"
        os.rename(stored, path.name, src_dir_fd=held, dst_dir_fd=folder)
        trusted[str(path)] = _digest_at(folder, path.name)
        return None
    finally:
        os.close(folder)
