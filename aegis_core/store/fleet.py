"""The store of a machine in a fleet: what is shared (approvals, their votes, session
grants, sessions) in PostgreSQL, what is this machine's own (tool calls, the circuit
breaker's decisions and pauses, a session's own timeout) in its SQLite.

Why the split: an auto-allowed call writes only tool calls and decisions, so it never
waits on the network and keeps working when PostgreSQL is down; the circuit breaker
counts one session's calls, which all come to this machine. Every decision still
reaches the fleet, through the audit records each machine ships (aegis_core.fleet.shipping)."""

from __future__ import annotations

from typing import Any

import structlog

from aegis_core.store.db import Store
from aegis_core.store.postgres import FleetUnavailable, PostgresStore

log = structlog.get_logger(__name__)

# Methods answered by the fleet's PostgreSQL; everything else is the local SQLite's.
SHARED = frozenset({
    "create_approval", "end_approval", "add_vote", "overdue_approvals", "load_approval", "get_approval",
    "find_approvals", "approval_details", "list_approvals", "history", "count_approvals_since",
    "get_grant", "revoke_grant",
})


class FleetStore:
    """An :class:`aegis_core.store.interface.ApprovalStore` over both stores."""

    def __init__(self, local: Store, fleet: PostgresStore) -> None:
        self.local = local
        self.fleet = fleet
        self.path = local.path
        self.machine = fleet.machine

    def __getattr__(self, name: str) -> Any:
        target = self.fleet if name in SHARED else self.local
        return getattr(target, name)

    # Sessions live on this machine (its breaker, its timeout) and are shown to the
    # fleet; a fleet that is down does not stop `aegis wrap` (its risky calls are
    # denied, its safe ones run).

    def create_session(self, session: str, *, agent: str, token_hash: str | None, cwd: str, command: str = "",
                       approval_timeout_s: float | None = None) -> None:
        self.local.create_session(session, agent=agent, token_hash=token_hash, cwd=cwd, command=command,
                                  approval_timeout_s=approval_timeout_s)
        try:
            self.fleet.create_session(session, agent=agent, cwd=cwd, command=command)
        except FleetUnavailable as exc:
            log.warning("fleet.session_not_shared", session=session, error=exc.message)

    def end_session(self, session: str, exit_status: int | None) -> None:
        self.local.end_session(session, exit_status)
        try:
            self.fleet.end_session(session, exit_status)
        except FleetUnavailable as exc:
            log.warning("fleet.session_end_not_shared", session=session, error=exc.message)

    def check_integrity(self) -> None:
        self.local.check_integrity()

    def close(self) -> None:
        try:
            self.fleet.close()
        finally:
            self.local.close()

    def __enter__(self) -> FleetStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
