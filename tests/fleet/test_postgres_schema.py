"""The fleet store's migration ladder on a real PostgreSQL: daemons starting at once
migrate a fresh database once; a database from a newer Aegis is refused and left as
it is, never migrated down or overwritten."""

from __future__ import annotations

import threading

import psycopg
import pytest

from aegis_core.errors import StateCorruption
from aegis_core.store.pg_schema import SCHEMA_VERSION
from aegis_core.store.postgres import PostgresStore


def test_machines_starting_at_once_migrate_a_fresh_database_once(fleet_database):
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_one(n: int) -> None:
        try:
            start.wait()
            with PostgresStore.open(fleet_database, f"m{n}") as store:
                store.heartbeat(home="/h", pid=n, version="test", started_at=0.0, audit_seq=0)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with psycopg.connect(fleet_database) as conn:
        assert conn.execute("SELECT version FROM aegis_schema").fetchall() == [(SCHEMA_VERSION,)]
        assert conn.execute("SELECT count(*) FROM machines").fetchone() == (6,)


def test_a_database_from_a_newer_aegis_is_refused_and_left_alone(fleet_database):
    with PostgresStore.open(fleet_database, "a") as store:
        store.heartbeat(home="/h", pid=1, version="test", started_at=0.0, audit_seq=7)
    with psycopg.connect(fleet_database, autocommit=True) as conn:
        conn.execute("UPDATE aegis_schema SET version = %s", (SCHEMA_VERSION + 1,))

    with pytest.raises(StateCorruption) as refused:
        PostgresStore.open(fleet_database, "b")
    assert "newer than this Aegis understands" in str(refused.value)

    with psycopg.connect(fleet_database) as conn:
        assert conn.execute("SELECT version FROM aegis_schema").fetchall() == [(SCHEMA_VERSION + 1,)]
        assert conn.execute("SELECT name, audit_seq FROM machines").fetchall() == [("a", 7)]
