"""What the audit log records: an event, and the line it becomes in the hash chain."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AuditEvent:
    """Something worth recording, before it is chained into the log."""

    event: str
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)
    session: str | None = None
    time: float = field(default_factory=time.time)


@dataclass(frozen=True)
class AuditRecord:
    """One line of the audit log: an event with its place in the hash chain."""

    seq: int
    time: float
    event: str
    session: str | None
    details: Mapping[str, Any] = field(hash=False)
    prev_hash: str
    hash: str
