"""Path normalisation before matching, so ``src/../.env``, ``~/.ssh`` and ``$HOME/.ssh``
and a symlink to a secret all look like what they are; and the path globs rules use."""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import time
from collections.abc import Iterable

MAX_PATH_CHARS = 4096
# Resolved symlinks are remembered for at most this long: a link changed after that is
# seen as it is now (a change within it is the same race as changing it after the check).
REALPATH_CACHE_SECONDS = 1.0


def home_dir() -> str:
    return os.environ.get("HOME") or os.path.expanduser("~")


@functools.lru_cache(maxsize=4096)
def _realpath(path: str, _bucket: int) -> str:
    return os.path.realpath(path)


def resolve(path: str) -> str:
    """``os.path.realpath``, cached for about a second (it costs a syscall per component)."""
    return _realpath(path, int(time.monotonic() / REALPATH_CACHE_SECONDS))


def normalise(path: str, cwd: str | None, home: str | None = None) -> str | None:
    """The absolute, resolved form of ``path`` as seen from ``cwd``.

    ``~``, ``$HOME`` and ``${HOME}`` are expanded, ``..`` resolved and symlinks followed
    where they exist. Returns None when the path cannot be known (relative to an
    unknown directory, or absurdly long).
    """
    if not path or len(path) > MAX_PATH_CHARS or "\x00" in path:
        return None
    home = home or home_dir()
    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    elif path.startswith("$HOME") and (len(path) == 5 or path[5] == "/"):
        path = home + path[5:]
    elif path.startswith("${HOME}"):
        path = home + path[7:]
    if not path.startswith("/"):
        if not cwd:
            return None
        path = os.path.join(cwd, path)
    try:
        return resolve(path)
    except (OSError, ValueError):
        return os.path.normpath(path)


def is_within(path: str, root: str) -> bool:
    """True if ``path`` is ``root`` or below it (both normalised)."""
    if root == "/":
        return True
    return path == root or path.startswith(root.rstrip("/") + "/")


class GlobSet:
    """Path globs with gitignore-like negation: a path matches when it matches a
    positive glob and no ``!`` glob. A glob without ``/`` matches the file name; one
    with ``/`` the whole path (``*`` may cross ``/``, so ``**/`` is any depth); a
    leading ``~/`` is the home directory of the user running Aegis, a leading
    ``$AEGIS_HOME`` Aegis' state directory."""

    def __init__(self, globs: Iterable[str], home: str | None = None) -> None:
        self.globs = tuple(globs)
        home = home or home_dir()
        positive: list[tuple[str, bool]] = []
        negative: list[tuple[str, bool]] = []
        for glob in self.globs:
            target = negative if glob.startswith("!") else positive
            target.append(self._compile(glob.lstrip("!"), home))
        self._positive = self._join(positive)
        self._negative = self._join(negative)

    @staticmethod
    def _compile(glob: str, home: str) -> tuple[str, bool]:
        if glob == "~" or glob.startswith("~/"):
            glob = home + glob[1:]
        elif glob == "$AEGIS_HOME" or glob.startswith("$AEGIS_HOME/"):
            # Aegis' own state directory, wherever the user put it.
            from aegis_core.config import aegis_home

            glob = str(aegis_home()) + glob[len("$AEGIS_HOME"):]
        whole_path = "/" in glob
        if whole_path and not glob.startswith(("/", "*")):
            glob = "*/" + glob
        alternatives = [glob]
        if glob.endswith("/**"):
            # "dir/**" is the directory itself and everything below it.
            alternatives = [glob[:-3], glob[:-3] + "/*"]
        regex = "|".join(fnmatch.translate(a.replace("**/", "*/").replace("**", "*"))
                         for a in alternatives)
        return f"(?:{regex})", whole_path

    @staticmethod
    def _join(patterns: list[tuple[str, bool]]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        names = [p for p, whole in patterns if not whole]
        paths = [p for p, whole in patterns if whole]
        return (re.compile("|".join(names)) if names else None,
                re.compile("|".join(paths)) if paths else None)

    def _hits(self, compiled: tuple[re.Pattern[str] | None, re.Pattern[str] | None], path: str) -> bool:
        names, paths = compiled
        if names is not None and names.match(path.rsplit("/", 1)[-1]):
            return True
        return paths is not None and paths.match(path) is not None

    def matches(self, path: str) -> bool:
        return self._hits(self._positive, path) and not self._hits(self._negative, path)

    def __bool__(self) -> bool:
        return bool(self.globs)
