"""The fleet store: approvals, votes, session grants, sessions, machines, channel state
and shipped audit records in a PostgreSQL database every daemon of the fleet shares,
through psycopg 3. SQL only, like the SQLite store: every ending of an approval is one
``UPDATE ... WHERE id = %s AND status IN (...)`` in its own transaction, which also
sends ``NOTIFY`` so every daemon's waiter learns of it on commit.

A lost connection raises :class:`FleetUnavailable` (never a silent default); while
the link is down, calls fail at once instead of each waiting for a timeout, and a
new connection is tried with a growing back-off."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from aegis_core.errors import NetworkError, StateCorruption
from aegis_core.models import Approval, ApprovalStatus
from aegis_core.store.approval_rows import stored_approval
from aegis_core.store.interface import OPEN, StoredApproval, StoredGrant, StoredVote
from aegis_core.store.pg_schema import MIGRATION_LOCK, MIGRATIONS, NOTIFY_CHANNEL, SCHEMA_VERSION
from aegis_core.store.reads import approval_of
from aegis_core.store.url import describe_url, scrub

CONNECT_TIMEOUT_S = 3
MAX_BACKOFF_S = 10.0

_SELECT = ("SELECT a.*, COALESCE((SELECT json_agg(v.decided_by ORDER BY v.voted_at) FROM approval_votes v "
           "WHERE v.approval_id = a.id AND v.outcome = 'approve'), '[]'::json) AS votes_json, "
           "COALESCE((SELECT json_agg(json_build_array(v.voter, v.seal) ORDER BY v.voted_at) FROM approval_votes v "
           "WHERE v.approval_id = a.id AND v.outcome = 'approve'), '[]'::json) AS voters_json FROM approvals a")


class FleetUnavailable(NetworkError):
    """The fleet's PostgreSQL cannot be reached: whatever needed it is refused."""


def unavailable(url: str, why: str) -> FleetUnavailable:
    return FleetUnavailable(
        f"the fleet store (PostgreSQL at {describe_url(url)}) is unreachable ({why})",
        hint="risky calls are denied until it is back; check the server and the network, "
             "then `aegis fleet status`")


class PostgresStore:
    """One daemon's (or one command's) connection to the fleet store. Thread-safe
    (one lock around one connection); the daemon calls it from worker threads."""

    def __init__(self, url: str, machine: str, *, connect_timeout: float = CONNECT_TIMEOUT_S) -> None:
        self.url = url
        self.machine = machine
        self.connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self._conn: Any = None
        self._failures = 0
        self._retry_at = 0.0
        self._migrated = False
        self.last_error: str | None = None
        self.last_contact = 0.0

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(cls, url: str, machine: str, **options: Any) -> PostgresStore:
        """Connect and migrate; raises FleetUnavailable when the server is not there."""
        store = cls(url, machine, **options)
        store.check_integrity()
        return store

    @staticmethod
    def _migrate(conn: Any) -> None:
        """Bring the schema up to date (first use of each connection's store)."""
        from psycopg.rows import dict_row

        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            cur.execute("CREATE TABLE IF NOT EXISTS aegis_schema (version INTEGER NOT NULL)")
            cur.execute("SELECT version FROM aegis_schema")
            row = cur.fetchone()
            version = int(row["version"]) if row else 0
            if version > SCHEMA_VERSION:
                raise StateCorruption(
                    f"the fleet store's schema version {version} is newer than this Aegis understands "
                    f"({SCHEMA_VERSION})", hint="upgrade aegis-core on this machine")
            for step in range(version + 1, SCHEMA_VERSION + 1):
                cur.execute(MIGRATIONS[step])
            if row is None:
                cur.execute("INSERT INTO aegis_schema(version) VALUES (%s)", (SCHEMA_VERSION,))
            elif version != SCHEMA_VERSION:
                cur.execute("UPDATE aegis_schema SET version=%s", (SCHEMA_VERSION,))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                except Exception:  # noqa: S110 - closing a dead connection
                    pass
                self._conn = None

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset_backoff(self) -> None:
        """The server is back (another connection just got through): try at once."""
        self._retry_at = 0.0

    @property
    def available(self) -> bool:
        """Whether the last use of the link worked."""
        return self.last_error is None

    def check_integrity(self) -> None:
        with self._transaction() as cur:
            cur.execute("SELECT 1")

    # ------------------------------------------------------------ plumbing

    def _connect(self) -> Any:
        import psycopg

        if self._conn is not None and not self._conn.closed:
            return self._conn
        now = time.monotonic()
        if now < self._retry_at:
            raise unavailable(self.url, self.last_error or "not connected")
        try:
            self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=max(1, int(self.connect_timeout)),
                                         application_name=f"aegis:{self.machine}"[:60])
            if not self._migrated:
                self._migrate(self._conn)
                self._migrated = True
        except psycopg.Error as exc:
            self._failed(exc)
            raise unavailable(self.url, self.last_error or "") from None
        return self._conn

    def _failed(self, exc: BaseException) -> None:
        self._failures += 1
        self._retry_at = time.monotonic() + min(MAX_BACKOFF_S, 0.25 * 2 ** min(self._failures, 6))
        self.last_error = scrub(_short(exc), self.url)
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: S110 - it is already broken
                pass
        self._conn = None

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        import psycopg
        from psycopg.rows import dict_row

        with self._lock:
            conn = self._connect()
            try:
                with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
                    yield cur
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                self._failed(exc)
                raise unavailable(self.url, self.last_error or "") from None
            self._failures, self.last_error, self.last_contact = 0, None, time.time()

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._transaction() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall()) if cur.description else []

    # ------------------------------------------------------------ machines

    def heartbeat(self, *, home: str, pid: int, version: str, started_at: float, audit_seq: int) -> None:
        """This machine is alive (``aegis fleet status`` shows its last contact), and
        its local audit chain is ``audit_seq`` records long (gaps show against it)."""
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO machines(name, home, pid, version, started_at, last_seen, audit_seq) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET home=excluded.home, "
                "pid=excluded.pid, version=excluded.version, started_at=excluded.started_at, "
                "last_seen=excluded.last_seen, audit_seq=excluded.audit_seq",
                (self.machine, home, pid, version, started_at, time.time(), audit_seq))

    def machines(self) -> list[dict[str, Any]]:
        """Every machine the fleet has seen, with its pending approvals and shipped audit head."""
        return self._rows(
            "SELECT m.*, (SELECT COUNT(*) FROM approvals a WHERE a.machine = m.name AND a.status = 'pending') "
            "AS pending, (SELECT MAX(seq) FROM audit_records r WHERE r.machine = m.name) AS shipped_seq, "
            "(SELECT MAX(shipped_at) FROM audit_records r WHERE r.machine = m.name) AS audit_shipped_at "
            "FROM machines m ORDER BY m.name")

    # ------------------------------------------------------------ sessions

    def create_session(self, session: str, *, agent: str, cwd: str, command: str = "") -> None:
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO sessions(id, machine, agent, cwd, command, created_at) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (id) DO UPDATE SET agent=excluded.agent, cwd=excluded.cwd, command=excluded.command",
                (session, self.machine, agent, cwd, command, time.time()))

    def end_session(self, session: str, exit_status: int | None) -> None:
        with self._transaction() as cur:
            cur.execute("UPDATE sessions SET ended_at=%s, exit_status=%s WHERE id=%s AND machine=%s",
                        (time.time(), exit_status, session, self.machine))

    # ------------------------------------------------------------ approvals

    def create_approval(self, approval: Approval, *, agent: str, cwd: str, input_json: str,
                        signature: str, seal: str) -> None:
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO sessions(id, machine, agent, cwd, created_at) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (id) DO NOTHING", (approval.session, self.machine, agent, cwd, approval.created_at))
            cur.execute(
                "INSERT INTO approvals(id, machine, call_id, session, agent, cwd, tool, kind, summary, input_json, "
                "signature, rule, reason, risk, created_at, timeout_s, deadline_at, choices_json, quorum, seal) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (approval.id, self.machine, approval.call_id, approval.session, agent, cwd, approval.tool,
                 approval.kind.value, approval.summary, input_json, signature, approval.rule, approval.reason,
                 approval.risk, approval.created_at, approval.deadline_at - approval.created_at,
                 approval.deadline_at, json.dumps(list(approval.choices)), approval.quorum, seal))
            cur.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"created:{approval.id}"))

    def end_approval(self, approval: Approval, *, outcome: str | None, final_seal: str,
                     from_statuses: Sequence[ApprovalStatus] = OPEN,
                     grant: StoredGrant | None = None) -> tuple[bool, StoredApproval | None]:
        if not 1 <= len(from_statuses) <= 2:
            raise ValueError("an approval ends from one or two statuses")
        with self._transaction() as cur:
            cur.execute(
                "UPDATE approvals SET status=%s, outcome=%s, decided_by=%s, channel=%s, decision_reason=%s, "
                "decided_at=%s, scope=%s, choice=%s, final_seal=%s WHERE id=%s AND status = ANY(%s)",
                (approval.status.value, outcome, approval.decided_by, approval.channel, approval.decision_reason,
                 approval.decided_at, approval.scope.value, approval.choice, final_seal, approval.id,
                 [status.value for status in from_statuses]))
            won = cur.rowcount == 1
            if won:
                if grant is not None:
                    cur.execute(
                        "INSERT INTO session_grants(session, signature, machine, approval_id, granted_at, seal) "
                        "SELECT %s, %s, machine, %s, %s, %s FROM approvals WHERE id=%s "
                        "ON CONFLICT (session, signature) DO UPDATE SET machine=excluded.machine, "
                        "approval_id=excluded.approval_id, granted_at=excluded.granted_at, seal=excluded.seal",
                        (grant.session, grant.signature, grant.approval_id, time.time(), grant.seal, approval.id))
                cur.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"ended:{approval.id}"))
            cur.execute(_SELECT + " WHERE a.id=%s", (approval.id,))
            row = cur.fetchone()
        return won, (stored_approval(row) if row else None)

    def add_vote(self, approval_id: str, vote: StoredVote) -> tuple[bool, Approval | None]:
        with self._transaction() as cur:
            # The row lock orders two last votes arriving at once: the second sees both.
            cur.execute("SELECT status FROM approvals WHERE id=%s FOR UPDATE", (approval_id,))
            row = cur.fetchone()
            added = False
            if row is not None and row["status"] == "pending":
                cur.execute(
                    "INSERT INTO approval_votes(approval_id, voter, outcome, decided_by, channel, reason, voted_at, "
                    "seal) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (approval_id, vote.voter, vote.outcome, vote.decided_by, vote.channel, vote.reason,
                     time.time(), vote.seal))
                added = cur.rowcount == 1
                if added:
                    cur.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"voted:{approval_id}"))
            cur.execute(_SELECT + " WHERE a.id=%s", (approval_id,))
            current = cur.fetchone()
        return added, (approval_of(current) if current else None)

    def overdue_approvals(self, now: float, *, all_pending: bool = False) -> list[str]:
        rows = self._rows(
            "SELECT id FROM approvals WHERE status='pending' AND machine=%s AND (%s OR deadline_at <= %s "
            "OR created_at > %s) ORDER BY created_at", (self.machine, all_pending, now, now))
        return [row["id"] for row in rows]

    def load_approval(self, approval_id: str) -> StoredApproval | None:
        rows = self._rows(_SELECT + " WHERE a.id=%s", (approval_id,))
        return stored_approval(rows[0]) if rows else None

    def get_approval(self, approval_id: str) -> Approval | None:
        rows = self._rows(_SELECT + " WHERE a.id=%s", (approval_id,))
        return approval_of(rows[0]) if rows else None

    def find_approvals(self, prefix: str) -> list[Approval]:
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._rows(_SELECT + " WHERE a.id LIKE %s LIMIT 5", (escaped + "%",))
        return [approval_of(row) for row in rows]

    def approval_details(self, approval_id: str) -> dict[str, Any] | None:
        rows = self._rows(_SELECT + " WHERE a.id=%s", (approval_id,))
        if not rows:
            return None
        row = rows[0]
        details = approval_of(row).to_dict()
        details.update(input=json.loads(row["input_json"]), outcome=row["outcome"], timeout_s=row["timeout_s"])
        return details

    def list_approvals(self, *, status: str | None = "pending", limit: int = 100,
                       machine: str | None = None) -> list[Approval]:
        """Like the SQLite store's; every machine's with ``machine="*"``, else this one's."""
        where, args = [], []
        if machine != "*":
            where.append("a.machine=%s")
            args.append(machine or self.machine)
        if status is not None:
            where.append("a.status=%s")
            args.append(status)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        order = " ORDER BY a.created_at" if status == "pending" else " ORDER BY a.created_at DESC"
        rows = self._rows(_SELECT + clause + order + " LIMIT %s", (*args, limit))
        return [approval_of(row) for row in rows]

    def history(self, *, limit: int = 50) -> list[Approval]:
        rows = self._rows(_SELECT + " WHERE a.machine=%s AND a.status != 'pending' "
                          "ORDER BY a.decided_at DESC NULLS LAST LIMIT %s", (self.machine, limit))
        return [approval_of(row) for row in rows]

    def count_approvals_since(self, session: str, since_wall_time: float) -> int:
        rows = self._rows("SELECT COUNT(*) AS n FROM approvals WHERE session=%s AND created_at >= %s",
                          (session, since_wall_time))
        return int(rows[0]["n"])

    # ------------------------------------------------------------- grants

    def get_grant(self, session: str, signature: str) -> StoredGrant | None:
        # A grant holds for its session, on the machine that asked: never elsewhere.
        rows = self._rows("SELECT session, signature, approval_id, seal FROM session_grants "
                          "WHERE session=%s AND signature=%s AND machine=%s", (session, signature, self.machine))
        if not rows:
            return None
        row = rows[0]
        return StoredGrant(row["session"], row["signature"], row["approval_id"], row["seal"])

    def revoke_grant(self, session: str, signature: str) -> None:
        with self._transaction() as cur:
            cur.execute("DELETE FROM session_grants WHERE session=%s AND signature=%s", (session, signature))

    # ------------------------------------------------------------- channels

    def channel_message(self, channel: str, approval_id: str, chat: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT message_id, status, failed FROM channel_messages WHERE channel=%s AND "
                          "approval_id=%s AND chat=%s", (channel, approval_id, chat))
        return rows[0] if rows else None

    def remember_message(self, channel: str, approval_id: str, chat: str, message_id: str | None,
                         status: str | None, failed: bool = False) -> None:
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO channel_messages(channel, approval_id, chat, message_id, status, failed, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (channel, approval_id, chat) DO UPDATE SET "
                "message_id=COALESCE(excluded.message_id, channel_messages.message_id), status=excluded.status, "
                "failed=excluded.failed, updated_at=excluded.updated_at",
                (channel, approval_id, chat, message_id, status, failed, time.time()))

    def approval_of_message(self, channel: str, chat: str, message_id: str) -> str | None:
        rows = self._rows("SELECT approval_id FROM channel_messages WHERE channel=%s AND chat=%s AND message_id=%s",
                          (channel, chat, message_id))
        return rows[0]["approval_id"] if rows else None

    def first_time(self, channel: str, inbound_id: str) -> bool:
        """Whether no machine has handled this inbound message yet (and claim it)."""
        with self._transaction() as cur:
            cur.execute("INSERT INTO channel_inbound(channel, inbound_id, machine, seen_at) VALUES (%s, %s, %s, %s) "
                        "ON CONFLICT DO NOTHING", (channel, inbound_id, self.machine, time.time()))
            return bool(cur.rowcount == 1)

    def channel_value(self, channel: str, key: str) -> str | None:
        rows = self._rows("SELECT value FROM channel_state WHERE channel=%s AND key=%s", (channel, key))
        return rows[0]["value"] if rows else None

    def set_channel_value(self, channel: str, key: str, value: str) -> None:
        with self._transaction() as cur:
            cur.execute("INSERT INTO channel_state(channel, key, value) VALUES (%s, %s, %s) "
                        "ON CONFLICT (channel, key) DO UPDATE SET value=excluded.value", (channel, key, value))

    # ------------------------------------------------------------- audit

    def shipped_head(self) -> tuple[int, str] | None:
        """The last record of this machine's chain the fleet store holds."""
        rows = self._rows("SELECT seq, hash FROM audit_records WHERE machine=%s ORDER BY seq DESC LIMIT 1",
                          (self.machine,))
        return (int(rows[0]["seq"]), rows[0]["hash"]) if rows else None

    def ship_records(self, records: Sequence[tuple[int, str, str, str]]) -> None:
        """Store ``(seq, hash, prev_hash, line)`` of this machine's chain; a record
        already there is kept as it was (what arrived first is the evidence)."""
        if not records:
            return
        now = time.time()
        with self._transaction() as cur:
            # COPY into a temporary table, then one INSERT: a batch costs the server one
            # statement, not one per record (shipping runs beside every decision).
            cur.execute("CREATE TEMPORARY TABLE IF NOT EXISTS incoming_records (LIKE audit_records) "
                        "ON COMMIT DELETE ROWS")
            with cur.copy("COPY incoming_records(machine, seq, hash, prev_hash, line, shipped_at) FROM STDIN") as copy:
                for seq, digest, prev, line in records:
                    copy.write_row((self.machine, seq, digest, prev, line, now))
            cur.execute("INSERT INTO audit_records SELECT * FROM incoming_records "
                        "ON CONFLICT (machine, seq) DO NOTHING")

    def shipped_records(self, machine: str, after: int = 0, limit: int = 5000) -> list[dict[str, Any]]:
        return self._rows("SELECT seq, hash, prev_hash, line, shipped_at FROM audit_records WHERE machine=%s "
                          "AND seq > %s ORDER BY seq LIMIT %s", (machine, after, limit))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


__all__ = ["FleetUnavailable", "PostgresStore", "unavailable"]
