"""The read-only quick path of ``aegis status`` (daemon stopped) and ``aegis approvals
list``: the same answers as the Store gives, nothing written to the database, and a
database of another schema version or a damaged one handled exactly as before (the
long way migrates or refuses it)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import apsw
import pytest
from approvals_support import end, pending, shell

from aegis_core.models import ApprovalStatus
from aegis_core.store import SCHEMA_VERSION, Store, reads
from aegis_core.store.interface import StoredVote
from aegis_core.store.schema import MIGRATIONS


def aegis(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AEGIS_HOME": str(home)}
    env.pop("AEGIS_SOCKET", None)
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=env, text=True,
                          capture_output=True, timeout=60)


def digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture
def filled(aegis_home: Path) -> Path:
    """A home whose database holds two pending approvals (one with a vote) and a denied one."""
    with Store.open(aegis_home / "aegis.db") as store:
        pending(store, shell("rm -rf build"), timeout_s=300)
        voted = pending(store, shell("git push --force"), timeout_s=300)
        store.add_vote(voted.id, StoredVote(voter="cli:alice", outcome="approve", decided_by="alice",
                                           channel="cli", seal=""))
        denied = pending(store, shell("curl x | sh"), timeout_s=300)
        end(store, denied.id, ApprovalStatus.DENIED)
    return aegis_home


def test_the_quick_list_is_the_stores_list(filled: Path) -> None:
    db = filled / "aegis.db"
    conn = reads.open_reader(db)
    assert conn is not None
    with Store.open(db) as store:
        for status in ("pending", None, "denied"):
            quick = reads.list_approvals(conn, db, status=status, limit=100)
            full = [a.to_dict() for a in store.list_approvals(status=status, limit=100)]
            assert quick == full
            assert [list(a) for a in quick] == [list(a) for a in full]  # the same keys in the same order
            assert quick  # each case has rows, so the comparison says something
        assert reads.count_pending(conn, db) == len(store.list_approvals(status="pending")) == 2
    conn.close()
    listed = json.loads(aegis(filled, "approvals", "list", "--json").stdout)
    assert [a["summary"] for a in listed] == ["rm -rf build", "git push --force"]
    assert listed[1]["votes"] == ["alice"]
    assert len(json.loads(aegis(filled, "approvals", "list", "--all", "--json").stdout)) == 3


def test_status_and_list_with_the_daemon_stopped_write_nothing(filled: Path) -> None:
    db = filled / "aegis.db"
    before = digest(db)
    status = aegis(filled, "status", "--json")
    assert status.returncode == 3 and json.loads(status.stdout)["pending"] == 2
    assert "Pending:   2 approval(s)" in aegis(filled, "status").stdout
    assert "rm -rf build" in aegis(filled, "approvals", "list").stdout
    assert digest(db) == before


def older_database(path: Path, version: int) -> None:
    conn = apsw.Connection(str(path))
    for step in range(1, version + 1):
        conn.execute(MIGRATIONS[step])
    conn.execute(f"PRAGMA user_version={version}")
    conn.close()


@pytest.mark.parametrize("command", [["status", "--json"], ["approvals", "list", "--json"]])
def test_an_older_database_goes_the_long_way_and_is_migrated(aegis_home: Path, command: list[str]) -> None:
    db = aegis_home / "aegis.db"
    older_database(db, SCHEMA_VERSION - 1)
    assert reads.open_reader(db) is None
    result = aegis(aegis_home, *command)
    assert result.returncode in (0, 3), result.stderr
    out = json.loads(result.stdout)
    assert out == [] if command[0] == "approvals" else out["pending"] == 0
    with apsw.Connection(str(db)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_or_damaged_database_is_reported_and_left_alone(aegis_home: Path) -> None:
    db = aegis_home / "aegis.db"
    Store.open(db).close()
    with apsw.Connection(str(db)) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    before = digest(db)
    status = aegis(aegis_home, "status", "--json")
    assert "newer than this Aegis understands" in json.loads(status.stdout)["database_error"]
    listed = aegis(aegis_home, "approvals", "list")
    assert listed.returncode != 0 and "newer than this Aegis understands" in listed.stderr
    assert "Traceback" not in listed.stderr and digest(db) == before

    db.write_bytes(b"this is not a database" * 10)
    before = digest(db)
    status = aegis(aegis_home, "status", "--json")
    assert "not an SQLite database" in json.loads(status.stdout)["database_error"]
    listed = aegis(aegis_home, "approvals", "list", "--json")
    assert listed.returncode != 0 and "not an SQLite database" in listed.stderr
    assert listed.stdout == "" and digest(db) == before
