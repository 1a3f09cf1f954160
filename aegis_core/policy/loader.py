"""Reading ``policy.toml`` (the seed README's format, extended): every problem is
reported with its file and line and what was expected, all at once."""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from aegis_core.errors import ConfigError, PermissionDenied
from aegis_core.models import Action, Kind
from aegis_core.policy.checks import CHECKS
from aegis_core.policy.paths import GlobSet
from aegis_core.policy.rules import Match, Rule

DEFAULT_POLICY = "default_policy.toml"
MAX_POLICY_BYTES = 1_000_000

RULE_KEYS = {"name", "match", "action", "priority", "reason", "pack", "enabled", "quorum"}
MAX_QUORUM = 5
LIST_MATCHERS = {"tool", "kind", "executable", "subcommand", "wrapper", "path_glob", "read_glob", "write_glob",
                 "url_host", "check"}
REGEX_MATCHERS = {"command_pattern", "arg_pattern", "path_pattern"}
BOOL_MATCHERS = {"within_project", "writes_within_project", "runs_from_project"}
MATCH_KEYS = LIST_MATCHERS | REGEX_MATCHERS | BOOL_MATCHERS | {"risk_min"}
ACTIONS = {a.value for a in Action}
# A group holding a quantifier, itself quantified: (a+)+ can take exponential time.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")


@dataclass(frozen=True)
class PolicyIssue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PolicyError(ConfigError):
    """An invalid policy file; ``issues`` lists every problem found."""

    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = issues
        first = issues[0]
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"invalid policy: {first}{more}",
                         hint=f"run `aegis policy validate {first.file}` to see every error")


class _Lines:
    """Finds the line of a rule or key in the TOML text (tomllib gives no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers = [i + 1 for i, line in enumerate(self.lines)
                        if re.match(r"\s*\[\[\s*policy\s*\.\s*rules\s*\]\]", line)]

    def rule(self, index: int) -> int:
        return self.headers[index] if index < len(self.headers) else 1

    def key(self, index: int, key: str) -> int:
        start = self.rule(index)
        end = self.headers[index + 1] if index + 1 < len(self.headers) else len(self.lines) + 1
        pattern = re.compile(rf"(^|[\s{{,]){re.escape(key)}\s*=")
        for number in range(start, end):
            if pattern.search(self.lines[number - 1]):
                return number
        return start

    def top(self, key: str) -> int:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        return next((i + 1 for i, line in enumerate(self.lines) if pattern.search(line)), 1)


def _as_list(value: Any) -> list[Any] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _compile_regex(pattern: str) -> tuple[re.Pattern[str] | None, str | None]:
    if _NESTED_QUANTIFIER.search(pattern):
        return None, "nested quantifier like (a+)+ can take exponential time; rewrite the pattern"
    try:
        return re.compile(pattern), None
    except re.error as exc:
        return None, f"invalid regular expression: {exc}"


def _build_match(raw: Any, index: int, lines: _Lines, file: str,
                 issues: list[PolicyIssue], fold_case: bool = False) -> Match:
    match = Match()
    if raw is None:
        return match
    if not isinstance(raw, dict):
        issues.append(PolicyIssue(file, lines.key(index, "match"), "match must be a table, "
                                  "e.g. match = { tool = \"bash\", executable = \"rm\" }"))
        return match
    for key, value in raw.items():
        line = lines.key(index, key)
        if key not in MATCH_KEYS:
            issues.append(PolicyIssue(file, line, f"unknown matcher '{key}'; expected one of "
                                      f"{', '.join(sorted(MATCH_KEYS))}"))
        elif key in LIST_MATCHERS:
            items = _as_list(value)
            if items is None:
                issues.append(PolicyIssue(file, line, f"{key} must be a string or a list of strings"))
                continue
            if key == "kind":
                bad = [k for k in items if k not in {x.value for x in Kind}]
                if bad:
                    issues.append(PolicyIssue(file, line, f"unknown kind {bad[0]!r}; expected one of "
                                              f"{', '.join(k.value for k in Kind)}"))
            if key == "check":
                bad = [c for c in items if c not in CHECKS]
                if bad:
                    issues.append(PolicyIssue(file, line, f"unknown check {bad[0]!r}; expected one of "
                                              f"{', '.join(sorted(CHECKS))}"))
                    continue
            if key in ("path_glob", "read_glob", "write_glob"):
                setattr(match, key, GlobSet(items, fold_case=fold_case))
            elif key == "subcommand":
                match.subcommand = tuple(tuple(item.split()) for item in items)
            else:
                setattr(match, key, tuple(items))
        elif key in REGEX_MATCHERS:
            if not isinstance(value, str):
                issues.append(PolicyIssue(file, line, f"{key} must be a regular expression string"))
                continue
            compiled, error = _compile_regex(value)
            if error:
                issues.append(PolicyIssue(file, line, f"{key}: {error}"))
            setattr(match, key, compiled)
        elif key in BOOL_MATCHERS:
            if not isinstance(value, bool):
                issues.append(PolicyIssue(file, line, f"{key} must be true or false"))
                continue
            setattr(match, key, value)
        elif key == "risk_min":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                issues.append(PolicyIssue(file, line, "risk_min must be an integer from 0 to 100"))
                continue
            match.risk_min = value
    return match


def parse_policy(text: str, file: str = "<policy>") -> tuple[list[Rule], Action, bool]:
    """(rules sorted by priority, default action, include_defaults); raises PolicyError."""
    issues: list[PolicyIssue] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+)", str(exc))
        raise PolicyError([PolicyIssue(file, int(where.group(1)) if where else 1,
                                       f"invalid TOML: {exc}")]) from exc
    lines = _Lines(text)
    policy = data.get("policy")
    if not isinstance(policy, dict):
        raise PolicyError([PolicyIssue(file, 1, "missing [policy] table; expected [policy] with "
                                       "default_action and [[policy.rules]]")])
    for key in policy:
        if key not in ("default_action", "rules", "include_defaults", "description"):
            issues.append(PolicyIssue(file, lines.top(key), f"unknown key [policy] {key}; expected "
                                      "default_action, rules, include_defaults, description"))
    default = policy.get("default_action", "require_approval")
    if default not in ACTIONS:
        issues.append(PolicyIssue(file, lines.top("default_action"),
                                  f"default_action must be one of {', '.join(sorted(ACTIONS))}, got {default!r}"))
        default = "require_approval"
    include_defaults = policy.get("include_defaults", False)
    if not isinstance(include_defaults, bool):
        issues.append(PolicyIssue(file, lines.top("include_defaults"), "include_defaults must be true or false"))
        include_defaults = False
    raw_rules = policy.get("rules", [])
    if not isinstance(raw_rules, list):
        issues.append(PolicyIssue(file, lines.top("rules"), "rules must be [[policy.rules]] tables"))
        raw_rules = []
    rules: list[Rule] = []
    names: dict[str, int] = {}
    for index, raw in enumerate(raw_rules):
        line = lines.rule(index)
        if not isinstance(raw, dict):
            issues.append(PolicyIssue(file, line, "each rule must be a [[policy.rules]] table"))
            continue
        for key in raw:
            if key not in RULE_KEYS:
                issues.append(PolicyIssue(file, lines.key(index, key), f"unknown rule key '{key}'; "
                                          f"expected one of {', '.join(sorted(RULE_KEYS))}"))
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            name_line = lines.key(index, "name") if "name" in raw else line
            issues.append(PolicyIssue(file, name_line, "rule needs a name = \"...\" (a non-empty string, "
                                      "shown to the user)"))
            name = f"rule-{index + 1}"
        elif name in names:
            issues.append(PolicyIssue(file, lines.key(index, "name"),
                                      f"duplicate rule name {name!r} (first at line {names[name]})"))
        names.setdefault(name, line)
        action = raw.get("action")
        if action not in ACTIONS:
            issues.append(PolicyIssue(file, lines.key(index, "action"),
                                      f"action must be one of {', '.join(sorted(ACTIONS))}, got {action!r}"))
            action = "require_approval"
        priority = raw.get("priority", 100)
        if isinstance(priority, bool) or not isinstance(priority, int):
            issues.append(PolicyIssue(file, lines.key(index, "priority"),
                                      f"priority must be an integer (lower is considered first), got {priority!r}"))
            priority = 100
        reason = raw.get("reason", "")
        if not isinstance(reason, str):
            issues.append(PolicyIssue(file, lines.key(index, "reason"), "reason must be a string"))
            reason = ""
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            issues.append(PolicyIssue(file, lines.key(index, "enabled"), "enabled must be true or false"))
        quorum = raw.get("quorum", 1)
        if isinstance(quorum, bool) or not isinstance(quorum, int) or not 1 <= quorum <= MAX_QUORUM:
            issues.append(PolicyIssue(file, lines.key(index, "quorum"),
                                      f"quorum must be an integer from 1 to {MAX_QUORUM} (different approvers "
                                      f"needed), got {quorum!r}"))
            quorum = 1
        elif quorum > 1 and action != "require_approval":
            issues.append(PolicyIssue(file, lines.key(index, "quorum"),
                                      "quorum applies to action = \"require_approval\" only"))
        # Rules that deny or ask match file names whatever their case; rules that allow, exactly.
        match = _build_match(raw.get("match"), index, lines, file, issues, fold_case=action != "allow")
        if enabled is not False:
            rules.append(Rule(name=name, action=Action(action), match=match, priority=priority,
                              reason=reason, pack=str(raw.get("pack", "")), line=line, order=index,
                              quorum=quorum))
    if issues:
        raise PolicyError(issues)
    rules.sort(key=lambda r: (r.priority, r.order))
    return rules, Action(default), include_defaults


def read_policy_text(path: Path) -> str:
    """The text of a policy file; refuses files other users can write (they could
    rewrite your rules) and files too large to be a policy."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # like config.toml: a link could be pointed anywhere
            raise PermissionDenied(f"{path} is a symbolic link; Aegis refuses to read a linked policy",
                                   hint=f"replace it with a regular file: cp --remove-destination "
                                        f"\"$(readlink -f {path})\" {path}") from exc
        raise ConfigError(f"cannot read policy {path}: {exc.strerror}",
                          hint=f"check its owner and mode (chmod 600 {path})") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_mode & (stat.S_IWOTH | stat.S_IWGRP):
            raise PermissionDenied(f"{path} is writable by other users, who could rewrite your rules",
                                   hint=f"run: chmod 600 {path}")
        raw = handle.read(MAX_POLICY_BYTES + 1)
    if len(raw) > MAX_POLICY_BYTES:
        raise ConfigError(f"{path}:1: policy file larger than {MAX_POLICY_BYTES} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicyError([PolicyIssue(str(path), line, "not UTF-8 text; save the file as UTF-8")]) from exc


@functools.lru_cache(maxsize=1)
def default_policy_text() -> str:
    return resources.files("aegis_core.policy").joinpath(DEFAULT_POLICY).read_text("utf-8")


def starter_policy_text() -> str:
    """The policy `aegis setup` writes: the user's rules (commented examples) over the
    built-in packs (``include_defaults = true``)."""
    return resources.files("aegis_core.policy").joinpath("starter_policy.toml").read_text("utf-8")
