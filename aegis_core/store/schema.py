"""The database schema as a ``user_version`` migration ladder, and the checks that
refuse a file Aegis cannot trust (not SQLite, truncated, from a newer Aegis)."""

from __future__ import annotations

import os

from aegis_core.errors import StateCorruption

TYPE_CHECKING = False
if TYPE_CHECKING:
    Path = str | os.PathLike[str]  # no pathlib here: the quick commands pass strings

# Each entry upgrades the schema from version N-1 to N. Append only: a released
# step is never edited, a change is a new step.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE sessions (
        id            TEXT PRIMARY KEY,
        agent         TEXT NOT NULL,
        token_hash    TEXT,
        cwd           TEXT NOT NULL DEFAULT '',
        command       TEXT NOT NULL DEFAULT '',
        created_at    REAL NOT NULL,
        ended_at      REAL,
        exit_status   INTEGER,
        paused        INTEGER NOT NULL DEFAULT 0,
        paused_reason TEXT,
        paused_at     REAL,
        resumed_at    REAL,
        resumed_by    TEXT,
        resume_seq    INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE tool_calls (
        id          TEXT PRIMARY KEY,
        session     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        agent       TEXT NOT NULL,
        tool        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        input_json  TEXT NOT NULL,
        cwd         TEXT NOT NULL DEFAULT '',
        event       TEXT NOT NULL DEFAULT '',
        received_at REAL NOT NULL,
        action      TEXT NOT NULL,
        rule        TEXT,
        reason      TEXT NOT NULL DEFAULT '',
        risk        INTEGER NOT NULL DEFAULT 0,
        source      TEXT NOT NULL DEFAULT '',
        decision    TEXT NOT NULL
    );
    CREATE INDEX tool_calls_by_session ON tool_calls(session, received_at);
    CREATE TABLE decisions (
        seq         INTEGER PRIMARY KEY,
        call_id     TEXT NOT NULL UNIQUE REFERENCES tool_calls(id) ON DELETE CASCADE,
        session     TEXT NOT NULL,
        decision    TEXT NOT NULL CHECK (decision IN ('allow', 'deny', 'ask')),
        reason      TEXT NOT NULL DEFAULT '',
        rule        TEXT,
        approval_id TEXT,
        decided_at  REAL NOT NULL
    );
    CREATE INDEX decisions_by_session ON decisions(session, seq);
    CREATE TABLE approvals (
        id              TEXT PRIMARY KEY,
        call_id         TEXT NOT NULL,
        session         TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        tool            TEXT NOT NULL,
        kind            TEXT NOT NULL,
        summary         TEXT NOT NULL,
        input_json      TEXT NOT NULL DEFAULT '{}',
        signature       TEXT NOT NULL DEFAULT '',
        status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
        rule            TEXT,
        reason          TEXT NOT NULL DEFAULT '',
        risk            INTEGER NOT NULL DEFAULT 0,
        created_at      REAL NOT NULL,
        timeout_s       REAL NOT NULL,
        deadline_at     REAL NOT NULL,
        choices_json    TEXT NOT NULL DEFAULT '[]',
        scope           TEXT NOT NULL DEFAULT 'once',
        outcome         TEXT,
        decided_by      TEXT,
        channel         TEXT,
        decision_reason TEXT,
        decided_at      REAL,
        choice          TEXT
    );
    CREATE INDEX approvals_by_status ON approvals(status, created_at);
    CREATE INDEX approvals_by_session ON approvals(session, created_at);
    CREATE TABLE session_grants (
        session     TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        signature   TEXT NOT NULL,
        approval_id TEXT,
        granted_at  REAL NOT NULL,
        PRIMARY KEY (session, signature)
    ) WITHOUT ROWID;
    """,
    # Approvals and grants carry a seal (a MAC keyed in the daemon's memory, see
    # aegis_core.approvals.integrity); an approval handed to the agent's own prompt is
    # "asked", no longer "cancelled"; a session may have its own approval timeout
    # (`aegis wrap --timeout`); old tool calls can be purged by age.
    2: """
    CREATE TABLE approvals_v2 (
        id              TEXT PRIMARY KEY,
        call_id         TEXT NOT NULL,
        session         TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        tool            TEXT NOT NULL,
        kind            TEXT NOT NULL,
        summary         TEXT NOT NULL,
        input_json      TEXT NOT NULL DEFAULT '{}',
        signature       TEXT NOT NULL DEFAULT '',
        status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'asked', 'approved', 'denied', 'expired',
                                          'cancelled')),
        rule            TEXT,
        reason          TEXT NOT NULL DEFAULT '',
        risk            INTEGER NOT NULL DEFAULT 0,
        created_at      REAL NOT NULL,
        timeout_s       REAL NOT NULL,
        deadline_at     REAL NOT NULL,
        choices_json    TEXT NOT NULL DEFAULT '[]',
        scope           TEXT NOT NULL DEFAULT 'once',
        outcome         TEXT,
        decided_by      TEXT,
        channel         TEXT,
        decision_reason TEXT,
        decided_at      REAL,
        choice          TEXT,
        seal            TEXT NOT NULL DEFAULT '',
        final_seal      TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO approvals_v2(id, call_id, session, tool, kind, summary, input_json, signature,
        status, rule, reason, risk, created_at, timeout_s, deadline_at, choices_json, scope,
        outcome, decided_by, channel, decision_reason, decided_at, choice)
    SELECT id, call_id, session, tool, kind, summary, input_json, signature,
        CASE WHEN status = 'cancelled' AND decided_by = 'agent-prompt' THEN 'asked' ELSE status END,
        rule, reason, risk, created_at, timeout_s, deadline_at, choices_json, scope,
        outcome, decided_by, channel, decision_reason, decided_at, choice
    FROM approvals;
    DROP TABLE approvals;
    ALTER TABLE approvals_v2 RENAME TO approvals;
    CREATE INDEX approvals_by_status ON approvals(status, created_at);
    CREATE INDEX approvals_by_session ON approvals(session, created_at);
    ALTER TABLE session_grants ADD COLUMN seal TEXT NOT NULL DEFAULT '';
    ALTER TABLE sessions ADD COLUMN approval_timeout_s REAL;
    CREATE INDEX tool_calls_by_age ON tool_calls(received_at);
    """,
    # Two-person rules: an approval may need several different approvers (quorum),
    # whose votes are kept; the approval keeps the working directory it was asked in
    # (team rules scope approvers by project).
    3: """
    ALTER TABLE approvals ADD COLUMN quorum INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE approvals ADD COLUMN cwd TEXT NOT NULL DEFAULT '';
    CREATE TABLE approval_votes (
        approval_id TEXT NOT NULL REFERENCES approvals(id) ON DELETE CASCADE,
        voter       TEXT NOT NULL,
        outcome     TEXT NOT NULL,
        decided_by  TEXT NOT NULL,
        channel     TEXT NOT NULL,
        reason      TEXT NOT NULL DEFAULT '',
        voted_at    REAL NOT NULL,
        seal        TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (approval_id, voter)
    ) WITHOUT ROWID;
    """,
    # One word per concept: "event" is an audit record's kind; what the agent called
    # the moment it asked (PreToolUse...) is the call's hook event.
    4: """
    ALTER TABLE tool_calls RENAME COLUMN event TO hook_event;
    """,
}

SCHEMA_VERSION = max(MIGRATIONS)

_MAGIC = b"SQLite format 3\x00"


def check_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database or is shorter than its header says.

    Runs before SQLite opens the file, so nothing is written to a file we refuse.
    The in-header size is only trusted when it is marked valid and no WAL holds
    pages a checkpoint has yet to copy into the file.
    """
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        return
    if size == 0:
        return  # created empty by us (or a crash before the first page): SQLite initialises it
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise corrupt(path, "it is not an SQLite database (bad header)")
    page_size = int.from_bytes(header[16:18], "big")  # big-endian fields (not `struct`: one less import)
    page_size = 65536 if page_size == 1 else page_size
    change_counter, pages = int.from_bytes(header[24:28], "big"), int.from_bytes(header[28:32], "big")
    valid_for = int.from_bytes(header[92:96], "big")
    try:
        wal_has_frames = os.stat(f"{os.fspath(path)}-wal").st_size > 32
    except FileNotFoundError:
        wal_has_frames = False
    if pages and valid_for == change_counter and not wal_has_frames and size < pages * page_size:
        raise corrupt(path, f"it is truncated ({size} bytes, its header says {pages * page_size})")


def corrupt(path: Path, why: str) -> StateCorruption:
    return StateCorruption(
        f"the Aegis database {path} is unusable: {why}; it was left untouched",
        hint=f"move it aside (mv {path} {path}.broken) to start with a fresh one, "
        "or restore it from a backup (aegis.db.bak-*)",
    )
