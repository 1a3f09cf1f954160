"""Files Aegis must not trust: not a database, truncated, corrupt, from a newer Aegis.
Each is refused with StateCorruption (exit 8) and left byte-for-byte in place."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import apsw
import pytest

from aegis_core.errors import ExitCode, StateCorruption
from aegis_core.models import Action, Kind, ToolCall, Verdict
from aegis_core.store import SCHEMA_VERSION, Store
from aegis_core.store.interface import CallRecord


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def filled_database(path: Path, calls: int = 300) -> None:
    with Store.open(path) as store:
        for i in range(calls):
            call = ToolCall(
                agent="claude",
                tool="Bash",
                kind=Kind.SHELL,
                input={"command": f"echo {i} " + "x" * 200},
                session="s1",
            )
            store.record_calls([CallRecord(call, "{}", Verdict(Action.ALLOW), "", "allow")])
    assert not Path(f"{path}-wal").exists()  # the last close checkpointed everything


def refuses(path: Path) -> StateCorruption:
    before = fingerprint(path)
    with pytest.raises(StateCorruption) as caught:
        Store.open(path, quick_check=True)  # as the daemon's start and `aegis doctor` open it
    assert caught.value.exit_code == ExitCode.STATE
    assert fingerprint(path) == before
    return caught.value


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "aegis.db"
    path.write_bytes(b"this is not sqlite\n" * 100)
    error = refuses(path)
    assert "not an SQLite database" in error.message and "left untouched" in error.message
    assert "mv " in (error.hint or "")


def test_a_truncated_database(tmp_path: Path) -> None:
    path = tmp_path / "aegis.db"
    filled_database(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "truncated" in refuses(path).message


def test_a_database_with_garbage_pages(tmp_path: Path) -> None:
    path = tmp_path / "aegis.db"
    filled_database(path)
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2 : page * 6] = bytes([0xA5]) * (page * 4)
    path.write_bytes(bytes(data))
    refuses(path)


def test_the_page_check_runs_when_asked_not_on_every_open(tmp_path: Path) -> None:
    path = tmp_path / "aegis.db"
    filled_database(path, calls=600)
    conn = apsw.Connection(str(path))
    [(root,)] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name='tool_calls_by_age'").fetchall()
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[(root - 1) * page + 8 : root * page] = bytes([0x5A]) * (page - 8)  # an index page only
    path.write_bytes(bytes(data))
    with Store.open(path) as store:  # a command reading one row does not scan every page
        assert store.get_session("s1") is not None
        with pytest.raises(StateCorruption, match="integrity check failed"):
            store.check_integrity()


def test_a_database_from_a_newer_aegis(tmp_path: Path) -> None:
    path = tmp_path / "aegis.db"
    Store.open(path).close()
    conn = apsw.Connection(str(path))
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 7}")
    conn.close()
    assert "newer" in refuses(path).message


def test_the_cli_reports_exit_8_and_keeps_the_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    path = home / "aegis.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    before = fingerprint(path)
    env = {"AEGIS_HOME": str(home), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from aegis_core.cli import main; sys.exit(main())",
            "approvals",
            "list",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 8, result.stderr
    assert "aegis: error:" in result.stderr and "Traceback" not in result.stderr
    assert fingerprint(path) == before
