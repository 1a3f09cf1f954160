"""Requests a fetcher reads from a file: ``curl -K cfg`` (a curl config: ``url =``,
``upload-file =``, ``data =``, ``output =``...), ``wget -i urls.txt`` / ``aria2c -i
list`` (one address a line) and ``wget --config rc`` (a wgetrc: ``post_file =``...).
The file is read as the policy reads every file (``filetext``: bounded, regular files
only, never waiting) and turned into the command line it amounts to
(``curl --upload-file ~/.ssh/id_rsa --url https://...``), which the policy then judges
as if typed. A file that cannot be read that way (stdin, a FIFO, too large, a computed
name) leaves the request unknown: it asks (``urlchecks.requests_from_file``)."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from aegis_core.policy.filetext import regular_file_head
from aegis_core.policy.paths import normalise

if TYPE_CHECKING:
    from aegis_core.policy.shell import Segment

MAX_FILE_BYTES = 64 * 1024
MAX_LINES = 200
_CURL = frozenset({"curl", "curlie"})
_WGET = frozenset({"wget", "wget2"})
_STDIN = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
# Short options (in a cluster, the last letter may take the next word) that name the file.
_FILE_SHORT = {"curl": "K", "curlie": "K", "wget": "i", "wget2": "i", "aria2c": "i"}
REQUEST_PROGRAMS = frozenset(_FILE_SHORT)  # the fetchers that read requests from a file
_FILE_LONG = {"curl": ("--config",), "curlie": ("--config",), "wget": ("--input-file", "--config"),
              "wget2": ("--input-file", "--config"), "aria2c": ("--input-file",)}
_VALUE_LETTERS = {"curl": set("dDoHuXKAeEbcCFTwxmrYyzUPQt"), "curlie": set("dDoHuXKAeEbcCFTwxmrYyzUPQt"),
                  "wget": set("oOaiBtTwePUYlARDXIQ"), "wget2": set("oOaiBtTwePUYlARDXIQ"), "aria2c": set("idoxsjUl")}


def request_files(seg: Segment) -> list[tuple[str, str, int]] | None:
    """(option, file as named, index of the word naming it) for each file ``seg``'s
    fetcher reads its requests from; None when it reads none."""
    shorts = _FILE_SHORT.get(seg.program)
    if shorts is None:
        return None
    longs = _FILE_LONG[seg.program]
    takes = _VALUE_LETTERS[seg.program]
    texts = seg.argv
    found: list[tuple[str, str, int]] = []
    i = 1
    while i < len(texts):
        text = texts[i]
        following = texts[i + 1] if i + 1 < len(texts) else ""
        if text == "--":
            break
        if text.startswith("--"):
            option, eq, value = text.partition("=")
            if option in longs:
                found.append((option, value if eq else following, i if eq else i + 1))
            i += 1
            continue
        if text.startswith("-") and len(text) > 1:
            for at, letter in enumerate(text[1:], start=2):
                if letter in takes:
                    if letter in shorts:
                        rest = text[at:]
                        found.append((f"-{letter}", rest or following, i if rest else i + 1))
                    break
        i += 1
    return found or None


def readable_requests(seg: Segment, cwd: str | None, home: str) -> tuple[str, str] | None:
    """(the files read, the command line they amount to) when every file ``seg`` reads
    its requests from can be read safely; None otherwise (or when it reads none)."""
    files = request_files(seg)
    if not files or cwd is None:
        return None
    dynamic = {i for i, arg in enumerate(seg.args) if arg.dynamic}
    extra: list[str] = []
    skip: set[int] = set()
    paths: list[str] = []
    for option, name, index in files:
        if not name or name in _STDIN or index in dynamic:
            return None
        path = normalise(name, cwd, home)
        if path is None or path.startswith(("/dev/", "/proc/")):
            return None
        data = regular_file_head(path, MAX_FILE_BYTES)
        if data is None:
            return None
        text = data.decode("utf-8", errors="replace")
        paths.append(path)
        skip.add(index)
        if option in ("-K", "--config") and seg.program in _CURL:
            extra.extend(_curl_config(text))
        elif option == "--config":
            extra.extend(_wgetrc(text))
        else:
            extra.extend(line.strip().split()[0] for line in text.splitlines()[:MAX_LINES]
                         if line.strip() and not line.startswith((" ", "\t", "#")))
    words = [seg.argv[0]]
    for i, text in enumerate(seg.argv[1:], start=1):
        if i in skip:
            continue
        option = text.partition("=")[0]
        if option in _FILE_LONG[seg.program] and "=" in text:
            continue
        if i + 1 in skip and text.startswith("-"):
            # `-sK cfg`: keep the other letters of the cluster
            rest = text[1:].replace(_FILE_SHORT[seg.program], "")
            if rest and not text.startswith("--"):
                words.append("-" + rest)
            continue
        words.append(text)
    return ", ".join(paths), shlex.join(words + extra)


def _curl_config(text: str) -> list[str]:
    """A curl config file as command-line words (`url = "x"` -> `--url x`)."""
    words: list[str] = []
    for line in text.splitlines()[:MAX_LINES]:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, value = _split(line)
        if not name:
            continue
        words.append(name if name.startswith("-") else ("-" if len(name) == 1 else "--") + name)
        if value is not None:
            words.append(value)
    return words


def _wgetrc(text: str) -> list[str]:
    words: list[str] = []
    for line in text.splitlines()[:MAX_LINES]:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = (part.strip() for part in line.split("=", 1))
        words.append(f"--{name.replace('_', '-').lower()}={value}")
    return words


def _split(line: str) -> tuple[str, str | None]:
    """A curl config line's option and value (`name = value`, `name: value`, `name value`,
    a value in double quotes with backslash escapes)."""
    for i, char in enumerate(line):
        if char in " \t=:":
            name, rest = line[:i], line[i:].lstrip(" \t=:").strip()
            break
    else:
        return line, None
    if rest.startswith('"'):
        try:
            value = shlex.split(rest)[0]
        except ValueError:
            value = rest.strip('"')
    else:
        value = rest.split()[0] if rest else ""
    return name, value
