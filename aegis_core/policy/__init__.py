"""The policy engine: ``policy.toml`` rules judged against what a tool call would
really do (shell analysis, normalised paths, URL hosts, a risk score)."""

from __future__ import annotations

from pathlib import Path

from aegis_core.policy import engine, paths
from aegis_core.policy.engine import Policy, Trace, build_subjects
from aegis_core.policy.loader import (
    PolicyError,
    PolicyIssue,
    default_policy_text,
    parse_policy,
    read_policy_text,
)


def forget_caches() -> None:
    """Empty every cache the engine keeps between calls: shell analyses, path facts and
    what single words were found to be. What follows is judged as if seen for the
    first time."""
    from aegis_core.policy import cues, words, written
    from aegis_core.policy.shell import analyse

    analyse.cache_clear()
    cues.forget()  # the last text lowered and cut into its distinct lines and words
    written.forget()
    paths.forget()
    engine.forget()  # the paths each policy found no path-only rule matching
    words.forget()  # every WordAnswers table: checks', migrations', literal arguments


def default_policy() -> Policy:
    """The built-in default policy (packs: filesystem, git, secrets, packages, network,
    system/infra, persistence, routine)."""
    rules, default, _ = parse_policy(default_policy_text(), "<built-in default policy>")
    return Policy(rules, default, source="<built-in default policy>")


def policy_from_text(text: str, source: str = "<policy>") -> Policy:
    rules, default, include_defaults = parse_policy(text, source)
    if include_defaults:
        builtin, _, _ = parse_policy(default_policy_text(), "<built-in default policy>")
        taken = {r.name for r in rules}
        rules = sorted([*rules, *(r for r in builtin if r.name not in taken)],
                       key=lambda r: (r.priority, r.pack != "", r.order))
    return Policy(rules, default, source=source)


def load_policy(path: Path | None) -> Policy:
    """The policy in ``path`` (None: the built-in default). Raises ConfigError
    (PolicyError) naming file:line when the file is invalid."""
    if path is None:
        return default_policy()
    return policy_from_text(read_policy_text(path), str(path))


def validate_policy_file(path: Path) -> list[PolicyIssue]:
    """Every problem in a policy file (empty list: valid)."""
    try:
        load_policy(path)
    except PolicyError as exc:
        return exc.issues
    return []


__all__ = ["Policy", "PolicyError", "PolicyIssue", "Trace", "build_subjects", "default_policy", "forget_caches",
           "load_policy", "policy_from_text", "validate_policy_file"]
