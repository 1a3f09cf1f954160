"""An approval (a human decision Aegis waits for, or got) and the answer to one."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from aegis_core.models.vocabulary import ApprovalStatus, Kind, Outcome, Scope


@dataclass(frozen=True)
class Approval:
    """A human decision Aegis is waiting for (or got) about one tool call."""

    id: str
    call_id: str
    session: str
    tool: str
    kind: Kind
    summary: str
    status: ApprovalStatus = ApprovalStatus.PENDING
    rule: str | None = None
    reason: str = ""
    risk: int = 0
    created_at: float = field(default_factory=time.time)
    deadline_at: float = 0.0
    scope: Scope = Scope.ONCE
    decided_by: str | None = None
    channel: str | None = None
    decision_reason: str | None = None
    decided_at: float | None = None
    choices: tuple[str, ...] = ()
    choice: str | None = None
    # Two-person rules: how many different approvers it needs, and who approved so far.
    quorum: int = 1
    votes: tuple[str, ...] = ()  # their names, as shown
    # Their identities (``Decision.who``), as two-person rules count them, each with its
    # vote's seal: only votes whose seal holds are counted.
    voters: tuple[tuple[str, str], ...] = ()
    # Fleet mode: the machine whose agent asked, and its working directory.
    machine: str = ""
    cwd: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "call_id": self.call_id,
            "session": self.session,
            "tool": self.tool,
            "kind": self.kind.value,
            "summary": self.summary,
            "status": self.status.value,
            "rule": self.rule,
            "reason": self.reason,
            "risk": self.risk,
            "created_at": self.created_at,
            "deadline_at": self.deadline_at,
            "scope": self.scope.value,
            "decided_by": self.decided_by,
            "channel": self.channel,
            "decision_reason": self.decision_reason,
            "decided_at": self.decided_at,
            "choices": list(self.choices),
            "choice": self.choice,
            "quorum": self.quorum,
            "votes": list(self.votes),
            "machine": self.machine,
            "cwd": self.cwd,
        }


@dataclass(frozen=True)
class ResolveResult:
    """``won`` is False when the approval had already ended; ``approval`` is then
    its final state (who decided, how), for telling the late answerer."""

    won: bool
    approval: Approval | None
    # Said to whoever answered, beside the outcome ("1 of 2 approvers so far").
    note: str | None = None


@dataclass(frozen=True)
class Decision:
    """An answer to an approval: who gave it, through which channel, and why.
    ``identity`` is who answered as team rules and two-person rules see it
    (``telegram:<id>``, ``cli:<user>@<machine>``); by default ``channel:decided_by``."""

    outcome: Outcome
    decided_by: str
    channel: str
    reason: str = ""
    scope: Scope = Scope.ONCE
    choice: str | None = None
    identity: str | None = None

    @property
    def who(self) -> str:
        if self.identity:
            return self.identity
        return self.decided_by if ":" in self.decided_by else f"{self.channel}:{self.decided_by}"
