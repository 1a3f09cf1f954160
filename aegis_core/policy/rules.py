"""Policy rules and their matchers. A rule matches a Subject (a call, or one shell
segment of it) when every matcher it names matches; the first matching rule by
priority decides."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from aegis_core.models import Action, Kind
from aegis_core.policy.checks import CHECKS
from aegis_core.policy.facts import Subject, url_host
from aegis_core.policy.paths import GlobSet, is_within
from aegis_core.tools import GENERIC_NAMES, kind_of

MATCH_TEXT_CHARS = 8192  # regexes see at most this much text: bounded time

# Options that take a value, per program, so `subcommand` finds the real one.
_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "git": frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace"}),
    "kubectl": frozenset({"-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s",
                          "--server"}),
    "docker": frozenset({"-H", "--host", "--context", "-c", "--config", "-l", "--log-level"}),
    "helm": frozenset({"-n", "--namespace", "--kube-context", "--kubeconfig"}),
    "aws": frozenset({"--profile", "--region", "--output", "--endpoint-url", "--query"}),
    "npm": frozenset({"--prefix", "-w", "--workspace"}),
    "yarn": frozenset({"--cwd"}),
    "pnpm": frozenset({"-C", "--dir", "--filter", "-F"}),
    "cargo": frozenset({"--manifest-path", "-Z", "--config"}),
    "uv": frozenset({"--directory", "--project", "--python", "-p"}),
    "gcloud": frozenset({"--project", "--account", "--configuration"}),
    "terraform": frozenset(),
}


def positionals(program: str, texts: list[str]) -> list[str]:
    """Arguments that are not options (or option values), for ``subcommand``."""
    with_value = _VALUE_OPTIONS.get(program, frozenset())
    out: list[str] = []
    skip = False
    for text in texts:
        if skip:
            skip = False
        elif text.startswith("-"):
            skip = text in with_value
        else:
            out.append(text)
    return out


def tool_matches(pattern: str, tool: str, kind: Kind) -> bool:
    """``bash`` matches every shell tool, ``read_file`` ``Read``; globs allowed."""
    if pattern in GENERIC_NAMES and GENERIC_NAMES[pattern] is kind:
        return True
    if pattern == tool:
        return True
    return any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(tool, pattern)


@dataclass
class Match:
    tool: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    executable: tuple[str, ...] = ()
    subcommand: tuple[tuple[str, ...], ...] = ()
    wrapper: tuple[str, ...] = ()
    command_pattern: re.Pattern[str] | None = None
    arg_pattern: re.Pattern[str] | None = None
    path_pattern: re.Pattern[str] | None = None
    path_glob: GlobSet | None = None
    write_glob: GlobSet | None = None
    url_host: tuple[str, ...] = ()
    risk_min: int | None = None
    check: tuple[str, ...] = ()
    within_project: bool | None = None
    writes_within_project: bool | None = None

    @property
    def literal_programs(self) -> frozenset[str] | None:
        if not self.executable or any(any(c in e for c in "*?[") for e in self.executable):
            return None
        return frozenset(self.executable)

    @property
    def needs_segment(self) -> bool:
        return bool(self.executable or self.subcommand or self.wrapper or self.command_pattern
                    or self.arg_pattern)


@dataclass
class Rule:
    name: str
    action: Action
    match: Match
    priority: int = 100
    reason: str = ""
    pack: str = ""
    line: int = 0
    order: int = 0
    programs: frozenset[str] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.programs = self.match.literal_programs

    def test(self, subject: Subject) -> tuple[bool, str]:
        """(matched, detail): detail says what matched or which matcher did not."""
        m = self.match
        call, seg = subject.call, subject.segment
        kind = call.kind if call.kind is not Kind.OTHER else kind_of(call.tool)
        if m.tool and not any(tool_matches(p, call.tool, kind) for p in m.tool):
            return False, "tool"
        if m.kind and kind.value not in m.kind:
            return False, "kind"
        if m.needs_segment and seg is None:
            return False, "not a shell command"
        if m.executable and seg is not None and not (
                seg.program in m.executable if self.programs is not None
                else any(fnmatch.fnmatchcase(seg.program, e) for e in m.executable)):
            return False, "executable"
        if m.wrapper and seg is not None and not any(
                fnmatch.fnmatchcase(w, p) for w in seg.wrappers for p in m.wrapper):
            return False, "wrapper"
        if m.subcommand and seg is not None:
            words = positionals(seg.program, [a.text for a in seg.args[1:]])
            if not any(tuple(words[:len(sub)]) == sub for sub in m.subcommand):
                return False, "subcommand"
        if m.command_pattern is not None and seg is not None:
            plain = " ".join(seg.argv)[:MATCH_TEXT_CHARS]
            wrapped = " ".join([*seg.wrappers, plain])[:MATCH_TEXT_CHARS]
            if not (m.command_pattern.search(plain) or m.command_pattern.search(wrapped)):
                return False, "command_pattern"
        if m.arg_pattern is not None and seg is not None:
            text = (" ".join(seg.argv[1:]) + "\n" + seg.stdin_text)[:MATCH_TEXT_CHARS]
            if not m.arg_pattern.search(text):
                return False, "arg_pattern"
        paths = subject.paths
        if m.path_pattern is not None and not any(m.path_pattern.search(p[:MATCH_TEXT_CHARS]) for p in paths):
            return False, "path_pattern"
        if m.path_glob is not None and not any(m.path_glob.matches(p) for p in paths):
            return False, "path_glob"
        if m.write_glob is not None and not any(m.write_glob.matches(p) for p in subject.writes):
            return False, "write_glob"
        if m.within_project is not None and self._inside(subject, paths) is not m.within_project:
            return False, "within_project"
        if m.writes_within_project is not None and \
                self._inside(subject, subject.writes) is not m.writes_within_project:
            return False, "writes_within_project"
        if m.url_host:
            hosts = [url_host(u) for u in subject.urls]
            if not any(fnmatch.fnmatchcase(h, p) for h in hosts for p in m.url_host):
                return False, "url_host"
        if m.risk_min is not None and subject.risk < m.risk_min:
            return False, "risk_min"
        detail = "matched"
        if m.check:
            for name in m.check:
                found = CHECKS[name].fn(subject)
                if found:
                    detail = found
                    break
            else:
                return False, "check"
        return True, detail

    @staticmethod
    def _inside(subject: Subject, paths: tuple[str, ...]) -> bool:
        if subject.project is None and paths:
            return False
        return all(
            (subject.project is not None and is_within(p, subject.project))
            or p.startswith(("/tmp/", "/var/tmp/", "/private/tmp/", "/dev/null"))
            for p in paths
        )
