"""Scripts run from disk, judged by what they hold: ``python tools/collect.py``,
``bash scripts/x.sh``, ``node x.js``, ``./bin/sync``. A file the agent wrote earlier
(through the file tools, where it was judged, or by any other way the policy did not
see: a download, a copy, an edit outside Aegis) runs now; its content is read
(bounded) and judged as written code is (``written.py``, ``exfilcode.py``): a command
in it that would be blocked, or code that sends secrets away, makes the run ask."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aegis_core.policy.filetext import regular_file_head
from aegis_core.policy.paths import normalise
from aegis_core.policy.scripts import _script_run

if TYPE_CHECKING:
    from aegis_core.policy.shell import Segment

MAX_SCRIPT_BYTES = 64 * 1024
# How a script is run -> whether its file is read: the shell's and interpreters' own
# files. `make` and `npm run` (a makefile, package.json) are judged when written.
_READ_LANGUAGES = frozenset({"shell", "python", "javascript", "ruby", "perl", "php", "lua", "r"})


def script_on_disk(seg: Segment, cwd: str | None, home: str) -> tuple[str, str] | None:
    """(the script's path, its text) when ``seg`` runs a script file that exists, is a
    regular file and is small enough to read; None otherwise."""
    run = _script_run(seg)
    if run is None or run[0] not in _READ_LANGUAGES or not run[1]:
        return None
    path = normalise(run[1], cwd, home)
    if path is None or path.startswith("/dev/") or path.startswith("/proc/"):
        return None
    if path.startswith(_SYSTEM_FOLDERS):
        return None  # the system's own programs (`/usr/bin/truncate`): not code the agent wrote
    data = regular_file_head(path, MAX_SCRIPT_BYTES)
    if data is None:
        return None
    if b"\0" in data[:4096] or (run[0] == "shell" and "/" in (seg.argv[0] if seg.argv else "")
                                and not data.startswith(b"#!")):
        return None  # a compiled program, or a file run by path that is no script
    return path, data.decode("utf-8", errors="replace")


# Where installed programs live; a script the agent wrote is elsewhere (the project,
# the home, a temporary folder).
_SYSTEM_FOLDERS = ("/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/opt/", "/nix/", "/snap/", "/etc/",
                   "/System/", "/Library/", "/Applications/")
