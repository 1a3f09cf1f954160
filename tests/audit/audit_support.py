"""Shared bits of the audit tests: a log filled with records, and line surgery."""

from __future__ import annotations

from pathlib import Path

from aegis_core.audit import AuditLog
from aegis_core.models import AuditEvent


def filled_log(path: Path, count: int = 10, *, checkpoint: bool = True) -> AuditLog:
    log = AuditLog(path, checkpoint_every=10_000)
    for i in range(count):
        log.append(AuditEvent("call.seen", {"n": i, "command": f"echo {i}"}, session=f"s{i % 2}"))
    if checkpoint:
        log.checkpoint()
    return log


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def write_lines(path: Path, content: list[bytes]) -> None:
    path.write_bytes(b"".join(content))
