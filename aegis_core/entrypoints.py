"""Entry points read straight from the installed distributions' metadata files.

``importlib.metadata`` parses every distribution's METADATA with the ``email``
package, which costs more than the rest of a quick command; listing the commands
plugins declare only needs each distribution's ``entry_points.txt``. Same order and
precedence as ``importlib.metadata``: ``sys.path`` order, first distribution of a
name wins."""

from __future__ import annotations

import os
import sys

# Not `from typing import ...` nor `collections`: loading them costs `aegis --help`
# (which lists the commands plugins declare) a visible share of its start-up.
TYPE_CHECKING = False

_SUFFIXES = (".dist-info", ".egg-info")


if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import NamedTuple

    class EntryPoint(NamedTuple):
        name: str
        value: str  # "module:attribute"
        group: str
        distribution: str  # the normalised distribution name, e.g. "aegis-claude-hook"
else:
    class EntryPoint(tuple):
        """``namedtuple("EntryPoint", "name value group distribution")``, written out:
        ``collections`` would be the costliest import of ``aegis --help``."""

        __slots__ = ()

        def __new__(cls, name, value, group, distribution):
            return tuple.__new__(cls, (name, value, group, distribution))

        name = property(lambda self: self[0])
        value = property(lambda self: self[1])
        group = property(lambda self: self[2])
        distribution = property(lambda self: self[3])

        def __repr__(self):
            return "EntryPoint(name={!r}, value={!r}, group={!r}, distribution={!r})".format(*self)


def _normalise(name: str) -> str:
    return name.replace("_", "-").replace(".", "-").lower()


def _distributions(paths: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(normalised name, metadata directory) of every distribution on ``paths``."""
    seen: set[str] = set()
    for entry in paths:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue  # a zip file or a missing folder: nothing of ours lives there
        for folder in names:
            if not folder.endswith(_SUFFIXES):
                continue
            stem = folder.rsplit(".", 1)[0]
            name = _normalise(stem.split("-", 1)[0])
            if name in seen:
                continue
            seen.add(name)
            yield name, os.path.join(entry or ".", folder)


def parse(text: str, group: str, distribution: str) -> list[EntryPoint]:
    """The entries of ``[group]`` in an ``entry_points.txt`` (INI: ``name = value``)."""
    found: list[EntryPoint] = []
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            continue
        if current != group or "=" not in line:
            continue
        name, _, value = line.partition("=")
        found.append(EntryPoint(name.strip(), value.strip(), group, distribution))
    return found


def scan(group: str, paths: Sequence[str] | None = None) -> list[EntryPoint]:
    """Every entry point of ``group`` on ``paths`` (default ``sys.path``)."""
    found: list[EntryPoint] = []
    for name, folder in _distributions(sys.path if paths is None else paths):
        try:
            with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            continue
        found.extend(parse(text, group, name))
    return found
