"""Shell glob expansion against the real filesystem, with a bound on the work done.

``bounded_glob`` returns what ``glob.glob(pattern, root_dir=cwd, include_hidden=False)``
returns, but it gives up (``None``) once it has looked at too many directory entries:
``glob.glob`` lists every matching directory before anything can be truncated, so a
pattern such as ``/usr/*/*/*/*`` costs hundreds of milliseconds, and the policy must judge
any call in a few.

The walk mirrors glob's own: the pattern is split from the right with ``os.path.split``
while the head still holds a wildcard, which leaves a literal base directory (used as
written, never checked) and the components below it. Result strings are built with
``os.path.join`` exactly as glob builds them, so repeated slashes survive in the literal
base and collapse everywhere else. The walk is depth-first, with an explicit stack rather
than recursion, so a pattern with thousands of components cannot exhaust the stack.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator
from functools import lru_cache

_MAGIC = re.compile(r"[*?[]")
DIRECTORY_COST = 8  # entries' worth of budget charged for listing one directory


class _TooMuch(Exception):
    """The entry budget is spent: the pattern is too costly to expand."""


def _has_magic(text: str) -> bool:
    return _MAGIC.search(text) is not None


def _join(dirname: str, basename: str) -> str:
    # glob's _join: an empty side means "the other one", not a trailing slash.
    if not dirname or not basename:
        return dirname or basename
    return os.path.join(dirname, basename)


def _child(dirname: str, name: str) -> str:
    # os.path.join(dirname, name) for a name without a slash, which is all a component or a
    # directory entry can be: glob builds its results with os.path.join, this is its fast path.
    if not dirname or dirname.endswith("/"):
        return dirname + name
    return f"{dirname}/{name}"


@lru_cache(maxsize=256)
def _matcher(component: str) -> Callable[[str], object]:
    # fnmatch.filter on POSIX is this compiled match, name by name (normcase does nothing).
    return re.compile(fnmatch.translate(component)).match


def _split(pattern: str) -> tuple[str, list[str]]:
    """(literal base directory, components left to right), as glob's recursion splits it."""
    components = []
    head = pattern
    while True:
        head, tail = os.path.split(head)
        components.append(tail)
        if not _has_magic(head):
            break
    components.reverse()
    return head, components


class _Walk:
    def __init__(self, root: str, budget: int) -> None:
        self.root = root
        self.budget = budget

    def spend(self, entries: int) -> None:
        self.budget -= entries
        if self.budget < 0:
            raise _TooMuch

    def step(self, dirname: str, component: str, dironly: bool) -> list[str]:
        """The paths one component below ``dirname`` (a result string, relative to root)."""
        # Where dirname is on disk: glob's _join(root_dir, dirname), without os.path.join's cost.
        where = dirname if dirname.startswith("/") or not self.root else _join(self.root, dirname)
        if _has_magic(component):
            return [_child(dirname, name) for name in self.match(where, component, dironly)]
        # A literal component is probed, not listed (glob's _glob0); a probe counts as an
        # entry so that a long run of literal components after a wildcard is bounded too.
        # Like glob, an intermediate literal is not required to be a directory here: the
        # listing below it simply fails.
        self.spend(1)
        if component:
            found = os.path.lexists(_child(where, component))
        else:  # trailing slash: only directories (symlinks to them included)
            found = os.path.isdir(where)
        return [_child(dirname, component)] if found else []

    def match(self, where: str, component: str, dironly: bool) -> list[str]:
        """Names in ``where`` that the wildcard ``component`` matches (glob's _glob1)."""
        matches = _matcher(component)
        hidden_ok = component.startswith(".")
        names: list[str] = []
        # Opening a directory costs about as much as reading several entries: charge it,
        # or a tree of small directories (/*/*/*/*) would be cheap on paper and slow.
        self.spend(DIRECTORY_COST)
        try:
            with os.scandir(where or os.curdir) as entries:
                for entry in entries:
                    self.spend(1)
                    name = entry.name
                    if (hidden_ok or not name.startswith(".")) and matches(name):
                        try:
                            if not dironly or entry.is_dir():
                                names.append(name)
                        except OSError:
                            pass
        except (OSError, ValueError):
            # Unreadable, missing, not a directory, or a NUL in the path: glob skips it
            # (glob lets ValueError escape; the policy must never raise).
            pass
        return names

    def run(self, pattern: str, max_results: int) -> list[str]:
        base, components = _split(pattern)
        last = len(components) - 1
        results: list[str] = []
        if max_results <= 0:
            return results
        # One iterator per level: the candidates still to try at that depth.
        stack: list[Iterator[str]] = [iter((base,))]
        while stack:
            dirname = next(stack[-1], None)
            if dirname is None:
                stack.pop()
                continue
            level = len(stack) - 1
            if level > last:
                results.append(dirname)
                if len(results) >= max_results:
                    break
                continue
            # Every component but the last must name a directory (glob's dironly).
            stack.append(iter(self.step(dirname, components[level], dironly=level < last)))
        return results


def bounded_glob(pattern: str, cwd: str | None, *, max_entries: int = 2000, max_results: int = 200,
                 spent: list[int] | None = None) -> list[str] | None:
    """``glob.glob(pattern, root_dir=cwd, include_hidden=False)``, at most ``max_results`` of it.

    Non-recursive: ``**`` is ``*``. A leading ``~`` is expanded first. Relative results stay
    relative to ``cwd``. Without a ``cwd`` a relative pattern cannot be expanded and comes
    back as is. Returns None once more than ``max_entries`` directory entries (and literal
    component probes) have been looked at: the caller must treat the path as unknown.
    ``spent[0]``, when given, grows by the entries looked at (to share a budget between
    several patterns). Never raises.
    """
    if not cwd and not pattern.startswith(("/", "~")):
        return [pattern]
    pattern = os.path.expanduser(pattern) if pattern.startswith("~") else pattern
    root = cwd or ""
    if not _has_magic(pattern):
        # glob yields a literal pattern unchanged when it exists ("" never, though).
        head, tail = os.path.split(pattern)
        found = os.path.lexists(_join(root, pattern)) if tail else os.path.isdir(_join(root, head))
        return [pattern] if found and pattern and max_results > 0 else []
    walk = _Walk(root, max_entries)
    try:
        return walk.run(pattern, max_results)
    except _TooMuch:
        return None
    finally:
        if spent is not None:
            spent[0] += max_entries - max(walk.budget, -1)
