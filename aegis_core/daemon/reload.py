"""A changed policy or config takes effect only when a human confirms it. This module
reads the files as they are now into a :class:`Snapshot` (validated, nothing
applied) and says what differs from the one that runs (:class:`Changes`): the rules
that differ by name, the default action, the sandbox manifest, the config keys
(secrets redacted). The daemon applies a snapshot on ``aegis reload`` (operator
socket) or when the approval a SIGHUP asked for is approved, and only if the files
still hold what the human was shown (its digest)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from aegis_core.config import REDACTED, Config, ConfigSection, load_config
from aegis_core.policy import Policy, default_policy, policy_from_text
from aegis_core.policy.loader import read_policy_text
from aegis_core.policy.rules import Rule
from aegis_core.sandbox.manifest import Manifest, parse_manifest

# The settings the running daemon takes over on a reload; every other one is read
# once, at start (channels, sockets, the database, logging, plugins' sections).
APPLIED_AT_RELOAD = frozenset({
    "approvals.timeout_seconds", "approvals.default_action", "approvals.max_per_minute",
    "approvals.max_consecutive_denies", "policy.path",
})

# Rule names listed per line; a whole policy swapped would otherwise fill a phone.
NAMES_SHOWN = 20


@dataclass(frozen=True)
class ConfigChange:
    key: str
    old: Any
    new: Any
    now: bool  # False: takes effect at the next daemon start

    def describe(self) -> str:
        when = "" if self.now else " (after a restart: aegis stop && aegis start)"
        return f"{self.key}: {_shown(self.old)} -> {_shown(self.new)}{when}"


@dataclass(frozen=True)
class Changes:
    """What a candidate would change. Rules are compared by name: one differs when it
    was added, removed, or its action, priority, reason or match changed."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    default_action: tuple[str, str] | None = None
    manifest: bool = False
    config: tuple[ConfigChange, ...] = ()

    @property
    def rules_differ(self) -> int:
        return len(self.added) + len(self.removed) + len(self.modified)

    @property
    def policy_changed(self) -> bool:
        return bool(self.rules_differ or self.default_action or self.manifest)

    @property
    def empty(self) -> bool:
        return not (self.policy_changed or self.config)

    def headline(self) -> str:
        """One line: ``policy changed: 2 rules differ``, ``config changed: 1 key differs``..."""
        parts = []
        if self.policy_changed:
            parts.append(f"policy changed: {_differ(self.rules_differ, 'rule')}")
        if self.config:
            parts.append(f"config changed: {_differ(len(self.config), 'key')}")
        return "; ".join(parts) or "nothing changed"

    def lines(self) -> list[str]:
        """The details, one change per line, for a terminal or a phone."""
        out = []
        for label, names in (("added", self.added), ("removed", self.removed), ("modified", self.modified)):
            if names:
                shown = ", ".join(names[:NAMES_SHOWN])
                more = f" and {len(names) - NAMES_SHOWN} more (all: aegis reload --dry-run --json)" \
                    if len(names) > NAMES_SHOWN else ""
                out.append(f"rules {label}: {shown}{more}")
        if self.default_action:
            out.append(f"default action: {self.default_action[0]} -> {self.default_action[1]}")
        if self.manifest:
            out.append("sandbox manifest changed (sessions started from now on)")
        out += [f"config {change.describe()}" for change in self.config]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.headline(),
            "rules_differ": self.rules_differ,
            "rules": {"added": list(self.added), "removed": list(self.removed), "modified": list(self.modified)},
            "default_action": list(self.default_action) if self.default_action else None,
            "manifest": self.manifest,
            "config": [{"key": c.key, "old": _shown(c.old), "new": _shown(c.new), "now": c.now}
                       for c in self.config],
        }


@dataclass(frozen=True)
class Snapshot:
    """The config and policy as read from the files at one moment, parsed and
    validated. ``digest`` names that content: equal digests, equal files."""

    config: Config
    policy: Policy
    manifest: Manifest
    digest: str


def read_snapshot(home: Path, sections: Iterable[ConfigSection]) -> Snapshot:
    """Read config.toml and the policy file as they are now. Raises ConfigError
    (file:line) or PermissionDenied when either is invalid or unsafe; then nothing
    may change."""
    config = load_config(home=home, sections=sections)
    path = config.path("policy", "path", "policy.toml")
    try:
        text: str | None = read_policy_text(path)  # once: the rules and the manifest come from the same bytes
    except FileNotFoundError:
        text = None
    policy = policy_from_text(text, str(path)) if text is not None else default_policy()
    manifest = parse_manifest(text, str(path)) if text is not None else Manifest(source="built-in defaults")
    digest = hashlib.sha256(json.dumps([config.flat(show_secrets=True), str(path), text],
                                       sort_keys=True, default=str).encode()).hexdigest()
    return Snapshot(config, policy, manifest, digest)


def changes_between(running: Snapshot, new: Snapshot) -> Changes:
    return diff(running.config, new.config, running.policy, new.policy, running.manifest, new.manifest)


def diff(old_config: Config, new_config: Config, old_policy: Policy | None, new_policy: Policy,
         old_manifest: Manifest, new_manifest: Manifest) -> Changes:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    default_action = None
    if old_policy is not None:
        before = {rule.name: fingerprint(rule) for rule in old_policy.rules}
        after = {rule.name: fingerprint(rule) for rule in new_policy.rules}
        added = tuple(sorted(set(after) - set(before)))
        removed = tuple(sorted(set(before) - set(after)))
        modified = tuple(sorted(name for name in set(before) & set(after) if before[name] != after[name]))
        if old_policy.default_action != new_policy.default_action:
            default_action = (old_policy.default_action.value, new_policy.default_action.value)
    manifest = _manifest_dict(old_manifest) != _manifest_dict(new_manifest)
    return Changes(added, removed, modified, default_action, manifest, diff_config(old_config, new_config))


def diff_config(old: Config, new: Config) -> tuple[ConfigChange, ...]:
    """Keys whose effective value differs; secrets shown as ``***REDACTED***``."""
    before, after = old.flat(show_secrets=True), new.flat(show_secrets=True)
    changes = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) == after.get(key):
            continue
        section, _, name = key.partition(".")
        secret = old.is_secret(section, name) or new.is_secret(section, name)
        changes.append(ConfigChange(key, REDACTED if secret and before.get(key) is not None else before.get(key),
                                    REDACTED if secret and after.get(key) is not None else after.get(key),
                                    key in APPLIED_AT_RELOAD))
    return tuple(changes)


def fingerprint(rule: Rule) -> tuple[Any, ...]:
    """What a rule decides, comparable: its action, priority, reason and match (not
    its line in the file, which moves when another rule is edited)."""
    return (rule.action.value, rule.priority, rule.reason,
            tuple((f.name, _plain(getattr(rule.match, f.name))) for f in fields(rule.match)))


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, tuple | list):
        return tuple(_plain(item) for item in value)
    pattern = getattr(value, "pattern", None)
    if isinstance(pattern, str):  # a compiled regex
        return ("re", pattern, getattr(value, "flags", 0))
    globs = getattr(value, "globs", None)
    if globs is not None:  # a GlobSet
        return ("globs", tuple(globs))
    return repr(value)


def _manifest_dict(manifest: Manifest) -> dict[str, Any]:
    shown = manifest.to_dict()
    shown.pop("source", None)
    return shown


def _differ(count: int, noun: str) -> str:
    return f"1 {noun} differs" if count == 1 else f"{count} {noun}s differ"


def _shown(value: Any) -> str:
    if value is None:
        return "(unset)"
    return json.dumps(value) if not isinstance(value, str) else value
