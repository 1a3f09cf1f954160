"""The command a container runs on folders of the host it mounts: ``docker run -v
"$PWD":/w alpine rm -rf /w`` deletes the project as surely as ``rm -rf "$PWD"``.
The container's command is judged as if it ran on the host, with every path under a
mount's destination put back to the host folder it comes from (and the working folder
too, when ``-w`` is one of them). A container without host folders is left alone:
what it does stays inside it."""

from __future__ import annotations

import functools
import re
import shlex

# `docker run` options that take a value as the next word.
_VALUES = frozenset({
    "-v", "--volume", "--mount", "-w", "--workdir", "-e", "--env", "--env-file", "-p", "--publish", "--name",
    "--network", "--net", "--entrypoint", "-u", "--user", "-l", "--label", "--label-file", "--platform",
    "-h", "--hostname", "--add-host", "--cpus", "-m", "--memory", "--memory-swap", "--restart", "--device",
    "--cap-add", "--cap-drop", "--security-opt", "--pid", "--ipc", "--log-driver", "--log-opt", "--tmpfs",
    "--ulimit", "--volumes-from", "--link", "--dns", "--dns-search", "--dns-option", "--expose", "--gpus",
    "--runtime", "--shm-size", "--stop-signal", "--stop-timeout", "--health-cmd", "--health-interval",
    "--health-retries", "--health-timeout", "-a", "--attach", "--cidfile", "--isolation", "--pull",
    "--cgroupns", "--cgroup-parent", "--userns", "--uts", "--group-add", "--sysctl", "--mac-address", "--ip",
    "--ip6", "--network-alias", "--oom-score-adj", "--storage-opt", "--cpu-shares", "-c", "--cpuset-cpus",
    "--blkio-weight", "--pids-limit", "--annotation", "--arch", "--os", "--variant", "--secret", "--pod",
    "--hooks-dir", "--init-path", "--requires", "--sdnotify", "--systemd", "--timezone", "--umask"})
_HOST_PATH = ("/", ".", "~", "$")


def _mount(name: str, value: str) -> tuple[str, str] | None:
    """(destination in the container, host source) of a bind mount option, or None."""
    if name in ("-v", "--volume"):
        source, _, rest = value.partition(":")
        destination = rest.split(":", 1)[0]
        if source.startswith(_HOST_PATH) and destination.startswith("/"):
            return destination.rstrip("/") or "/", source
        return None
    fields = dict(field.partition("=")[::2] for field in value.split(","))
    source = fields.get("source") or fields.get("src") or ""
    destination = fields.get("target") or fields.get("destination") or fields.get("dst") or ""
    if fields.get("type", "volume") == "bind" and source.startswith(_HOST_PATH) and destination.startswith("/"):
        return destination.rstrip("/") or "/", source
    return None


def container_command(texts: list[str], substitutions_are_pwd: bool = False) -> str | None:
    """The host-side equivalent of what ``docker run ...`` (``texts`` after the program
    name) runs on the folders it mounts, as shell text; None when it mounts none or
    runs nothing given. ``substitutions_are_pwd``: every ``$(...)`` in ``texts`` stood
    for ``$(pwd)``."""
    if texts[:1] == ["run"]:
        i = 1
    elif texts[:2] == ["container", "run"]:
        i = 2
    else:
        return None
    mounts: list[tuple[str, str]] = []
    workdir = None
    while i < len(texts):
        text = texts[i]
        if text == "--":
            i += 1
            break
        if not text.startswith("-"):
            break
        name, eq, value = text.partition("=")
        if eq:
            i += 1
        elif name in _VALUES:
            value = texts[i + 1] if i + 1 < len(texts) else ""
            i += 2
        elif not name.startswith("--") and len(name) > 2 and name[1] in "vw":
            name, value = name[:2], name[2:]  # -v/src:/dst, -w/app
            i += 1
        else:
            i += 1
            continue
        if substitutions_are_pwd:
            value = value.replace("$(...)", "$PWD")
        if name in ("-v", "--volume", "--mount"):
            found = _mount(name, value)
            if found:
                mounts.append(found)
        elif name in ("-w", "--workdir"):
            workdir = value
    command = texts[i + 1:]
    if not mounts or not command:
        return None
    mounts.sort(key=lambda m: len(m[0]), reverse=True)
    mounts = [m for m in mounts if m[0] != "/"]  # the container's root holds the mount, not the reverse
    words = []
    for n, word in enumerate(command):
        if _script_flag(command, n):
            words.append(shlex.quote(_in_script(word, mounts)))
        else:
            words.append(_as_host_word(word, mounts))
    body = " ".join(words)
    if workdir:
        host_dir = _as_host_word(workdir, mounts)
        if host_dir != shlex.quote(workdir):
            return f"cd {host_dir} && {body}"
    return body


_WORKING_FOLDER = re.compile(r"^(?:\$PWD|\$\{PWD\}|\$\(pwd\)|`pwd`)(?=/|$)")


def _source(source: str) -> str:
    """A mount's host folder as shell text: the working folder however it is spelled
    (`$PWD`, `$(pwd)`) as `.`, a home path unquoted (`~` must expand), others quoted."""
    source = _WORKING_FOLDER.sub(".", source)
    return source if source.startswith(("~", ".")) and '"' not in source and " " not in source \
        else '"' + source.replace('"', '\\"') + '"'


def _as_host_word(word: str, mounts: list[tuple[str, str]]) -> str:
    for destination, source in mounts:
        if word == destination or word.startswith(destination + "/"):
            rest = word[len(destination):]
            return _source(source) + (shlex.quote(rest) if rest else "")
    return shlex.quote(word)


def _in_script(script: str, mounts: list[tuple[str, str]]) -> str:
    for destination, source in mounts:
        pattern = r"(?<![\w./-])" + re.escape(destination) + r"(?=/|$|[\s'\";&|)])"
        # A function, not a template: the folder may hold backslashes re.sub would read.
        script = re.sub(pattern, functools.partial(_replacement, _source(source)), script)
    return script


def _replacement(text: str, _match: re.Match[str]) -> str:
    return text


def _script_flag(command: list[str], n: int) -> bool:
    """The word at ``n`` is a script given to a shell (`sh -c 'SCRIPT'`): mapped as text."""
    return n >= 2 and command[n - 1] == "-c" and command[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash", "dash",
                                                                                   "zsh", "busybox")
