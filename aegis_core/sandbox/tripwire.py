"""What the agent left in the project that would run a command outside the sandbox the
next time you use git there: said as soon as it appears (:class:`HazardWatch`, while the
session runs: you may run git in another terminal meanwhile) and again when it ends.

The project is writable, so the sandbox cannot stop the agent from making a nested
repository, setting ``core.fsmonitor`` (or a pager, a filter...) in its config and
registering it in the index as a submodule: your next ``git status`` in the project,
outside, runs ``git status`` in that submodule, and with it the command. The project's
own git config is read-only inside (plan.py); a submodule's cannot be, as the agent
may create one. So at the end of the session each submodule's config is read (never
run: no git command touches a submodule here) and what would run is named.

Preventing it would take more than mounts: a nested repository can be made anywhere
in the writable project, and ``git add`` records it. So it is watched for instead:
the index and the submodules' configs are looked at (a ``stat`` each) every second
from outside the sandbox, and read only when one changed.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

# Config keys whose value git runs as a command (or that pull in another config).
_COMMAND_KEYS = {
    "core.fsmonitor", "core.hookspath", "core.sshcommand", "core.pager", "core.editor", "core.askpass",
    "core.gitproxy", "sequence.editor", "diff.external", "credential.helper", "gpg.program", "gpg.ssh.program",
    "include.path", "uploadpack.packobjectshook",
}
# Subsection keys (``filter.<name>.clean``...) whose value is a command.
_SUBSECTION_KEYS = {
    "filter": {"clean", "smudge", "process"},
    "diff": {"textconv", "command"},
    "merge": {"driver"},
    "includeif": {"path"},
    "credential": {"helper"},
}
GITLINK = "160000"
GITLINK_MODE_BYTES = (0o160000).to_bytes(4, "big")


def nested_git_hazards(project: str | os.PathLike[str]) -> list[str]:
    """Plain words for each submodule of ``project`` whose git config runs a command."""
    root = Path(project)
    index = _index_of(root)
    if index is None or not _may_hold_gitlinks(index):
        return []  # the common case, without starting git
    notes = []
    for path in _gitlinks(root):
        config = _config_of(root, path)
        if config is None:
            continue
        keys = _command_keys(config)
        if keys:
            notes.append(
                f"{path}/ is registered as a git submodule whose config ({config}) sets {', '.join(keys)}: "
                f"the next git status in {root}, outside the sandbox, would run it. If the agent made it, "
                f"remove it (git rm --cached {path}) or fix that config before using git there")
    return notes


def _index_of(root: Path) -> Path | None:
    """The index file of the work tree at ``root`` (a worktree's is in its git folder)."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git / "index"
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    return Path(os.path.normpath(root / text[len("gitdir:"):].strip())) / "index"


def _may_hold_gitlinks(index: Path) -> bool:
    """False only when the index surely records no submodule: its entries' 32-bit mode
    field would hold 0o160000 (00 00 e0 00) somewhere. A match can be a coincidence
    (then git is asked); a miss cannot."""
    try:
        return GITLINK_MODE_BYTES in index.read_bytes()
    except OSError:
        return False


def _gitlinks(root: Path) -> list[str]:
    """Paths the index records as submodules (``git ls-files -s``, which reads the
    index only; fsmonitor off so that not even the user's own runs)."""
    try:
        listed = subprocess.run(["git", "-c", "core.fsmonitor=false", "-C", str(root), "ls-files", "-s", "-z"],
                                capture_output=True, timeout=30, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return []
    paths = []
    for entry in listed.stdout.split(b"\0"):
        meta, _, name = entry.partition(b"\t")
        if meta.startswith(GITLINK.encode()):
            paths.append(name.decode(errors="replace"))
    return paths


def _config_of(root: Path, path: str) -> Path | None:
    """The config git would read in the submodule at ``path``."""
    dot_git = root / path / ".git"
    git_dir: Path | None = None
    if dot_git.is_dir():
        git_dir = dot_git
    elif dot_git.is_file():
        try:
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        if text.startswith("gitdir:"):
            git_dir = Path(os.path.normpath(root / path / text[len("gitdir:"):].strip()))
    if git_dir is None:
        return None
    try:
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
        git_dir = Path(os.path.normpath(git_dir / common))
    except OSError:
        pass
    config = git_dir / "config"
    return config if config.is_file() else None


def _command_keys(config: Path) -> list[str]:
    """The keys in ``config`` whose value git runs ("section.key" or
    "section.<name>.key"); a plain reading of git's config syntax."""
    try:
        lines = config.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found: list[str] = []
    section, subsection = "", ""
    for raw in lines:
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            header = line[1:line.find("]")] if "]" in line else line[1:]
            name, _, rest = header.partition(" ")
            if "." in name and not rest:  # [section.subsection]
                name, _, rest = name.partition(".")
            section, subsection = name.strip().lower(), rest.strip().strip('"')
            line = line[line.find("]") + 1:].strip() if "]" in line else ""
            if not line:
                continue
        key, _, value = line.partition("=")
        key = key.strip().lower()
        if not subsection and f"{section}.{key}" in _COMMAND_KEYS:
            found.append(f"{section}.{key}")
        elif subsection and key in _SUBSECTION_KEYS.get(section, ()):
            found.append(f"{section}.{subsection}.{key}")
        elif section == "alias" and value.strip().strip('"').startswith("!"):
            found.append(f"alias.{key}")
        elif section == "pager" and value.strip().lower() not in ("", "true", "false", "yes", "no", "on", "off"):
            found.append(f"pager.{key}")
    return list(dict.fromkeys(found))


class HazardWatch:
    """Looks for :func:`nested_git_hazards` in ``project`` while a session runs and calls
    ``found`` with each new one (from its own thread), as soon as it appears."""

    def __init__(self, project: str | os.PathLike[str], found: Callable[[list[str]], None], *,
                 interval: float = 1.0) -> None:
        self.root = Path(project)
        self.found = found
        self.interval = interval
        self.said: set[str] = set()
        self._stop = threading.Event()
        self._seen: tuple[object, ...] | None = None
        self._watched: list[Path] = []
        self._thread = threading.Thread(target=self._run, name="aegis-hazard-watch", daemon=True)

    def start(self) -> HazardWatch:
        # What was there before the agent started is said at the end, not as news.
        self.said.update(nested_git_hazards(self.root))
        self._watched = _watched_of(self.root)
        self._seen = self._signature()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def check(self) -> list[str]:
        """Look now; returns (and passes to ``found``) what was not said before."""
        seen = self._signature()
        if seen == self._seen:
            return []
        self._seen = seen
        notes = nested_git_hazards(self.root)
        self._watched = _watched_of(self.root)
        new = [note for note in notes if note not in self.said]
        if new:
            self.said.update(new)
            self.found(new)
        return new

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # noqa: S112  # never take the session down; the end-of-session check remains
                continue

    def _signature(self) -> tuple[object, ...]:
        """Cheap: the identity and times of the index, and of each known submodule's
        ``.git`` (a rewritten ``gitdir:`` line names another config) and config."""
        index = _index_of(self.root)
        return tuple(_stamp(path) for path in ([index] if index else []) + self._watched)


def _stamp(path: Path) -> object:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _watched_of(root: Path) -> list[Path]:
    """What to look at for a change: each submodule's ``.git`` and the config it leads to."""
    index = _index_of(root)
    if index is None or not _may_hold_gitlinks(index):
        return []
    watched: list[Path] = []
    for path in _gitlinks(root):
        watched.append(root / path / ".git")
        config = _config_of(root, path)
        if config is not None:
            watched.append(config)
    return watched
