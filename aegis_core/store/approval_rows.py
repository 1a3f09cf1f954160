"""The approvals and session grants tables, in SQL only. Every ending of an approval
is one compare-and-set on its status inside an IMMEDIATE, fully synced transaction,
so the first answer wins and every later one learns it came too late. What a row
says (redacted text, seals, who decided) is decided by :mod:`aegis_core.approvals`."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from aegis_core.models import Approval, ApprovalStatus
from aegis_core.store.interface import OPEN, StoredApproval, StoredGrant, StoredVote
from aegis_core.store.reads import SELECT_APPROVALS, approval_of, dict_rows, list_query

if TYPE_CHECKING:
    import apsw



class ApprovalRows:
    """Approval and grant methods of :class:`aegis_core.store.Store` (kept apart for size)."""

    def _transaction(self, *, durable: bool) -> AbstractContextManager[apsw.Connection]:
        raise NotImplementedError

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _value(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        raise NotImplementedError

    _ensure_session: Any

    # ------------------------------------------------------------ creating

    def create_approval(self, approval: Approval, *, agent: str, cwd: str, input_json: str,
                        signature: str, seal: str) -> None:
        with self._transaction(durable=True) as conn:
            self._ensure_session(conn, approval.session, agent, cwd, approval.created_at)
            conn.execute(
                "INSERT INTO approvals(id, call_id, session, tool, kind, summary, input_json, "
                "signature, rule, reason, risk, created_at, timeout_s, deadline_at, choices_json, seal, "
                "quorum, cwd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (approval.id, approval.call_id, approval.session, approval.tool, approval.kind.value,
                 approval.summary, input_json, signature, approval.rule, approval.reason,
                 approval.risk, approval.created_at, approval.deadline_at - approval.created_at,
                 approval.deadline_at, json.dumps(list(approval.choices)), seal, approval.quorum, cwd),
            )

    # ------------------------------------------------------------- ending

    def end_approval(self, approval: Approval, *, outcome: str | None, final_seal: str,
                     from_statuses: Sequence[ApprovalStatus] = OPEN,
                     grant: StoredGrant | None = None) -> tuple[bool, StoredApproval | None]:
        if not 1 <= len(from_statuses) <= 2:
            raise ValueError("an approval ends from one or two statuses")
        first, last = from_statuses[0].value, from_statuses[-1].value
        with self._transaction(durable=True) as conn:
            conn.execute(
                "UPDATE approvals SET status=?, outcome=?, decided_by=?, channel=?, decision_reason=?, "
                "decided_at=?, scope=?, choice=?, final_seal=? WHERE id=? AND status IN (?, ?)",
                (approval.status.value, outcome, approval.decided_by, approval.channel,
                 approval.decision_reason, approval.decided_at, approval.scope.value, approval.choice,
                 final_seal, approval.id, first, last),
            )
            won = conn.changes() == 1
            if won and grant is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO session_grants(session, signature, approval_id, granted_at, seal) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (grant.session, grant.signature, grant.approval_id, time.time(), grant.seal),
                )
            rows = dict_rows(conn.execute(SELECT_APPROVALS + " WHERE id=?", (approval.id,)))
        return won, (stored_approval(rows[0]) if rows else None)

    def add_vote(self, approval_id: str, vote: StoredVote) -> tuple[bool, Approval | None]:
        with self._transaction(durable=True) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO approval_votes(approval_id, voter, outcome, decided_by, channel, "
                "reason, voted_at, seal) SELECT id, ?, ?, ?, ?, ?, ?, ? FROM approvals "
                "WHERE id=? AND status='pending'",
                (vote.voter, vote.outcome, vote.decided_by, vote.channel, vote.reason, time.time(),
                 vote.seal, approval_id),
            )
            added = conn.changes() == 1
            rows = dict_rows(conn.execute(SELECT_APPROVALS + " WHERE id=?", (approval_id,)))
        return added, (approval_of(rows[0]) if rows else None)

    def overdue_approvals(self, now: float, *, all_pending: bool = False) -> list[str]:
        rows = self._rows(
            "SELECT id FROM approvals WHERE status='pending' AND (? OR deadline_at <= ? OR created_at > ?) "
            "ORDER BY created_at, rowid",
            (int(all_pending), now, now),
        )
        return [row["id"] for row in rows]

    # ------------------------------------------------------------ reading

    def load_approval(self, approval_id: str) -> StoredApproval | None:
        rows = self._rows(SELECT_APPROVALS + " WHERE id=?", (approval_id,))
        return stored_approval(rows[0]) if rows else None

    def get_approval(self, approval_id: str) -> Approval | None:
        rows = self._rows(SELECT_APPROVALS + " WHERE id=?", (approval_id,))
        return approval_of(rows[0]) if rows else None

    def find_approvals(self, prefix: str) -> list[Approval]:
        """Approvals whose id starts with ``prefix`` (the CLI accepts short ids)."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._rows(
            SELECT_APPROVALS + " WHERE id LIKE ? ESCAPE '\\' LIMIT 5", (escaped + "%",)
        )
        return [approval_of(row) for row in rows]

    def approval_details(self, approval_id: str) -> dict[str, Any] | None:
        """Everything stored about an approval, including its (redacted) input and
        the outcome an expiry applied."""
        rows = self._rows(SELECT_APPROVALS + " WHERE id=?", (approval_id,))
        if not rows:
            return None
        row = rows[0]
        details = approval_of(row).to_dict()
        details.update(
            input=json.loads(row["input_json"]), outcome=row["outcome"], timeout_s=row["timeout_s"]
        )
        return details

    def list_approvals(self, *, status: str | None = "pending", limit: int = 100) -> list[Approval]:
        """Pending ones oldest first (the queue); with another status or None (all),
        newest first."""
        rows = self._rows(*list_query(status, limit))
        return [approval_of(row) for row in rows]

    def history(self, *, limit: int = 50) -> list[Approval]:
        """Ended approvals, most recently decided first."""
        rows = self._rows(
            SELECT_APPROVALS + " WHERE status != 'pending' ORDER BY decided_at DESC, rowid DESC LIMIT ?",
            (limit,),
        )
        return [approval_of(row) for row in rows]

    def count_approvals_since(self, session: str, since_wall_time: float) -> int:
        return int(
            self._value(
                "SELECT COUNT(*) FROM approvals WHERE session=? AND created_at >= ?",
                (session, since_wall_time),
            )
        )

    # ------------------------------------------------------------- grants

    def get_grant(self, session: str, signature: str) -> StoredGrant | None:
        rows = self._rows(
            "SELECT session, signature, approval_id, seal FROM session_grants "
            "WHERE session=? AND signature=?",
            (session, signature),
        )
        if not rows:
            return None
        row = rows[0]
        return StoredGrant(row["session"], row["signature"], row["approval_id"], row["seal"])

    def revoke_grant(self, session: str, signature: str) -> None:
        with self._transaction(durable=True) as conn:
            conn.execute(
                "DELETE FROM session_grants WHERE session=? AND signature=?", (session, signature)
            )


def stored_approval(row: Mapping[str, Any]) -> StoredApproval:
    return StoredApproval(approval_of(row), row["signature"], row["seal"], row["final_seal"],
                          row["outcome"])
