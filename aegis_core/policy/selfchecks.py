"""Aegis protecting itself from the agent it supervises: signals that would reach its
daemon (`pkill -f aegis`, `killall python3`, `kill $(pgrep -f aegis_core)`,
`systemctl --user stop aegis`) and one-liners that touch its state directory wherever
``$AEGIS_HOME`` is (`open(os.path.expanduser('~/.aegis/policy.toml'), 'w')`)."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

_KILLERS = frozenset({"kill", "pkill", "killall", "skill", "snice", "pkill.procps", "xkill", "tkill"})
_SERVICE_TOOLS = frozenset({"systemctl", "launchctl", "service", "rc-service", "sv", "supervisorctl", "s6-svc"})
# Options of pkill/pgrep/killall that take a value (the pattern is what is left).
_PKILL_VALUES = frozenset({"-u", "-U", "-g", "-G", "-P", "-s", "-t", "-F", "--pidfile", "--signal", "--euid",
                           "--uid", "--group", "--pgroup", "--parent", "--session", "--terminal", "--ns",
                           "--nslist", "-o", "--older-than", "-y", "--younger-than", "-n", "--cgroup", "-c"})
_PATTERN_LISTERS = frozenset({"pgrep", "pidof", "grep", "egrep", "rg", "awk", "gawk"})
_AWK_PATTERN = re.compile(r"/((?:[^/\\]|\\.)+)/")
_LISTERS = frozenset({"pgrep", "pidof", "ps", "lsof", "fuser", "cat", "head", "tail", "grep", "egrep", "rg",
                      "awk", "jq", "ss", "netstat"})


def _daemon_names() -> tuple[list[str], list[str]]:
    """How Aegis' daemon shows up in the process table: its names (comm) and its
    command lines, as `aegis start` and `aegis start --foreground` run it."""
    executable = os.path.basename(sys.executable) or "python3"
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    names = ["aegis", executable, "python3", "python", version]
    from aegis_core.config import aegis_home

    home = str(aegis_home())
    lines = [f"{sys.executable} -m aegis_core.daemon --log-file {home}/aegis.log",
             f"{sys.executable} {os.path.dirname(sys.executable)}/aegis start --foreground",
             "/usr/bin/python3 /usr/local/bin/aegis wrap claude", "aegis daemon"]
    return names, lines


def _pattern_hits_daemon(pattern: str, full: bool, exact: bool, regex: bool = True) -> bool:
    names, lines = _daemon_names()
    targets = lines + names if full else names
    if not regex:
        return pattern in targets
    try:
        compiled = re.compile(pattern)
    except re.error:
        return "aegis" in pattern.lower() or "python" in pattern.lower()
    if exact:
        return any(compiled.fullmatch(t) for t in targets)
    return any(compiled.search(t) for t in targets)


def _mentions_daemon(text: str) -> bool:
    lower = text.lower()
    return "aegis" in lower or bool(re.fullmatch(r"(python[0-9.]*|pypy[0-9.]*|py)", lower))


def signals_daemon(subject: Subject, seg: Segment) -> str | None:
    """Why this command would stop, pause or signal Aegis' daemon, or None."""
    program = seg.program
    texts = list(seg.argv[1:])
    if program in _SERVICE_TOOLS:
        if any("aegis" in t.lower() for t in texts):
            return f"{program} acts on the Aegis service"
        return None
    if program in ("pkill", "skill", "snice", "pkill.procps"):
        full = any(t in ("-f", "--full") or (t.startswith("-") and not t.startswith("--") and "f" in t[1:]
                                             and t[1:].isalpha()) for t in texts)
        exact = any(t in ("-x", "--exact") for t in texts)
        patterns: list[str] = []
        skip = False
        for text in texts:
            if skip:
                skip = False
                continue
            if text in _PKILL_VALUES:
                skip = True
                continue
            if not text.startswith("-"):
                patterns.append(text)
        if not patterns:
            if any(t in ("-u", "-U", "--uid", "--euid") or t.startswith(("-u", "-U")) for t in texts):
                return f"{program} -u signals every process of a user, Aegis' daemon included"
            return None
        for pattern in patterns:
            if _pattern_hits_daemon(pattern, full, exact):
                return f"{program} {pattern!r} would signal Aegis' daemon"
        return None
    if program == "killall":
        regex = any(t in ("-r", "--regexp") for t in texts)
        names = [t for t in texts if not t.startswith("-")]
        if not names and any(t in ("-u", "--user") for t in texts):
            return "killall -u signals every process of a user, Aegis' daemon included"
        for name in names:
            if _pattern_hits_daemon(name, False, not regex, regex) or (not regex and _mentions_daemon(name)):
                return f"killall {name} would signal Aegis' daemon"
        return None
    if program == "kill":
        if not any(a.dynamic for a in seg.args[1:]):
            return None
        for other in (subject.analysis.segments if subject.analysis else ()):
            if other.index == seg.index or other.program not in _LISTERS:
                continue
            # The lister's patterns (not the values of its options: `pgrep -u maya node`).
            words = [t for i, t in enumerate(other.argv[1:], start=1) if not t.startswith("-")
                     and not (other.program == "pgrep" and other.argv[i - 1] in _PKILL_VALUES)]
            if other.program == "pgrep" and not words and any(t in ("-u", "-U", "--uid", "--euid")
                                                               for t in other.argv[1:]):
                return "kill of every process of a user (pgrep -u), Aegis' daemon included"
            for word in words:
                patterns = _AWK_PATTERN.findall(word) if other.program in ("awk", "gawk") else [word]
                matcher = other.program in _PATTERN_LISTERS
                if any(_mentions_daemon(p) or (matcher and _pattern_hits_daemon(p, True, False)) for p in patterns):
                    return f"kill of the processes {other.program} finds ({' '.join(words)}): Aegis' daemon among them"
    return None


@functools.lru_cache(maxsize=8)
def _state_folder(aegis_home_variable: str | None, home_variable: str | None) -> str:
    """Aegis' state folder for these values of AEGIS_HOME and HOME (asked once each)."""
    from aegis_core.config import aegis_home

    return str(aegis_home())


_STATE_WORDS = re.compile(r"\.aegis\b|AEGIS_HOME|aegis\.(?:db|sock|pid|log)\b|aegis_core\.daemon|\baudit\.log\b"
                          r"|approvals\s+(?:approve|deny|resume)"
                          # Aegis' own code imported: its CLI, store and approvals as functions.
                          r"|\baegis_core\.\w|\bfrom\s+aegis_core\b|__import__\(\s*['\"]aegis_core|import_module\(\s*['\"]aegis_core")


def code_touches_aegis(seg: Segment) -> str | None:
    """A one-liner or script fed to an interpreter that names Aegis' state or daemon."""
    if seg.inline_code is None:
        return None
    language, code = seg.inline_code
    home = _state_folder(os.environ.get("AEGIS_HOME"), os.environ.get("HOME"))
    found = _STATE_WORDS.search(code)
    if found:
        return f"{language} code names Aegis' state ({found.group(0)})"
    if home in code:
        return f"{language} code names Aegis' state directory ({home})"
    if _CODE_SIGNALS.search(code) and ("aegis" in code.lower() or _CODE_PYTHON_KILL.search(code)):
        return f"{language} code signals Aegis' daemon"
    return None


_CODE_SIGNALS = re.compile(r"\bkill\b|os\.kill|process\.kill|killpg|\bsignal\.|SIGTERM|SIGKILL|SIGSTOP|pkill"
                           r"|killall|psutil")
_CODE_PYTHON_KILL = re.compile(r"(pkill|killall|pgrep)(\s+-\w+)*\s+['\"]?python|process_iter|['\"]python3?['\"]")


# Process names too broad to stop by name: the agent itself (node), every interpreter,
# shells, the terminal's multiplexers, the container engine, the system's own.
_BROAD_NAMES = frozenset({
    "node", "nodejs", "python", "python3", "py", "pypy", "pypy3", "ruby", "perl", "java", "php", "deno", "bun",
    "sh", "bash", "zsh", "fish", "dash", "ksh", "tmux", "screen", "ssh", "sshd", "sudo", "su", "login", "init",
    "systemd", "launchd", "dbus-daemon", "xorg", "wayland", "gnome-shell", "code", "cursor", "claude", "codex",
    "gemini", "docker", "dockerd", "containerd", "podman", "kubelet", "postgres", "mysqld", "redis-server",
    "cron", "crond", "firefox", "chrome", "agent", "gpg-agent", "ssh-agent"})
_NAMED_OPTIONS = frozenset({"-f", "--full", "-x", "--exact", "-i", "--ignore-case", "-e", "--echo", "-n", "--newest",
                            "-o", "--oldest", "-9", "-15", "-2", "-1", "-KILL", "-TERM", "-INT", "-HUP", "-s",
                            "--signal", "-SIGKILL", "-SIGTERM", "-SIGINT", "-SIGHUP", "-w", "--wait", "-q", "--quiet"})
_SPECIFIC = re.compile(r"[\w.-]{3,}")


def stops_named_process(seg: Segment) -> str | None:
    """``pkill -f vite``, ``pkill -f "manage.py runserver"``, ``killall webpack``: one
    program of the project's stopped by name. Not Aegis' daemon, not a name as broad as
    ``node`` or ``python`` (the agent itself, every interpreter), not every process of a
    user, not a pattern that matches nearly anything."""
    if seg.program not in ("pkill", "killall") or seg.wrappers or any(a.dynamic for a in seg.args[1:]):
        return None
    texts = list(seg.argv[1:])
    patterns: list[str] = []
    skip = False
    for text in texts:
        if skip:
            skip = False
        elif text in ("-s", "--signal"):
            skip = True
        elif text.startswith("-"):
            if text not in _NAMED_OPTIONS and not text.startswith("--signal="):
                return None  # -u USER, -P PPID, -t TTY, -r (killall regex)...
        else:
            patterns.append(text)
    if len(patterns) != 1:
        return None
    pattern = patterns[0]
    words = pattern.lower().split()
    if not _SPECIFIC.search(pattern) or not words or (len(words) == 1 and words[0].rsplit("/", 1)[-1] in _BROAD_NAMES):
        return None
    if any(c in pattern for c in "|*+?[]()^$\\{}") or "aegis" in pattern.lower():
        return None  # a regular expression: what it matches is anyone's guess
    return f"{seg.program} stops {pattern!r}"


def register(check: Callable) -> None:
    @check("stops-named-process", 0, "pkill/killall of one specific program by name (pkill -f vite, pkill -f "
           "'manage.py runserver'): not Aegis, not a name as broad as node or python, no regular expression",
           programs=("pkill", "killall"))
    def _stops(subject: Subject) -> str | None:
        seg = subject.segment
        if seg is None or signals_daemon(subject, seg):
            return None
        return stops_named_process(seg)

    @check("aegis-signal", 90, "stops, pauses or signals Aegis' daemon (pkill -f aegis, killall python3, "
           "kill $(pgrep -f aegis), systemctl --user stop aegis)",
           programs=(*_KILLERS, *_SERVICE_TOOLS))
    def _signal(subject: Subject) -> str | None:
        seg = subject.segment
        return signals_daemon(subject, seg) if seg is not None else None

    @check("aegis-in-code", 90, "a one-liner that names Aegis' state directory, database, socket or daemon",
           needs=("inline",))
    def _code(subject: Subject) -> str | None:
        seg = subject.segment
        return code_touches_aegis(seg) if seg is not None else None
