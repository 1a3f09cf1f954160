"""The audit log writer: format, chaining, redaction, modes, durability across
threads and processes, and recovery from a record torn by a crash."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from audit_support import filled_log, lines

from aegis_core.audit import GENESIS, AuditLog, read_checkpoints, verify
from aegis_core.audit.reader import read_records
from aegis_core.errors import StateCorruption
from aegis_core.models import AuditEvent


def test_records_are_chained_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "home" / "audit.log"
    log = AuditLog(path)
    first = log.append(AuditEvent("daemon.start", {"pid": 1}))
    second = log.append(AuditEvent("call.seen", {"tool": "Bash"}, session="s1"))
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    raw = [json.loads(line) for line in path.read_text().splitlines()]
    assert list(raw[1]) == ["seq", "time", "session", "event", "details", "prev_hash", "hash"]
    assert raw[1]["session"] == "s1" and raw[1]["hash"] == second.hash
    assert log.head() == (2, second.hash)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_details_are_redacted_before_they_reach_the_disk(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    AuditLog(path).append(
        AuditEvent(
            "call.seen",
            {
                "command": "curl -H 'Authorization: Bearer abcdefghij123' https://api",
                "api_key": "plain-value",
                "nested": {"password": "p4ss"},
            },
        )
    )
    text = path.read_text()
    for secret in ("abcdefghij123", "plain-value", "p4ss"):
        assert secret not in text


def test_a_second_writer_continues_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    one, two = AuditLog(path), AuditLog(path)
    one.append(AuditEvent("a"))
    two.append(AuditEvent("b"))
    one.append(AuditEvent("c"))
    assert [r.seq for r in read_records(path)] == [1, 2, 3]
    assert verify(path).ok


def test_threads_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    log = AuditLog(path)

    def write(name: str) -> None:
        for i in range(25):
            log.append(AuditEvent("call.seen", {"thread": name, "i": i}))

    threads = [threading.Thread(target=write, args=(f"t{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    result = verify(path)
    assert result.ok and result.records == 200


def test_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    code = (
        "import sys; from pathlib import Path; from aegis_core.audit import AuditLog; "
        "from aegis_core.models import AuditEvent; log = AuditLog(Path(sys.argv[1])); "
        "[log.append(AuditEvent('call.seen', {'p': sys.argv[2], 'i': i})) for i in range(50)]"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(p)]) for p in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    result = verify(path)
    assert result.ok and result.records == 200
    per_process = {str(p): 0 for p in range(4)}
    for record in read_records(path):
        per_process[record.details["p"]] += 1
    assert set(per_process.values()) == {50}


def test_a_torn_record_from_a_crash_is_cut_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    filled_log(path, 5)
    with open(path, "ab") as handle:
        handle.write(b'{"seq":6,"time":1.0,"session":null,"ev')  # the writer died mid-record
    assert verify(path).reason == "truncated tail"
    log = AuditLog(path)
    record = log.append(AuditEvent("daemon.start"))
    events = [r.event for r in read_records(path)]
    assert events[-2:] == ["audit.recovered", "daemon.start"] and record.seq == 7
    assert verify(path).ok


def test_a_damaged_last_record_stops_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    filled_log(path, 3)
    content = lines(path)
    content[-1] = b"not a record\n"
    path.write_bytes(b"".join(content))
    with pytest.raises(StateCorruption, match="aegis audit verify"):
        AuditLog(path).append(AuditEvent("x"))


def test_checkpoints_record_the_head(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    log = AuditLog(path, checkpoint_every=4)
    for i in range(9):
        log.append(AuditEvent("e", {"i": i}))
    seq, digest = log.checkpoint()
    marks = read_checkpoints(log.checkpoint_path)
    assert [s for s, _ in marks] == [4, 8, 9]
    assert marks[-1] == (seq, digest) == log.head()
    assert stat.S_IMODE(log.checkpoint_path.stat().st_mode) == 0o600
    assert log.checkpoint_path.name == "audit.checkpoint"


def test_the_plugin_writes_through_the_configured_log(tmp_path: Path, aegis_home: Path) -> None:
    from aegis_core.audit.plugin import AuditPlugin
    from aegis_core.config import load_config

    writer = AuditPlugin()
    writer.audit(event=AuditEvent("call.seen", {"n": 1}))
    assert not (aegis_home / "audit.log").exists()  # buffered until the batch is synced
    writer.audit_sync()
    assert [r.event for r in read_records(aegis_home / "audit.log")] == ["call.seen"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    writer.configure(load_config(home=elsewhere, env={"AEGIS_HOME": str(elsewhere)}))
    writer.audit(event=AuditEvent("approval.requested", {"id": "a1"}))
    writer.audit(event=AuditEvent("call.decided", {"id": "c1"}))
    writer.audit_sync()
    assert [r.event for r in read_records(elsewhere / "audit.log")] == ["approval.requested", "call.decided"]
    # An approval event pins the head in the checkpoint file at once.
    assert read_checkpoints(elsewhere / "audit.checkpoint")[-1][0] == 2


def test_the_plugin_is_a_builtin_audit_hook(aegis_plugins, aegis_home: Path) -> None:
    plugins = aegis_plugins(builtins=True)
    assert plugins.audit(AuditEvent("daemon.stop")) == []
    assert [r.event for r in read_records(aegis_home / "audit.log")] == ["daemon.stop"]


def test_a_failed_write_fails_the_sync_of_every_thread_whose_events_it_took(aegis_home: Path) -> None:
    import threading

    from aegis_core.audit.plugin import AuditPlugin

    writer = AuditPlugin()
    other: list[BaseException | None] = []
    queued = threading.Event()
    go = threading.Event()

    def other_thread() -> None:
        writer.audit(event=AuditEvent("call.decided", {"n": 1}))
        queued.set()
        go.wait(10)
        try:
            writer.audit_sync()
            other.append(None)
        except OSError as exc:
            other.append(exc)

    thread = threading.Thread(target=other_thread)
    thread.start()
    queued.wait(10)
    writer.log.append_many = lambda events: (_ for _ in ()).throw(OSError("disk full"))  # type: ignore[method-assign]
    writer.audit(event=AuditEvent("call.decided", {"n": 2}))
    with pytest.raises(OSError, match="disk full"):
        writer.audit_sync()  # took both threads' events, and failed
    go.set()
    thread.join(10)
    assert isinstance(other[0], OSError)  # never told its event was written
