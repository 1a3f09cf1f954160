"""A stand-in for the daemon's approval path, run as a real process the crash tests
``kill -9``. It prints ``ACK ...`` after each step is durable, then waits for a line
on stdin (steps mode) or keeps going (storm mode).

Usage: crash_writer.py HOME steps|storm
"""

from __future__ import annotations

import sys
from pathlib import Path

from approvals_support import end, pending

from aegis_core.audit import AuditLog
from aegis_core.models import Action, ApprovalStatus, AuditEvent, Kind, ToolCall, Verdict
from aegis_core.store import Store
from aegis_core.store.interface import CallRecord

ASK = Verdict(Action.REQUIRE_APPROVAL, reason="asks")


def call(n: int) -> ToolCall:
    return ToolCall(
        agent="claude",
        tool="Bash",
        kind=Kind.SHELL,
        input={"command": f"rm -rf dir{n}"},
        session="s1",
        cwd="/w",
    )


def ack(*words: object) -> None:
    print("ACK", *words, flush=True)


def steps(store: Store, log: AuditLog) -> None:
    request = call(0)
    approval = pending(store, request, timeout_s=300)
    log.append(AuditEvent("approval.requested", {"id": approval.id}, session="s1"))
    ack(1, approval.id)
    sys.stdin.readline()
    log.append(
        AuditEvent("approval.notified", {"id": approval.id, "channel": "telegram"}, session="s1")
    )
    log.checkpoint()
    ack(2)
    sys.stdin.readline()
    log.append(
        AuditEvent("approval.answer_received", {"id": approval.id, "by": "alice"}, session="s1")
    )
    ack(3)
    sys.stdin.readline()
    result = end(store, approval.id, ApprovalStatus.APPROVED, channel="telegram")
    store.record_calls([CallRecord(request, "{}", Verdict(Action.ALLOW), "", "allow", approval.id)])
    log.append(
        AuditEvent("approval.resolved", {"id": approval.id, "won": result.won}, session="s1")
    )
    ack(4)
    sys.stdin.readline()


def storm(store: Store, log: AuditLog) -> None:
    n = 0
    while True:
        approval = pending(store, call(n), timeout_s=300)
        record = log.append(
            AuditEvent("approval.requested", {"id": approval.id, "n": n}, session="s1")
        )
        ack("seq", record.seq)
        if n % 2 == 0:
            end(store, approval.id, ApprovalStatus.APPROVED)
            ack("approved", approval.id)
        else:
            ack("left", approval.id)
        n += 1


def main() -> None:
    home = Path(sys.argv[1])
    store = Store.open(home / "aegis.db")
    log = AuditLog(home / "audit.log")
    log.append(AuditEvent("daemon.start", {"pid": "writer"}))
    {"steps": steps, "storm": storm}[sys.argv[2]](store, log)


if __name__ == "__main__":
    main()
