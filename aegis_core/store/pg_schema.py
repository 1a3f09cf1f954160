"""The fleet store's schema in PostgreSQL, as a migration ladder like SQLite's
``user_version`` one: ``aegis_schema`` holds the version, and a transaction-level
advisory lock makes sure two daemons starting at once migrate it only once.

What is shared lives here: approvals (with the machine that asked), their votes
(two-person rules), session grants, sessions, the machines of the fleet, the channel
state a new poller needs (which message shows which approval; inbound ids already
handled) and every machine's shipped audit records. Tool calls and the circuit
breaker's counts stay in each machine's SQLite (see docs/fleet.md)."""

from __future__ import annotations

# Each entry upgrades the schema from version N-1 to N. Append only.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE machines (
        name        TEXT PRIMARY KEY,
        home        TEXT NOT NULL DEFAULT '',
        pid         INTEGER,
        version     TEXT NOT NULL DEFAULT '',
        started_at  DOUBLE PRECISION,
        last_seen   DOUBLE PRECISION NOT NULL,
        audit_seq   BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE sessions (
        id          TEXT PRIMARY KEY,
        machine     TEXT NOT NULL,
        agent       TEXT NOT NULL,
        cwd         TEXT NOT NULL DEFAULT '',
        command     TEXT NOT NULL DEFAULT '',
        created_at  DOUBLE PRECISION NOT NULL,
        ended_at    DOUBLE PRECISION,
        exit_status INTEGER
    );
    CREATE TABLE approvals (
        id              TEXT PRIMARY KEY,
        machine         TEXT NOT NULL,
        call_id         TEXT NOT NULL,
        session         TEXT NOT NULL,
        agent           TEXT NOT NULL DEFAULT '',
        cwd             TEXT NOT NULL DEFAULT '',
        tool            TEXT NOT NULL,
        kind            TEXT NOT NULL,
        summary         TEXT NOT NULL,
        input_json      TEXT NOT NULL DEFAULT '{}',
        signature       TEXT NOT NULL DEFAULT '',
        status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'asked', 'approved', 'denied', 'expired', 'cancelled')),
        rule            TEXT,
        reason          TEXT NOT NULL DEFAULT '',
        risk            INTEGER NOT NULL DEFAULT 0,
        created_at      DOUBLE PRECISION NOT NULL,
        timeout_s       DOUBLE PRECISION NOT NULL,
        deadline_at     DOUBLE PRECISION NOT NULL,
        choices_json    TEXT NOT NULL DEFAULT '[]',
        scope           TEXT NOT NULL DEFAULT 'once',
        outcome         TEXT,
        decided_by      TEXT,
        channel         TEXT,
        decision_reason TEXT,
        decided_at      DOUBLE PRECISION,
        choice          TEXT,
        quorum          INTEGER NOT NULL DEFAULT 1,
        seal            TEXT NOT NULL DEFAULT '',
        final_seal      TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX approvals_pending ON approvals(machine, created_at) WHERE status = 'pending';
    CREATE INDEX approvals_by_session ON approvals(session, created_at);
    CREATE INDEX approvals_by_decision ON approvals(decided_at);
    CREATE TABLE approval_votes (
        approval_id TEXT NOT NULL REFERENCES approvals(id) ON DELETE CASCADE,
        voter       TEXT NOT NULL,
        outcome     TEXT NOT NULL,
        decided_by  TEXT NOT NULL,
        channel     TEXT NOT NULL,
        reason      TEXT NOT NULL DEFAULT '',
        voted_at    DOUBLE PRECISION NOT NULL,
        seal        TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (approval_id, voter)
    );
    CREATE TABLE session_grants (
        session     TEXT NOT NULL,
        signature   TEXT NOT NULL,
        machine     TEXT NOT NULL,
        approval_id TEXT,
        granted_at  DOUBLE PRECISION NOT NULL,
        seal        TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (session, signature)
    );
    CREATE TABLE channel_messages (
        channel     TEXT NOT NULL,
        approval_id TEXT NOT NULL,
        chat        TEXT NOT NULL,
        message_id  TEXT,
        status      TEXT,
        failed      BOOLEAN NOT NULL DEFAULT FALSE,
        updated_at  DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (channel, approval_id, chat)
    );
    CREATE INDEX channel_messages_by_message ON channel_messages(channel, chat, message_id);
    CREATE TABLE channel_inbound (
        channel     TEXT NOT NULL,
        inbound_id  TEXT NOT NULL,
        machine     TEXT NOT NULL,
        seen_at     DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (channel, inbound_id)
    );
    CREATE TABLE channel_state (
        channel     TEXT NOT NULL,
        key         TEXT NOT NULL,
        value       TEXT NOT NULL,
        PRIMARY KEY (channel, key)
    );
    CREATE TABLE audit_records (
        machine     TEXT NOT NULL,
        seq         BIGINT NOT NULL,
        hash        TEXT NOT NULL,
        prev_hash   TEXT NOT NULL,
        line        TEXT NOT NULL,
        shipped_at  DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (machine, seq)
    );
    """,
}

SCHEMA_VERSION = max(MIGRATIONS)

# Lock ids (pg_advisory_lock takes a bigint): the migration, and each channel's poller.
MIGRATION_LOCK = 0x4145_4749_5300_0001
NOTIFY_CHANNEL = "aegis_approvals"


def poller_lock(channel: str) -> int:
    """The advisory lock id electing ``channel``'s one poller in the fleet."""
    import hashlib

    digest = hashlib.sha256(f"aegis-poller:{channel}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
