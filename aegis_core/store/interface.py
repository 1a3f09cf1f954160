"""What the approvals object and the pipeline need from a store, as a Protocol: the
seam a second store (PostgreSQL, issue 18) implements. Rows come in already
redacted and sealed; a store only keeps them and does each compare-and-set in
one transaction. No rule of Aegis lives behind this interface, only SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aegis_core.models import Approval, ApprovalStatus, ToolCall, Verdict

# Statuses an answer may still change: a pending approval, and one handed to the
# agent's own prompt (its terminal answer is recorded later).
OPEN = (ApprovalStatus.PENDING,)


@dataclass(frozen=True)
class StoredApproval:
    """An approval row with what only the approvals object reads: the signature of
    the call it is about and the two seals (at creation, at its end)."""

    approval: Approval
    signature: str
    seal: str
    final_seal: str
    outcome: str | None = None


@dataclass(frozen=True)
class StoredGrant:
    """"Allow this call for the rest of the session", as stored."""

    session: str
    signature: str
    approval_id: str | None
    seal: str


@dataclass(frozen=True)
class StoredVote:
    """One approver's answer to an approval that needs several (``quorum``)."""

    voter: str
    outcome: str
    decided_by: str
    channel: str
    reason: str = ""
    seal: str = ""


@dataclass(frozen=True)
class CallRecord:
    """One tool call as the store keeps it: the call (its ids, tool, cwd...), its
    input already redacted and encoded, the verdict (reason redacted) and the
    result given to the agent: ``allow``, ``deny``, ``ask`` (final) or
    ``require_approval`` (still waiting)."""

    call: ToolCall
    input_json: str
    verdict: Verdict
    reason: str
    decision: str
    approval_id: str | None = None


class ApprovalStore(Protocol):
    """Approvals, grants, sessions and tool calls. Every method is one transaction;
    ``end_approval`` is the compare-and-set every transition relies on."""

    # -- approvals ---------------------------------------------------------------

    def create_approval(self, approval: Approval, *, agent: str, cwd: str, input_json: str,
                        signature: str, seal: str) -> None:
        """Store a pending approval; durable (synced) before it returns."""

    def end_approval(self, approval: Approval, *, outcome: str | None, final_seal: str,
                     from_statuses: Sequence[ApprovalStatus] = OPEN,
                     grant: StoredGrant | None = None) -> tuple[bool, StoredApproval | None]:
        """Compare-and-set: write ``approval``'s status and decision fields if the row
        is still in one of ``from_statuses``, and ``grant`` with it. Returns whether
        this call won, and the row as it is now. Durable before it returns."""

    def load_approval(self, approval_id: str) -> StoredApproval | None: ...

    def get_approval(self, approval_id: str) -> Approval | None: ...

    def find_approvals(self, prefix: str) -> list[Approval]: ...

    def approval_details(self, approval_id: str) -> dict[str, Any] | None: ...

    def list_approvals(self, *, status: str | None = "pending", limit: int = 100) -> list[Approval]: ...

    def history(self, *, limit: int = 50) -> list[Approval]: ...

    def count_approvals_since(self, session: str, since_wall_time: float) -> int: ...

    def overdue_approvals(self, now: float, *, all_pending: bool = False) -> list[str]:
        """Ids of this machine's pending approvals past their deadline (or created in
        the future: the clock went back); with ``all_pending``, of every pending one."""

    def add_vote(self, approval_id: str, vote: StoredVote) -> tuple[bool, Approval | None]:
        """Record one approver's vote on a pending approval, once per voter, in one
        transaction; returns whether it was added and the approval with its votes."""

    # -- grants ------------------------------------------------------------------

    def get_grant(self, session: str, signature: str) -> StoredGrant | None: ...

    def revoke_grant(self, session: str, signature: str) -> None: ...

    # -- sessions ----------------------------------------------------------------

    def create_session(self, session: str, *, agent: str, token_hash: str | None, cwd: str,
                       command: str = "", approval_timeout_s: float | None = None) -> None: ...

    def get_session(self, session: str) -> dict[str, Any] | None: ...

    def end_session(self, session: str, exit_status: int | None) -> None: ...

    def pause_session(self, session: str, reason: str) -> None: ...

    def resume_session(self, session: str, by: str) -> bool: ...

    def is_paused(self, session: str) -> bool: ...

    def session_timeout(self, session: str) -> float | None:
        """The session's own approval timeout (``aegis wrap --timeout``), if it has one."""

    # -- tool calls --------------------------------------------------------------

    def record_calls(self, records: Sequence[CallRecord]) -> None:
        """Store tool calls and, for final results, the decisions the circuit breaker
        counts; all in one transaction. Recording a call again updates it."""

    def consecutive_denies(self, session: str) -> int: ...

    def purge_calls(self, before: float) -> int:
        """Delete tool calls received before ``before`` (wall clock); returns how many."""

    # -- the file ----------------------------------------------------------------

    def check_integrity(self) -> None:
        """A quick structural check (raises StateCorruption); for start-up and doctor."""

    def close(self) -> None: ...
