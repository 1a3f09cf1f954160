"""Team rules (``[team] members``): who may answer which approvals, by role and scope.

Each entry reads ``IDENTITY ROLE [machine=GLOB|GLOB] [project=GLOB|GLOB]``:
``IDENTITY`` is who answers as Aegis sees them (``telegram:123456``,
``whatsapp:+15551234567``, ``cli:alice@laptop``; globs allowed), ``ROLE`` is ``admin``
(anything), ``approver`` (answers within its scope) or ``viewer`` (sees, never
answers). With no entries, every channel's own users answer as before. An answer
from anyone the rules do not let answer this approval is refused and audited."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aegis_core.errors import ConfigError

if TYPE_CHECKING:
    from aegis_core.config import Config
    from aegis_core.models import Approval

ROLES = ("admin", "approver", "viewer")


@dataclass(frozen=True)
class Member:
    identity: str
    role: str
    machines: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()

    def matches(self, identity: str) -> bool:
        return fnmatch.fnmatchcase(identity, self.identity)

    def covers(self, machine: str, project: str) -> bool:
        if self.role == "admin":
            return True
        return (not self.machines or any(fnmatch.fnmatchcase(machine, g) for g in self.machines)) and \
               (not self.projects or any(_within(project, g) for g in self.projects))


def _within(path: str, pattern: str) -> bool:
    """``path`` matches the glob, or lies inside the folder it names."""
    if not path:
        return False
    if fnmatch.fnmatchcase(path, pattern):
        return True
    folder = pattern.rstrip("/")
    return not any(c in folder for c in "*?[") and path.startswith(folder + "/")


def parse_member(entry: str) -> Member:
    words = entry.split()
    if len(words) < 2 or words[1] not in ROLES:
        raise ConfigError(f"[team] members entry {entry!r} must read \"IDENTITY ROLE [machine=GLOB] "
                          f"[project=GLOB]\" with ROLE one of {', '.join(ROLES)}")
    machines: list[str] = []
    projects: list[str] = []
    for word in words[2:]:
        key, _, value = word.partition("=")
        if key not in ("machine", "project") or not value:
            raise ConfigError(f"[team] members entry {entry!r}: {word!r} is not machine=GLOB or project=GLOB")
        (machines if key == "machine" else projects).extend(v for v in value.split("|") if v)
    return Member(words[0], words[1], tuple(machines), tuple(projects))


@dataclass(frozen=True)
class TeamRules:
    members: tuple[Member, ...] = ()

    @classmethod
    def from_config(cls, config: Config | None) -> TeamRules:
        entries = config.get("team", "members") if config is not None else None
        return cls(tuple(parse_member(str(entry)) for entry in entries or ()))

    @property
    def enabled(self) -> bool:
        return bool(self.members)

    def refusal(self, identity: str, approval: Approval, machine: str) -> str | None:
        """Why ``identity`` may not answer ``approval`` (asked on ``machine``), or None."""
        if not self.members:
            return None
        mine = [m for m in self.members if m.matches(identity)]
        if not mine:
            return f"{identity} is not a member of the team ([team] members)"
        if all(m.role == "viewer" for m in mine):
            return f"{identity} is a viewer: viewers see approvals but do not answer them"
        if not any(m.role != "viewer" and m.covers(machine, approval.cwd) for m in mine):
            where = f"machine {machine}" + (f", project {approval.cwd}" if approval.cwd else "")
            return f"{identity} may not answer approvals of {where} (outside their scope in [team] members)"
        return None
