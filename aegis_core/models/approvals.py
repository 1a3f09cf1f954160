"""An approval (a human decision Aegis waits for, or got) and the answer to one."""

from __future__ import annotations

import time

from aegis_core.frozen import Frozen
from aegis_core.models.vocabulary import ApprovalStatus, Kind, Outcome, Scope

# Not dataclasses, nor `from typing import ...`: `aegis approvals list` reads these
# values, and those imports would cost it more than the rest of its start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Approval(Frozen):
    """A human decision Aegis is waiting for (or got) about one tool call."""

    __match_args__ = ("id", "call_id", "session", "tool", "kind", "summary", "status", "rule", "reason", "risk",
                      "created_at", "deadline_at", "scope", "decided_by", "channel", "decision_reason",
                      "decided_at", "choices", "choice", "quorum", "votes", "machine", "cwd")
    __slots__ = __match_args__
    id: str
    call_id: str
    session: str
    tool: str
    kind: Kind
    summary: str
    status: ApprovalStatus
    rule: str | None
    reason: str
    risk: int
    created_at: float
    deadline_at: float
    scope: Scope
    decided_by: str | None
    channel: str | None
    decision_reason: str | None
    decided_at: float | None
    choices: tuple[str, ...]
    choice: str | None
    # Two-person rules: how many different approvers it needs, and who approved so far.
    quorum: int
    votes: tuple[str, ...]
    # Fleet mode: the machine whose agent asked, and its working directory.
    machine: str
    cwd: str

    def __init__(self, id: str, call_id: str, session: str, tool: str, kind: Kind, summary: str,
                 status: ApprovalStatus = ApprovalStatus.PENDING, rule: str | None = None, reason: str = "",
                 risk: int = 0, created_at: float | None = None, deadline_at: float = 0.0,
                 scope: Scope = Scope.ONCE, decided_by: str | None = None, channel: str | None = None,
                 decision_reason: str | None = None, decided_at: float | None = None,
                 choices: tuple[str, ...] = (), choice: str | None = None, quorum: int = 1,
                 votes: tuple[str, ...] = (), machine: str = "", cwd: str = "") -> None:
        self._set(id, call_id, session, tool, kind, summary, status, rule, reason, risk,
                  time.time() if created_at is None else created_at, deadline_at, scope, decided_by, channel,
                  decision_reason, decided_at, choices, choice, quorum, votes, machine, cwd)

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


class ResolveResult(Frozen):
    """``won`` is False when the approval had already ended; ``approval`` is then
    its final state (who decided, how), for telling the late answerer."""

    __match_args__ = ("won", "approval", "note")
    __slots__ = __match_args__
    won: bool
    approval: Approval | None
    # Said to whoever answered, beside the outcome ("1 of 2 approvers so far").
    note: str | None

    def __init__(self, won: bool, approval: Approval | None, note: str | None = None) -> None:
        self._set(won, approval, note)


class Decision(Frozen):
    """An answer to an approval: who gave it, through which channel, and why.
    ``identity`` is who answered as team rules and two-person rules see it
    (``telegram:<id>``, ``cli:<user>@<machine>``); by default ``channel:decided_by``."""

    __match_args__ = ("outcome", "decided_by", "channel", "reason", "scope", "choice", "identity")
    __slots__ = __match_args__
    outcome: Outcome
    decided_by: str
    channel: str
    reason: str
    scope: Scope
    choice: str | None
    identity: str | None

    def __init__(self, outcome: Outcome, decided_by: str, channel: str, reason: str = "",
                 scope: Scope = Scope.ONCE, choice: str | None = None, identity: str | None = None) -> None:
        self._set(outcome, decided_by, channel, reason, scope, choice, identity)

    @property
    def who(self) -> str:
        if self.identity:
            return self.identity
        return self.decided_by if ":" in self.decided_by else f"{self.channel}:{self.decided_by}"
