"""Crash tests with real processes: a writer is ``kill -9``-ed after each step of an
approval (request stored, notification sent, answer received, decision committed)
and in the middle of a stream of approvals. After a restart nothing acknowledged is
lost, nothing is approved that nobody approved, and the audit log verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from aegis_core.audit import AuditLog, verify
from aegis_core.audit.reader import read_records
from aegis_core.models import ApprovalStatus, AuditEvent
from aegis_core.store import Store

WRITER = Path(__file__).with_name("crash_writer.py")


def start_writer(home: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(home), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def kill9(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def restart(home: Path) -> Store:
    """What a daemon does when it starts again: every pending approval ends, denied,
    through the approvals object (so each one is audited)."""
    import anyio

    from aegis_core.approvals.local import local_approvals
    from aegis_core.config import load_config
    from aegis_core.plugins import AegisPlugins

    config = load_config(home=home, env={"AEGIS_HOME": str(home)})
    with local_approvals(config, AegisPlugins.load(env={"AEGIS_LOAD_PLUGINS": ""})) as book:
        anyio.run(lambda: book.expire_overdue(all_pending=True))
    AuditLog(home / "audit.log").append(AuditEvent("daemon.start", {"after": "crash"}))
    return Store.open(home / "aegis.db")


STEP_EVENTS = [
    "approval.requested",
    "approval.notified",
    "approval.answer_received",
    "approval.resolved",
]


@pytest.mark.parametrize("killed_after", [1, 2, 3, 4])
def test_kill_between_the_steps_of_an_approval(tmp_path: Path, killed_after: int) -> None:
    home = tmp_path / "home"
    proc = start_writer(home, "steps")
    try:
        first = proc.stdout.readline().split()
        assert first[:2] == ["ACK", "1"]
        approval_id = first[2]
        for step in range(2, killed_after + 1):
            proc.stdin.write("next\n")
            proc.stdin.flush()
            assert proc.stdout.readline().split()[:2] == ["ACK", str(step)]
    finally:
        kill9(proc)

    with restart(home) as store:
        approval = store.get_approval(approval_id)
        assert approval is not None  # the acknowledged request survived
        if killed_after == 4:
            assert approval.status is ApprovalStatus.APPROVED and approval.decided_by == "alice"
        else:
            assert approval.status is ApprovalStatus.EXPIRED
            assert store.approval_details(approval_id)["outcome"] == "deny"
    events = [r.event for r in read_records(home / "audit.log")]
    assert events[1 : 1 + killed_after] == STEP_EVENTS[:killed_after]
    result = verify(home / "audit.log")
    assert result.ok, result


@pytest.mark.parametrize("acks_before_kill", [7, 40])
def test_kill_in_the_middle_of_a_stream_of_approvals(tmp_path: Path, acks_before_kill: int) -> None:
    home = tmp_path / "home"
    proc = start_writer(home, "storm")
    acked_seqs: list[int] = []
    approved: list[str] = []
    left: list[str] = []
    try:
        while len(acked_seqs) < acks_before_kill:
            words = proc.stdout.readline().split()
            if words[1] == "seq":
                acked_seqs.append(int(words[2]))
            elif words[1] == "approved":
                approved.append(words[2])
            else:
                left.append(words[2])
    finally:
        kill9(proc)

    with restart(home) as store:
        for approval_id in approved:
            assert store.get_approval(approval_id).status is ApprovalStatus.APPROVED
        for approval_id in left:
            assert store.get_approval(approval_id).status is ApprovalStatus.EXPIRED
        # Whatever the writer had not approved when it died is not approved now.
        approved_now = {a.id for a in store.list_approvals(status="approved", limit=10_000)}
        assert not approved_now & set(left)
        assert store.list_approvals(status="pending") == []
    seqs = {r.seq for r in read_records(home / "audit.log")}
    assert set(acked_seqs) <= seqs
    result = verify(home / "audit.log")
    assert result.ok, result
