"""Which folder is the project a wrapped agent works on (writable inside the sandbox),
and where its git folders are."""

from __future__ import annotations

import os
from pathlib import Path

# Never the project: system folders, and /tmp or /var/tmp themselves.
_SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/dev", "/proc", "/sys", "/var", "/run",
           "/opt", "/srv", "/home", "/root", "/tmp", "/var/tmp")  # noqa: S108


def project_root(cwd: Path, home: Path) -> tuple[Path | None, str]:
    """The folder the agent works on: the git work tree around ``cwd``, else ``cwd``;
    never the home itself, one of its parents or ``/`` (then nothing is writable but
    temp, caches and agent state, and the note says so)."""
    cwd, home = Path(os.path.realpath(cwd)), Path(os.path.realpath(home))
    top = _git_top(cwd, home)
    if top is not None and not _too_wide(top, home):
        return top, f"the git work tree around {cwd}"
    if _too_wide(cwd, home):
        what = "your home folder" if cwd == home else f"{cwd}, which holds your home or the system"
        return None, (f"started in {what}: nothing there is writable inside the sandbox; "
                      "run aegis wrap from a project folder")
    return cwd, f"the current folder {cwd}" + (" (its git work tree is your home)" if top else "")


def _git_top(cwd: Path, home: Path) -> Path | None:
    for folder in (cwd, *cwd.parents):
        if (folder / ".git").exists():
            return folder
        if folder == home:  # a repository above the home is not this project's
            return None
    return None


def _too_wide(path: Path, home: Path) -> bool:
    """The home, anything holding it, ``/`` or a system folder: never the project."""
    if path == home or path in home.parents or path == Path("/"):
        return True
    return str(path) in _SYSTEM


def git_dirs(project: Path) -> tuple[Path | None, Path | None]:
    """(git dir, common dir) of the work tree at ``project``, to be writable inside; a
    worktree or submodule keeps them elsewhere (``.git`` is then a file naming them).

    The agent can write ``.git`` in a project that has none (or that it is in), so a
    folder ``.git`` names is trusted only when it is a git folder that names this work
    tree back: a worktree's ``gitdir`` file, a submodule's ``core.worktree``. Anything
    else (``gitdir: /home/me``, a ``.git`` link) gives no writable git folder: git
    reads still work inside, commits do not.
    """
    dot_git = project / ".git"
    if dot_git.is_symlink():
        return None, None
    if dot_git.is_dir():
        return dot_git, dot_git  # a commondir in it is not followed: see plan._protect_project
    if not dot_git.is_file():
        return None, None
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None, None
    if not text.startswith("gitdir:"):
        return None, None
    git_dir = Path(os.path.realpath(project / text[len("gitdir:"):].strip()))
    if not _is_git_folder(git_dir):
        return None, None
    commondir = git_dir / "commondir"
    if not commondir.exists():  # a submodule's (or a separate) git folder
        return (git_dir, git_dir) if _worktree_setting(git_dir) == project else (None, None)
    try:
        common = Path(os.path.realpath(git_dir / commondir.read_text(encoding="utf-8").strip()))
        back = Path(os.path.realpath((git_dir / "gitdir").read_text(encoding="utf-8").strip()))
    except OSError:
        return None, None
    # git worktree's layout: <common>/worktrees/<name>, naming <project>/.git back.
    if git_dir.parent.name != "worktrees" or git_dir.parent.parent != common or not _is_git_folder(common):
        return None, None
    if back != Path(os.path.realpath(dot_git)):
        return None, None
    return git_dir, common


def _is_git_folder(folder: Path) -> bool:
    """A git folder, or a worktree's (which keeps its objects and refs in the common one)."""
    return (folder / "HEAD").is_file() and (
        ((folder / "objects").is_dir() and (folder / "refs").is_dir()) or (folder / "commondir").is_file())


def _worktree_setting(git_dir: Path) -> Path | None:
    """The work tree a git folder's config names (``core.worktree``), resolved."""
    try:
        lines = (git_dir / "config").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    section = ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]").strip().lower()
        elif section == "core" and "=" in stripped:
            key, _, value = stripped.partition("=")
            if key.strip().lower() == "worktree":
                return Path(os.path.realpath(git_dir / value.strip().strip('"')))
    return None
