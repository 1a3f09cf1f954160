"""The Store: one apsw connection to ``aegis.db`` with the settings every Aegis process
shares (WAL, foreign keys, a busy timeout), its migrations, and the session and
tool-call tables. Approvals live in :mod:`aegis_core.store.approval_rows`."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import apsw

from aegis_core.errors import AegisEnvironmentError
from aegis_core.store.approval_rows import ApprovalRows
from aegis_core.store.interface import CallRecord
from aegis_core.store.reads import BUSY_TIMEOUT_MS, dict_rows, read_version, sql_errors
from aegis_core.store.schema import MIGRATIONS, SCHEMA_VERSION, check_file, corrupt

FINAL_DECISIONS = ("allow", "deny", "ask")


class Store(ApprovalRows):
    """Aegis' state in SQLite. Safe to share between threads (one lock per Store) and
    between processes (SQLite locking, IMMEDIATE transactions, a busy timeout)."""

    def __init__(self, path: Path, conn: apsw.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        self._synchronous = ""

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path, *, quick_check: bool = False) -> Store:
        """Open (creating if needed) the database at ``path`` and migrate it.

        A file that is not a database, is truncated or comes from a newer Aegis raises
        StateCorruption and is left exactly as it was. ``quick_check`` also checks
        every page (``PRAGMA quick_check``: ~2.5 ms per MB): the daemon's start and
        ``aegis doctor`` ask for it, not every command that reads a row.
        """
        path = Path(path)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        check_file(path)
        _create_private(path)
        try:
            conn = apsw.Connection(
                str(path), flags=apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE
            )
        except apsw.Error as exc:
            raise corrupt(path, f"SQLite cannot open it ({exc})") from exc
        try:
            conn.set_busy_timeout(BUSY_TIMEOUT_MS)
            version = read_version(conn, path)
            if version > SCHEMA_VERSION:
                raise corrupt(
                    path,
                    f"its schema version {version} is newer than this Aegis "
                    f"understands ({SCHEMA_VERSION}); upgrade aegis-core",
                )
            if quick_check and version > 0:
                _quick_check(conn, path)
            conn.execute("PRAGMA foreign_keys=ON")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
            if not mode or str(mode[0]).lower() != "wal":
                raise AegisEnvironmentError(
                    f"cannot switch {path} to WAL mode (got {mode})",
                    hint="check the file system supports shared memory",
                )
            store = cls(path, conn)
            store._migrate(version)
        except BaseException:
            conn.close()
            raise
        return store

    def _migrate(self, found: int) -> None:
        if found == SCHEMA_VERSION:
            return
        if found > 0:
            self._backup(found)
        with self._transaction(durable=True) as conn:
            # Another process may have migrated between our read and our lock.
            version = read_version(conn, self.path)
            for step in range(version + 1, SCHEMA_VERSION + 1):
                conn.execute(MIGRATIONS[step])
                conn.execute(f"PRAGMA user_version={step}")

    def _backup(self, version: int) -> Path:
        """Copy the whole database (through SQLite, so WAL pages are included)."""
        target = self.path.with_name(f"{self.path.name}.bak-v{version}-{int(time.time())}")
        _create_private(target)
        dest = apsw.Connection(str(target))
        try:
            with dest.backup("main", self._conn, "main") as backup:
                backup.step()
        finally:
            dest.close()
        return target

    def check_integrity(self) -> None:
        """``PRAGMA quick_check``; raises StateCorruption naming what is wrong."""
        with self._lock:
            _quick_check(self._conn, self.path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def _transaction(self, *, durable: bool) -> Iterator[apsw.Connection]:
        """One IMMEDIATE transaction: the write lock is taken up front, so two
        writers never both read the old state and then both write."""
        with self._lock, self._errors():
            wanted = "FULL" if durable else "NORMAL"
            if self._synchronous != wanted:
                self._conn.execute(f"PRAGMA synchronous={wanted}")
                self._synchronous = wanted
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                if not self._conn.get_autocommit():
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        with sql_errors(self.path):
            yield

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._lock, self._errors():
            return dict_rows(self._conn.execute(sql, args))

    def _value(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        with self._lock, self._errors():
            row = self._conn.execute(sql, args).fetchone()
            return None if row is None else row[0]

    @staticmethod
    def _ensure_session(
        conn: apsw.Connection, session: str, agent: str, cwd: str, now: float
    ) -> None:
        # Calls may arrive for a session nobody created (hooks installed without
        # `aegis wrap`): it gets a row of its own so foreign keys hold.
        conn.execute(
            "INSERT OR IGNORE INTO sessions(id, agent, cwd, created_at) VALUES (?, ?, ?, ?)",
            (session, agent, cwd, now),
        )

    # ------------------------------------------------------------ sessions

    def create_session(
        self, session: str, *, agent: str, token_hash: str | None, cwd: str, command: str = "",
        approval_timeout_s: float | None = None,
    ) -> None:
        """Store a session; ``command`` must already be redacted."""
        with self._transaction(durable=True) as conn:
            conn.execute(
                "INSERT INTO sessions(id, agent, token_hash, cwd, command, created_at, approval_timeout_s) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET agent=excluded.agent, "
                "token_hash=excluded.token_hash, cwd=excluded.cwd, command=excluded.command, "
                "approval_timeout_s=excluded.approval_timeout_s",
                (session, agent, token_hash, cwd, command, time.time(), approval_timeout_s),
            )

    def session_timeout(self, session: str) -> float | None:
        value = self._value("SELECT approval_timeout_s FROM sessions WHERE id=?", (session,))
        return float(value) if value is not None else None

    def get_session(self, session: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM sessions WHERE id=?", (session,))
        if not rows:
            return None
        row = rows[0]
        row["paused"] = bool(row["paused"])
        return row

    def list_sessions(self, *, limit: int = 100) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM sessions ORDER BY created_at DESC LIMIT ?", (limit,))

    def end_session(self, session: str, exit_status: int | None) -> None:
        with self._transaction(durable=True) as conn:
            conn.execute(
                "UPDATE sessions SET ended_at=?, exit_status=? WHERE id=?",
                (time.time(), exit_status, session),
            )

    def pause_session(self, session: str, reason: str) -> None:
        now = time.time()
        with self._transaction(durable=True) as conn:
            self._ensure_session(conn, session, "unknown", "", now)
            conn.execute(
                "UPDATE sessions SET paused=1, paused_reason=?, paused_at=? WHERE id=?",
                (reason, now, session),
            )

    def resume_session(self, session: str, by: str) -> bool:
        """Un-pause; the consecutive-deny count starts again from here. False when
        the session was not paused (or does not exist)."""
        with self._transaction(durable=True) as conn:
            conn.execute(
                "UPDATE sessions SET paused=0, resumed_at=?, resumed_by=?, "
                "resume_seq=(SELECT IFNULL(MAX(seq), 0) FROM decisions) WHERE id=? AND paused=1",
                (time.time(), by, session),
            )
            return conn.changes() == 1

    def is_paused(self, session: str) -> bool:
        return bool(self._value("SELECT paused FROM sessions WHERE id=?", (session,)))

    # ---------------------------------------------------------- tool calls

    def record_calls(self, records: Sequence[CallRecord]) -> None:
        """Store tool calls with their verdicts and the result given (or about to be
        given) to the agent, in one transaction. Recording a call again updates it.

        ``allow``, ``deny`` or ``ask`` is final and counts for the circuit breaker;
        ``require_approval`` marks the call open. Not synced (``synchronous=NORMAL``):
        the audit log holds every decision durably before the agent hears it.
        """
        if not records:
            return
        now = time.time()
        with self._transaction(durable=False) as conn:
            for record in records:
                call, verdict = record.call, record.verdict
                self._ensure_session(conn, call.session, call.agent, call.cwd, now)
                conn.execute(
                    "INSERT INTO tool_calls(id, session, agent, tool, kind, input_json, cwd, hook_event, "
                    "received_at, action, rule, reason, risk, source, decision) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET "
                    "action=excluded.action, rule=excluded.rule, reason=excluded.reason, "
                    "risk=excluded.risk, source=excluded.source, decision=excluded.decision",
                    (call.id, call.session, call.agent, call.tool, call.kind.value, record.input_json,
                     call.cwd, call.hook_event, call.received_at, verdict.action.value, verdict.rule,
                     record.reason, verdict.risk, verdict.source, record.decision),
                )
                if record.decision in FINAL_DECISIONS:
                    conn.execute(
                        "INSERT OR REPLACE INTO decisions(call_id, session, decision, reason, rule, "
                        "approval_id, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (call.id, call.session, record.decision, record.reason, verdict.rule,
                         record.approval_id, now),
                    )

    def consecutive_denies(self, session: str) -> int:
        """Denies in a row at the end of the session's decisions, since its last resume.
        Decisions that answered an approval (a person's deny, an unanswered request)
        are the user's, not the agent's, and are left out."""
        with self._lock, self._errors():
            floor = self._conn.execute(
                "SELECT resume_seq FROM sessions WHERE id=?", (session,)
            ).fetchone()
            count = 0
            for (decision,) in self._conn.execute(
                "SELECT decision FROM decisions WHERE session=? AND seq>? AND approval_id IS NULL "
                "ORDER BY seq DESC",
                (session, floor[0] if floor else 0),
            ):
                if decision != "deny":
                    break
                count += 1
            return count

    def purge_calls(self, before: float) -> int:
        """Delete tool calls (and their decisions) received before ``before``. The
        audit log keeps everything; this only bounds the database."""
        with self._transaction(durable=False) as conn:
            conn.execute("DELETE FROM tool_calls WHERE received_at < ?", (before,))
            return int(conn.changes())


def _create_private(path: Path) -> None:
    """Create the file owner-only before SQLite does (SQLite gives its -wal and -shm
    files the database's mode), and tighten a file someone loosened."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _quick_check(conn: apsw.Connection, path: Path) -> None:
    try:
        result = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except (apsw.NotADBError, apsw.CorruptError) as exc:
        raise corrupt(path, str(exc)) from exc
    if result != ["ok"]:
        raise corrupt(path, "integrity check failed: " + "; ".join(map(str, result)))


__all__ = ["Store"]
