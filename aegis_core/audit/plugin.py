"""The built-in ``audit`` implementation: every event goes to ``$AEGIS_HOME/audit.log``.
Approval and daemon life-cycle events also checkpoint the chain head, so a rewrite of
the log after any of them is caught by ``aegis audit verify``."""

from __future__ import annotations

import threading
from pathlib import Path

from aegis_core.audit.log import AuditLog
from aegis_core.hookspecs import hookimpl
from aegis_core.models import AuditEvent

# Events after which the head is checkpointed (synced): the moments a human
# decision or a daemon's life changes, worth pinning down at once.
CHECKPOINT_PREFIXES = ("approval.", "daemon.", "session.paused", "session.resumed")

_lock = threading.Lock()
_log: AuditLog | None = None
_paths: tuple[Path, Path | None] | None = None


def configure(path: Path, checkpoint_path: Path | None = None) -> AuditLog:
    """Point the built-in writer at ``path`` (the daemon and tests call this)."""
    global _log, _paths
    with _lock:
        if _log is not None:
            _log.close()
        _paths = (Path(path), Path(checkpoint_path) if checkpoint_path else None)
        _log = AuditLog(*_paths)
        return _log


def get_log() -> AuditLog:
    """The writer, opened on first use at ``$AEGIS_HOME/audit.log`` unless configured."""
    global _log
    with _lock:
        if _log is None:
            from aegis_core.config import aegis_home

            _log = AuditLog(aegis_home() / "audit.log")
        return _log


def reset() -> None:
    """Forget the writer (the next event opens it again from ``$AEGIS_HOME``)."""
    global _log, _paths
    with _lock:
        if _log is not None:
            _log.close()
        _log, _paths = None, None


@hookimpl
def audit(event: AuditEvent) -> None:
    log = get_log()
    log.append(event)
    if event.event.startswith(CHECKPOINT_PREFIXES):
        log.checkpoint()
