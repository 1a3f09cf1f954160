"""Where Aegis keeps its state: ``$AEGIS_HOME``, else ``~/.aegis``. A string, from
``os`` alone: the console script finds its ``--help`` cache there without loading the
configuration machinery (:func:`aegis_core.config.aegis_home` gives the same as a Path)."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_HOME = "~/.aegis"


def home_path(env: Mapping[str, str] | None = None) -> str:
    """``$AEGIS_HOME`` or ``~/.aegis`` (``~`` is ``env``'s HOME), made absolute."""
    env = os.environ if env is None else env
    raw = env.get("AEGIS_HOME") or DEFAULT_HOME
    if (raw == "~" or raw.startswith("~/")) and env.get("HOME"):
        raw = env["HOME"].rstrip("/") + raw[1:]
    path = os.path.expanduser(raw)
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def path_text(name: str) -> str:
    """``str(pathlib.PurePosixPath(name))`` without loading pathlib (which brings
    ``re``, ``fnmatch`` and ``urllib.parse`` into the quick commands): repeated
    slashes and ``.`` parts dropped, ``..`` kept, a leading ``//`` kept as POSIX says."""
    stripped = name.lstrip("/")
    root = "/" * min(len(name) - len(stripped), 2) if name.startswith("/") else ""
    if root == "//" and len(name) - len(stripped) > 2:
        root = "/"
    parts = [part for part in stripped.split("/") if part and part != "."]
    return root + "/".join(parts) if root or parts else "."
