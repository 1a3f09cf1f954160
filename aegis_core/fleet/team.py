"""Team rules (``[team] members``): who may answer which approvals, by role and scope,
and who is the same person (two-person rules count people, not identities).

Each entry reads ``IDENTITY ROLE [machine=GLOB|GLOB] [project=GLOB|GLOB] [person=NAME]``:
``IDENTITY`` is who answers as Aegis sees them (``telegram:123456``,
``whatsapp:+15551234567``, ``cli:alice@laptop``; globs allowed), ``ROLE`` is ``admin``
(anything), ``approver`` (answers within its scope) or ``viewer`` (sees, never
answers), ``person`` names the human behind it: entries with the same person are one
approver. With no entries, every channel's own users answer as before. An answer
from anyone the rules do not let answer this approval is refused and audited.

Who counts as one person (:meth:`TeamRules.people`) is read fail-safe: the same
account name at the CLI is one person on every machine (``cli:alice@a`` and
``cli:alice@b``, whatever the roster says), identities sharing a ``person`` are one,
and an identity Aegis cannot attribute to a person (not a CLI account, a Telegram
user or a WhatsApp number, nor named in the roster) never counts as a different one."""

from __future__ import annotations

import fnmatch
import re
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
    person: str | None = None

    def matches(self, identity: str) -> bool:
        return fnmatch.fnmatchcase(normal(identity), normal(self.identity))

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
                          f"[project=GLOB] [person=NAME]\" with ROLE one of {', '.join(ROLES)}")
    machines: list[str] = []
    projects: list[str] = []
    person: str | None = None
    for word in words[2:]:
        key, _, value = word.partition("=")
        if key == "person" and value and person is None:
            person = value
            continue
        if key not in ("machine", "project") or not value:
            raise ConfigError(f"[team] members entry {entry!r}: {word!r} is not machine=GLOB, project=GLOB "
                              "or person=NAME (once)")
        (machines if key == "machine" else projects).extend(v for v in value.split("|") if v)
    return Member(words[0], words[1], tuple(machines), tuple(projects), person)


_ACCOUNT = re.compile(r"cli:(?P<account>[^@]+)@.*")
_TELEGRAM = re.compile(r"telegram:\d+")
_WHATSAPP = re.compile(r"whatsapp:\+?(?P<number>\d+)")


def normal(identity: str) -> str:
    """One spelling per identity: a WhatsApp number always with its ``+``."""
    if identity.startswith("whatsapp:") and not identity.startswith("whatsapp:+"):
        return "whatsapp:+" + identity[len("whatsapp:"):]
    return identity


def account_of(identity: str) -> str | None:
    """The person an identity stands for without a roster: the CLI account (on any
    machine), the Telegram user or the WhatsApp number; None when it names none of
    them (e.g. a plugin, or a name the answer merely claims)."""
    cli = _ACCOUNT.fullmatch(identity)
    if cli:
        return f"cli:{cli['account']}"
    if _TELEGRAM.fullmatch(identity):
        return identity
    whatsapp = _WHATSAPP.fullmatch(identity)
    return f"whatsapp:+{whatsapp['number']}" if whatsapp else None


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

    def keys(self, identity: str) -> set[str]:
        """What ties ``identity`` to a person: its account (see :func:`account_of`) and
        every roster person it may be, including, for a CLI account, each person the
        roster declares that account for on any machine. Empty: not attributable."""
        keys: set[str] = set()
        account = account_of(identity)
        if account is not None:
            keys.add(account)
        cli = _ACCOUNT.fullmatch(identity)
        for member in self.members:
            if member.person is None:
                continue
            if member.matches(identity):
                keys.add(f"person:{member.person}")
            elif cli is not None:  # the same account on another machine is the same person
                declared = _ACCOUNT.fullmatch(member.identity)
                if declared is not None and fnmatch.fnmatchcase(cli["account"], declared["account"]):
                    keys.add(f"person:{member.person}")
        return keys

    def attributable(self, identity: str) -> bool:
        return bool(self.keys(identity))

    def people(self, identities: list[str] | tuple[str, ...]) -> int:
        """How many different people ``identities`` are: two identities sharing an
        account or a roster person are one; an identity that cannot be attributed
        adds nobody (it might be any of the others)."""
        groups: list[set[str]] = []
        for identity in identities:
            keys = self.keys(identity)
            if not keys:
                continue
            joined = [group for group in groups if group & keys]
            for group in joined:
                keys |= group
                groups.remove(group)
            groups.append(keys)
        return len(groups)

    def same_person(self, identity: str, others: list[str] | tuple[str, ...]) -> str | None:
        """The first of ``others`` that is the same person as ``identity`` (None: none is)."""
        return next((other for other in others if self.people([other, identity]) == 1), None)

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
