"""Policy rules and their matchers. A rule matches a Subject (a call, or one shell
segment of it) when every matcher it names matches; the first matching rule by
priority decides."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass

from aegis_core.models import Action, Kind
from aegis_core.policy.checks import findings
from aegis_core.policy.facts import HAS_PATHS, HAS_URLS, HAS_WRAPPERS, HAS_WRITES, Subject, url_host
from aegis_core.policy.paths import GlobSet, is_within, normalise
from aegis_core.policy.places import scratch
from aegis_core.policy.shell import Segment
from aegis_core.policy.subcommands import positionals
from aegis_core.tools import tool_matches

MATCH_TEXT_CHARS = 8192  # regexes see at most this much text: bounded time
# Scratch space: writing there is as harmless as in the project.
_TEMP_PREFIXES = ("/tmp/", "/var/tmp/", "/private/tmp/", "/dev/shm/", "/dev/null")  # noqa: S108 - compared only
_TEMP_ROOTS = frozenset({"/tmp", "/var/tmp", "/private/tmp", "/dev/shm"})  # noqa: S108 - compared only


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
    read_glob: GlobSet | None = None
    write_glob: GlobSet | None = None
    url_host: tuple[str, ...] = ()
    risk_min: int | None = None
    check: tuple[str, ...] = ()
    within_project: bool | None = None
    writes_within_project: bool | None = None
    runs_from_project: bool | None = None

    @property
    def needs_segment(self) -> bool:
        return bool(self.executable or self.subcommand or self.wrapper or self.command_pattern
                    or self.arg_pattern or self.runs_from_project is not None)


Matcher = Callable[[Subject], "bool | str"]


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
    quorum: int = 1  # different approvers a require_approval rule needs (two-person rules)

    def __post_init__(self) -> None:
        names = self.match.executable
        self._exe_literals = frozenset(e for e in names if not any(c in e for c in "*?["))
        globs = [fnmatch.translate(e) for e in names if any(c in e for c in "*?[")]
        self._exe_glob = re.compile("|".join(globs)) if globs else None
        self._matchers = self._compile()
        # Most rules have one matcher: test() calls it without a loop.
        self.only_matcher = self._matchers[0] if len(self._matchers) == 1 else None
        m = self.match
        # What a subject must have for this rule to possibly match (see Policy._candidates).
        self.needs = (
            (HAS_PATHS if m.path_glob is not None or m.read_glob is not None or m.path_pattern is not None
             or m.within_project is False else 0)
            | (HAS_WRITES if m.write_glob is not None or m.writes_within_project is False else 0)
            | (HAS_URLS if m.url_host else 0) | (HAS_WRAPPERS if m.wrapper else 0))
        self.min_risk = m.risk_min or 0
        # The glob set of a rule that matches by paths alone (see Policy._judge).
        only = self.only_matcher[0] if self.only_matcher is not None else None
        self.path_only = (m.path_glob if only == "path_glob" else m.read_glob if only == "read_glob"
                          else m.write_glob if only == "write_glob" else None)

    def can_run(self, program: str | None) -> bool:
        """False when the rule names executables and ``program`` is none of them."""
        return program is None or not self.match.executable or self._executable_matches(program)

    def can_match(self, shape: int) -> bool:
        """False when the subject (of this Subject.shape) lacks a fact the rule needs."""
        return self.needs & shape == self.needs

    def applies_to(self, tool: str, kind: Kind, has_segment: bool) -> bool:
        """The call-level matchers (tool, kind, needs a shell segment), checked once
        per tool, kind and program rather than once per segment."""
        m = self.match
        if m.tool and not any(tool_matches(p, tool, kind) for p in m.tool):
            return False
        if m.kind and kind.value not in m.kind:
            return False
        return has_segment or not m.needs_segment

    def _executable_matches(self, program: str) -> bool:
        if program in self._exe_literals:
            return True
        return self._exe_glob is not None and self._exe_glob.match(program) is not None

    def _compile(self) -> list[tuple[str, Matcher]]:
        """One small function per matcher the rule uses, cheapest first."""
        m = self.match
        out: list[tuple[str, Matcher]] = []
        if m.executable:
            out.append(("executable", lambda s: self._executable_matches(_seg(s).program)))
        if m.wrapper:
            out.append(("wrapper", lambda s: any(fnmatch.fnmatchcase(w, p) for w in _seg(s).wrappers
                                                 for p in m.wrapper)))
        if m.subcommand:
            # The subcommands by length: one set lookup per length instead of one
            # comparison per subcommand (pkg-install lists about eighty).
            grouped: dict[int, set[tuple[str, ...]]] = {}
            for sub in m.subcommand:
                grouped.setdefault(len(sub), set()).add(sub)
            by_length = tuple((length, frozenset(subs)) for length, subs in sorted(grouped.items()))

            def subcommand(s: Subject) -> bool:
                words = _positional_words(s)
                return any(words[:length] in subs for length, subs in by_length)
            out.append(("subcommand", subcommand))
        if m.command_pattern is not None:
            pattern = m.command_pattern
            literal = required_prefix(pattern)

            def command(s: Subject) -> bool:
                plain, wrapped = _command_texts(s)
                # Most commands lack the pattern's literal start (it holds no blank, so it
                # lies within one word of the joined texts): no search needed.
                if literal and literal not in plain and (wrapped is None or literal not in wrapped):
                    return False
                return bool(pattern.search(plain) or (wrapped is not None and pattern.search(wrapped)))
            out.append(("command_pattern", command))
        if m.arg_pattern is not None:
            arg_pattern = m.arg_pattern
            out.append(("arg_pattern", lambda s: arg_pattern.search(_arg_text(s)) is not None))
        if m.path_pattern is not None:
            path_pattern = m.path_pattern
            out.append(("path_pattern", lambda s: any(path_pattern.search(p[:MATCH_TEXT_CHARS]) for p in s.paths)))
        if m.path_glob is not None:
            out.append(("path_glob", m.path_glob.matches_any_of_paths))
        if m.read_glob is not None:
            out.append(("read_glob", m.read_glob.matches_any_of_reads))
        if m.write_glob is not None:
            out.append(("write_glob", m.write_glob.matches_any_of_writes))
        if m.within_project is not None:
            want = m.within_project
            out.append(("within_project", lambda s: self._inside(s, s.paths) is want))
        if m.writes_within_project is not None:
            want_writes = m.writes_within_project
            out.append(("writes_within_project", lambda s: self._inside(s, s.writes) is want_writes))
        if m.runs_from_project is not None:
            want_local = m.runs_from_project
            out.append(("runs_from_project", lambda s: runs_from_project(s) is want_local))
        if m.url_host:
            hosts_wanted = m.url_host
            out.append(("url_host", lambda s: any(fnmatch.fnmatchcase(url_host(u), p) for u in s.urls
                                                  for p in hosts_wanted)))
        if m.risk_min is not None:
            minimum = m.risk_min
            out.append(("risk_min", lambda s: s.risk >= minimum))
        if m.check:
            names = m.check

            def checks(s: Subject) -> bool | str:
                for name in names:
                    found = run_check(name, s)
                    if found:
                        return found
                return False
            out.append(("check", checks))
        return out

    def test(self, subject: Subject) -> tuple[bool, str]:
        """(matched, detail): what matched, or which matcher did not. The call-level
        matchers must already hold (see ``applies_to``)."""
        only = self.only_matcher
        if only is not None:  # most rules: no loop
            result = only[1](subject)
            if not result:
                return False, only[0]
            return True, result if isinstance(result, str) else "matched"
        detail = "matched"
        for name, matcher in self._matchers:
            result = matcher(subject)
            if not result:
                return False, name
            if isinstance(result, str):
                detail = result
        return True, detail

    @staticmethod
    def _inside(subject: Subject, paths: tuple[str, ...]) -> bool:
        """Every path is in the project or in scratch space (a temporary folder outside
        the project and the home folder, or /dev/null)."""
        project, home = subject.project, subject.home
        return all(
            (project is not None and is_within(p, project)) or p in _TEMP_ROOTS or p == "/dev/null"
            or (p.startswith(_TEMP_PREFIXES) and scratch(p, project, home))
            for p in paths
        )


def required_prefix(pattern: re.Pattern[str]) -> str:
    """The literal text every match of ``pattern`` starts with (``aegis_core`` for
    ``aegis_core[.]cli``), or "" when there is none to rely on. Only a prefix without
    blanks is returned: it then lies within one argument of the joined command."""
    try:
        parsed = re._parser.parse(pattern.pattern, pattern.flags)  # type: ignore[attr-defined]
        if parsed.state.flags & re.IGNORECASE:
            return ""
        literal = re._constants.LITERAL  # type: ignore[attr-defined]
        chars = []
        for op, value in parsed:
            if op is not literal:
                break
            chars.append(chr(value))
    except Exception:  # a private API of re: without it the pattern is simply searched
        return ""
    prefix = "".join(chars)
    return prefix if len(prefix) >= 3 and not any(c.isspace() for c in prefix) else ""


def runs_from_project(subject: Subject) -> bool:
    """The segment's program is named by a path (``./bin/dev``, ``scripts/test.sh``)
    that lies inside the project: the project's own script."""
    seg = _seg(subject)
    if not seg.args or "/" not in seg.argv[0] or seg.args[0].dynamic or subject.project is None:
        return False
    path = normalise(seg.argv[0], subject.cwd, subject.home)
    return path is not None and is_within(path, subject.project)


def _command_texts(subject: Subject) -> tuple[str, str | None]:
    """The command as one line, and with its wrappers in front (None without any),
    joined once per subject: most rules with a pattern read them."""
    found = subject.cache.get("_command")
    if found is None:
        seg = _seg(subject)
        plain = " ".join(seg.argv)[:MATCH_TEXT_CHARS]
        wrapped = " ".join([*seg.wrappers, plain])[:MATCH_TEXT_CHARS] if seg.wrappers else None
        found = subject.cache["_command"] = (plain, wrapped)
    return found


def _positional_words(subject: Subject) -> tuple[str, ...]:
    """The segment's subcommand words (see subcommands.positionals), worked out once per
    subject: every rule with a subcommand matcher compares them."""
    found = subject.cache.get("_positionals")
    if found is None:
        seg = _seg(subject)
        found = subject.cache["_positionals"] = tuple(positionals(seg.program, [a.text for a in seg.args[1:]]))
    return found


def _arg_text(subject: Subject) -> str:
    found = subject.cache.get("_args")
    if found is None:
        seg = _seg(subject)
        found = subject.cache["_args"] = (" ".join(seg.argv[1:]) + "\n" + seg.stdin_text)[:MATCH_TEXT_CHARS]
    return found


def _seg(subject: Subject) -> Segment:
    """The segment of a subject that segment matchers only ever see (see applies_to)."""
    if subject.segment is None:
        raise ValueError("segment matcher used on a call without a shell segment")
    return subject.segment


def run_check(name: str, subject: Subject) -> str | None:
    """A built-in check's finding for a subject (None where it does not apply): every
    applicable check runs once per subject, in ``checks.findings``."""
    findings(subject)
    return subject.cache.get(name)
