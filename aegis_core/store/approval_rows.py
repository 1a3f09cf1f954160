"""The approvals table: creating an approval and ending it. Every ending is one
compare-and-set on ``status='pending'`` inside an IMMEDIATE, fully synced
transaction, so the first answer wins and every later one learns it came too late."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from aegis_core.models import (
    Approval,
    ApprovalStatus,
    Decision,
    Kind,
    Outcome,
    ResolveResult,
    Scope,
    ToolCall,
    Verdict,
    new_id,
)
from aegis_core.redact import redact_text, redact_value

if TYPE_CHECKING:
    import apsw

SUMMARY_LIMIT = 2000
_STATUS_OF = {
    Outcome.APPROVE: ApprovalStatus.APPROVED,
    Outcome.DENY: ApprovalStatus.DENIED,
    Outcome.ASK: ApprovalStatus.CANCELLED,
}


class ApprovalRows:
    """Approval methods of :class:`aegis_core.store.Store` (kept apart for size)."""

    def _transaction(self, *, durable: bool) -> AbstractContextManager[apsw.Connection]:
        raise NotImplementedError

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _value(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        raise NotImplementedError

    _ensure_session: Any

    # ------------------------------------------------------------ creating

    def create_approval(
        self, call: ToolCall, verdict: Verdict, *, timeout_s: float, choices: tuple[str, ...] = ()
    ) -> Approval:
        """Store a pending approval for ``call``; synced to disk before it returns.

        ``deadline_at`` is wall-clock, for display and for expiring it after a
        restart; the running daemon times the wait on its monotonic clock.
        """
        from aegis_core.approvals import call_signature

        now = time.time()
        approval = Approval(
            id=new_id(),
            call_id=call.id,
            session=call.session,
            tool=call.tool,
            kind=call.kind,
            summary=redact_text(call.summary())[:SUMMARY_LIMIT],
            rule=verdict.rule,
            reason=redact_text(verdict.reason),
            risk=verdict.risk,
            created_at=now,
            deadline_at=now + timeout_s,
            choices=tuple(choices),
        )
        with self._transaction(durable=True) as conn:
            self._ensure_session(conn, call.session, call.agent, call.cwd, now)
            conn.execute(
                "INSERT INTO approvals(id, call_id, session, tool, kind, summary, input_json, "
                "signature, rule, reason, risk, created_at, timeout_s, deadline_at, choices_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    approval.id,
                    call.id,
                    call.session,
                    call.tool,
                    call.kind.value,
                    approval.summary,
                    json.dumps(redact_value(dict(call.input)), default=str),
                    call_signature(call),
                    approval.rule,
                    approval.reason,
                    approval.risk,
                    now,
                    float(timeout_s),
                    approval.deadline_at,
                    json.dumps(list(choices)),
                ),
            )
        return approval

    # ------------------------------------------------------------- ending

    def resolve(self, approval_id: str, decision: Decision) -> ResolveResult:
        """Answer a pending approval: approve, deny, or ``ask`` (handed back to the
        agent's own prompt, recorded as cancelled). An approval for the session
        also grants later identical calls in the same transaction."""
        status = _STATUS_OF[decision.outcome]
        return self._finish(
            approval_id,
            status,
            outcome=decision.outcome.value,
            decided_by=decision.decided_by,
            channel=decision.channel,
            reason=redact_text(decision.reason),
            scope=decision.scope,
            choice=decision.choice,
            grant=decision.outcome is Outcome.APPROVE and decision.scope is Scope.SESSION,
        )

    def expire(self, approval_id: str, default_action: str) -> ResolveResult:
        """End an approval whose deadline passed; the outcome is the default action."""
        outcome = "approve" if default_action == "approve" else "deny"
        return self._finish(
            approval_id,
            ApprovalStatus.EXPIRED,
            outcome=outcome,
            decided_by="aegis",
            channel="timeout",
            reason=f"no answer before the deadline; default action: {outcome}",
        )

    def cancel(self, approval_id: str, reason: str, by: str) -> ResolveResult:
        """End an approval nobody needs any more (answered at the keyboard, agent gone)."""
        return self._finish(
            approval_id,
            ApprovalStatus.CANCELLED,
            outcome=None,
            decided_by=by,
            channel="cancel",
            reason=redact_text(reason),
        )

    def expire_overdue(
        self, now: float | None = None, *, all_pending: bool = False
    ) -> list[Approval]:
        """Expire approvals left pending by an earlier daemon, as denied.

        Run at start-up. Overdue ones (and, with ``all_pending``, every pending one,
        since no agent still waits on them) end as ``expired`` with outcome deny,
        whatever ``default_action`` says: a restart never approves anything. A
        deadline in the future by more than its timeout means the clock jumped
        back, and counts as overdue.
        """
        now = time.time() if now is None else now
        reason = "expired: Aegis restarted after its deadline; a restart never approves (denied)"
        with self._transaction(durable=True) as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM approvals WHERE status='pending' AND "
                    "(? OR deadline_at <= ? OR created_at > ?)",
                    (int(all_pending), now, now),
                )
            ]
            for approval_id in ids:
                conn.execute(
                    "UPDATE approvals SET status='expired', outcome='deny', decided_by='aegis', "
                    "channel='restart', decision_reason=?, decided_at=? "
                    "WHERE id=? AND status='pending'",
                    (reason, now, approval_id),
                )
        return [a for a in (self.get_approval(i) for i in ids) if a is not None]

    def _finish(
        self,
        approval_id: str,
        status: ApprovalStatus,
        *,
        outcome: str | None,
        decided_by: str,
        channel: str,
        reason: str,
        scope: Scope = Scope.ONCE,
        choice: str | None = None,
        grant: bool = False,
    ) -> ResolveResult:
        now = time.time()
        with self._transaction(durable=True) as conn:
            conn.execute(
                "UPDATE approvals SET status=?, outcome=?, decided_by=?, channel=?, "
                "decision_reason=?, decided_at=?, scope=?, choice=? "
                "WHERE id=? AND status='pending'",
                (
                    status.value,
                    outcome,
                    decided_by,
                    channel,
                    reason,
                    now,
                    scope.value,
                    choice,
                    approval_id,
                ),
            )
            won = conn.changes() == 1
            if won and grant:
                conn.execute(
                    "INSERT OR IGNORE INTO session_grants"
                    "(session, signature, approval_id, granted_at) "
                    "SELECT session, signature, id, ? FROM approvals "
                    "WHERE id=? AND signature != ''",
                    (now, approval_id),
                )
            rows = dict_rows(conn.execute("SELECT * FROM approvals WHERE id=?", (approval_id,)))
        return ResolveResult(won=won, approval=_approval(rows[0]) if rows else None)

    # ------------------------------------------------------------ reading

    def get_approval(self, approval_id: str) -> Approval | None:
        rows = self._rows("SELECT * FROM approvals WHERE id=?", (approval_id,))
        return _approval(rows[0]) if rows else None

    def find_approvals(self, prefix: str) -> list[Approval]:
        """Approvals whose id starts with ``prefix`` (the CLI accepts short ids)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._rows(
            "SELECT * FROM approvals WHERE id LIKE ? ESCAPE '\\' LIMIT 5", (escaped + "%",)
        )
        return [_approval(row) for row in rows]

    def approval_details(self, approval_id: str) -> dict[str, Any] | None:
        """Everything stored about an approval, including its (redacted) input and
        the outcome an expiry applied."""
        rows = self._rows("SELECT * FROM approvals WHERE id=?", (approval_id,))
        if not rows:
            return None
        row = rows[0]
        details = _approval(row).to_dict()
        details.update(
            input=json.loads(row["input_json"]), outcome=row["outcome"], timeout_s=row["timeout_s"]
        )
        return details

    def list_approvals(self, *, status: str | None = "pending", limit: int = 100) -> list[Approval]:
        """Pending ones oldest first (the queue); with another status or None (all),
        newest first."""
        if status == "pending":
            rows = self._rows(
                "SELECT * FROM approvals WHERE status='pending' ORDER BY created_at, rowid LIMIT ?",
                (limit,),
            )
        elif status is None:
            rows = self._rows(
                "SELECT * FROM approvals ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
            )
        else:
            rows = self._rows(
                "SELECT * FROM approvals WHERE status=? "
                "ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (status, limit),
            )
        return [_approval(row) for row in rows]

    def history(self, *, limit: int = 50) -> list[Approval]:
        """Ended approvals, most recently decided first."""
        rows = self._rows(
            "SELECT * FROM approvals WHERE status != 'pending' "
            "ORDER BY decided_at DESC, rowid DESC LIMIT ?",
            (limit,),
        )
        return [_approval(row) for row in rows]

    def count_approvals_since(self, session: str, since_wall_time: float) -> int:
        return int(
            self._value(
                "SELECT COUNT(*) FROM approvals WHERE session=? AND created_at >= ?",
                (session, since_wall_time),
            )
        )

    # ------------------------------------------------------------- grants

    def grant(self, session: str, signature: str, *, approval_id: str | None = None) -> None:
        now = time.time()
        with self._transaction(durable=True) as conn:
            self._ensure_session(conn, session, "unknown", "", now)
            conn.execute(
                "INSERT OR IGNORE INTO session_grants(session, signature, approval_id, "
                "granted_at) VALUES (?, ?, ?, ?)",
                (session, signature, approval_id, now),
            )

    def has_grant(self, session: str, signature: str) -> bool:
        return (
            self._value(
                "SELECT 1 FROM session_grants WHERE session=? AND signature=?", (session, signature)
            )
            is not None
        )

    def grant_source(self, session: str, signature: str) -> Approval | None:
        """The approval that granted ``signature`` in ``session``, for audit details."""
        approval_id = self._value(
            "SELECT approval_id FROM session_grants WHERE session=? AND signature=?",
            (session, signature),
        )
        return self.get_approval(approval_id) if approval_id else None


def dict_rows(cursor: Any) -> list[dict[str, Any]]:
    """Rows of an executed cursor as dicts (the description is only readable while
    the statement still has rows)."""
    import apsw

    try:
        names = [d[0] for d in cursor.get_description()]
    except apsw.ExecutionCompleteError:
        return []
    return [dict(zip(names, row, strict=True)) for row in cursor]


def row_kind(value: str) -> Kind:
    """A stored kind; one this version does not know (written by a newer one) is ``other``."""
    try:
        return Kind(value)
    except ValueError:
        return Kind.OTHER


def _approval(row: Mapping[str, Any]) -> Approval:
    kind = row_kind(row["kind"])
    return Approval(
        id=row["id"],
        call_id=row["call_id"],
        session=row["session"],
        tool=row["tool"],
        kind=kind,
        summary=row["summary"],
        status=ApprovalStatus(row["status"]),
        rule=row["rule"],
        reason=row["reason"],
        risk=row["risk"],
        created_at=row["created_at"],
        deadline_at=row["deadline_at"],
        scope=Scope(row["scope"]),
        decided_by=row["decided_by"],
        channel=row["channel"],
        decision_reason=row["decision_reason"],
        decided_at=row["decided_at"],
        choices=tuple(json.loads(row["choices_json"])),
        choice=row["choice"],
    )
