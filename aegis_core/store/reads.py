"""Reading ``aegis.db``: how an approval row is selected and turned into an
:class:`~aegis_core.models.Approval` (the Store and the PostgreSQL store share it),
and the quick read-only path of the commands a user types most (``aegis status`` with
the daemon stopped, ``aegis approvals list``): one read-only connection and one
query, no migration, no write, nothing created. A file of another schema version is
not read here (:func:`open_reader` returns None): the caller then takes the long way
(``Store.open``), which migrates it or refuses it as every other command does."""

from __future__ import annotations

import os

import apsw

from aegis_core.errors import AegisEnvironmentError
from aegis_core.store.schema import SCHEMA_VERSION, check_file, corrupt

# Not `from typing import ...`: loading typing costs the quick commands (aegis
# status, aegis approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import TracebackType
    from typing import Any

    Path = str | os.PathLike[str]  # no pathlib here: the quick commands pass strings

if TYPE_CHECKING:  # loaded by the first row read: counting pending ones needs none
    from aegis_core.models import Approval, Kind

BUSY_TIMEOUT_MS = 5000

# Every approval read carries the names of those who approved it so far (quorum).
SELECT_APPROVALS = (
    "SELECT approvals.*, (SELECT json_group_array(decided_by) FROM approval_votes v "
    "WHERE v.approval_id = approvals.id AND v.outcome = 'approve') AS votes_json FROM approvals")


def list_query(status: str | None, limit: int) -> tuple[str, tuple[Any, ...]]:
    """The approvals ``list`` shows: pending ones oldest first (the queue); with
    another status or None (all), newest first."""
    if status == "pending":
        return SELECT_APPROVALS + " WHERE status='pending' ORDER BY created_at, rowid LIMIT ?", (limit,)
    if status is None:
        return SELECT_APPROVALS + " ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
    return (SELECT_APPROVALS + " WHERE status=? ORDER BY created_at DESC, rowid DESC LIMIT ?",
            (status, limit))


class sql_errors:  # lower case: used as `with sql_errors(path):`, like a contextmanager
    """SQLite's errors in Aegis' words: a damaged file is named (and left alone), a
    lock held too long says who to look for. (A class, not ``contextlib``: the quick
    commands do not load it.)"""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if isinstance(exc, apsw.CorruptError | apsw.NotADBError):
            raise corrupt(self.path, str(exc)) from exc
        if isinstance(exc, apsw.BusyError | apsw.LockedError):
            raise AegisEnvironmentError(
                f"the Aegis database {self.path} stayed locked for {BUSY_TIMEOUT_MS / 1000:g}s",
                hint="another aegis process is holding it; retry, or check `aegis status`",
            ) from exc


def read_version(conn: apsw.Connection, path: Path) -> int:
    try:
        row = conn.execute("PRAGMA user_version").fetchone()
        return int(row[0]) if row is not None else 0
    except (apsw.NotADBError, apsw.CorruptError) as exc:
        raise corrupt(path, str(exc)) from exc


def open_reader(path: Path) -> apsw.Connection | None:
    """A read-only connection to the database at ``path`` when it exists with this
    version's schema; None when it does not exist or has another version (the caller
    takes the long way). A file that is not SQLite or is truncated raises
    StateCorruption, as ``Store.open`` does, and stays untouched."""
    check_file(path)
    try:
        if os.stat(path).st_size == 0:
            return None
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        conn = apsw.Connection(os.fspath(path), flags=apsw.SQLITE_OPEN_READONLY)
    except apsw.CantOpenError:
        return None  # e.g. its WAL index cannot be opened read-only: the long way says why
    except apsw.Error as exc:
        raise corrupt(path, f"SQLite cannot open it ({exc})") from exc
    try:
        conn.set_busy_timeout(BUSY_TIMEOUT_MS)
        with sql_errors(path):
            if read_version(conn, path) == SCHEMA_VERSION:
                return conn
    except BaseException:
        conn.close()
        raise
    conn.close()
    return None


def count_pending(conn: apsw.Connection, path: Path) -> int:
    with sql_errors(path):
        row = conn.execute("SELECT COUNT(*) FROM approvals WHERE status='pending'").fetchone()
    return int(row[0]) if row else 0


def list_approvals(conn: apsw.Connection, path: Path, *, status: str | None,
                   limit: int) -> list[dict[str, Any]]:
    """The approvals as :meth:`Approval.to_dict` gives them, built straight from the
    rows: building the dataclasses would load ``dataclasses`` (and ``inspect``), which
    costs ``aegis approvals list`` more than the rest of its start-up. The console
    tests compare this with the full CLI's ``to_dict`` output."""
    with sql_errors(path):
        return [approval_dict(row) for row in dict_rows(conn.execute(*list_query(status, limit)))]


def approval_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """``approval_of(row).to_dict()``, without the dataclass."""
    from aegis_core import quickjson as json  # json.loads without loading json (and re)
    from aegis_core.models.vocabulary import ApprovalStatus, Scope

    return {
        "id": row["id"], "call_id": row["call_id"], "session": row["session"], "tool": row["tool"],
        "kind": _kind_value(row["kind"]), "summary": row["summary"],
        "status": ApprovalStatus(row["status"]).value, "rule": row["rule"], "reason": row["reason"],
        "risk": row["risk"], "created_at": row["created_at"], "deadline_at": row["deadline_at"],
        "scope": Scope(row["scope"]).value, "decided_by": row["decided_by"], "channel": row["channel"],
        "decision_reason": row["decision_reason"], "decided_at": row["decided_at"],
        "choices": list(json.loads(row["choices_json"])), "choice": row["choice"],
        "quorum": int(row.get("quorum") or 1), "votes": _votes(row.get("votes_json")),
        "machine": row.get("machine") or "", "cwd": row.get("cwd") or "",
    }


def _kind_value(value: str) -> str:
    from aegis_core.models.vocabulary import Kind

    try:
        return Kind(value).value
    except ValueError:
        return Kind.OTHER.value


def dict_rows(cursor: Any) -> list[dict[str, Any]]:
    """Rows of an executed cursor as dicts (the description is only readable while
    the statement still has rows)."""
    try:
        names = [d[0] for d in cursor.get_description()]
    except apsw.ExecutionCompleteError:
        return []
    return [dict(zip(names, row, strict=True)) for row in cursor]


def row_kind(value: str) -> Kind:
    """A stored kind; one this version does not know (written by a newer one) is ``other``."""
    from aegis_core.models import Kind

    try:
        return Kind(value)
    except ValueError:
        return Kind.OTHER


def approval_of(row: Mapping[str, Any]) -> Approval:
    from aegis_core import quickjson as json  # json.loads without loading json (and re)
    from aegis_core.models import Approval, ApprovalStatus, Scope

    return Approval(
        id=row["id"],
        call_id=row["call_id"],
        session=row["session"],
        tool=row["tool"],
        kind=row_kind(row["kind"]),
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
        quorum=int(row.get("quorum") or 1),
        votes=tuple(_votes(row.get("votes_json"))),
        machine=row.get("machine") or "",
        cwd=row.get("cwd") or "",
    )


def _votes(value: Any) -> list[str]:
    if isinstance(value, str):
        from aegis_core import quickjson as json  # json.loads without loading json (and re)

        value = json.loads(value)
    return [str(v) for v in value] if isinstance(value, list) else []
