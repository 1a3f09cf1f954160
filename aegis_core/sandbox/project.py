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
    """(git dir, common dir) of the work tree at ``project``; a worktree or submodule
    keeps them elsewhere (``.git`` is then a file naming them)."""
    dot_git = project / ".git"
    if dot_git.is_dir():
        return dot_git, dot_git
    if not dot_git.is_file():
        return None, None
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None, None
    if not text.startswith("gitdir:"):
        return None, None
    git_dir = Path(os.path.realpath(project / text[len("gitdir:"):].strip()))
    common = git_dir
    try:
        common_text = (git_dir / "commondir").read_text(encoding="utf-8").strip()
        common = Path(os.path.realpath(git_dir / common_text))
    except OSError:
        pass
    return git_dir, common
