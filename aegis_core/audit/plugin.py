"""The built-in audit writer (plugin ``aegis.audit``): every event goes to
``$AEGIS_HOME/audit.log``. Events of a batch are written with one write and one
fdatasync in ``audit_sync`` (group commit). Approval and daemon life-cycle events
also checkpoint the chain head, so a rewrite of the log after any of them is
caught by ``aegis audit verify``."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from aegis_core.audit.log import AuditLog
from aegis_core.hookspecs import hookimpl
from aegis_core.models import AuditEvent

if TYPE_CHECKING:
    from aegis_core.config import Config

# Events after which the head is checkpointed (synced): the moments a human
# decision or a daemon's life changes, worth pinning down at once.
CHECKPOINT_PREFIXES = ("approval.", "daemon.", "session.paused", "session.resumed", "grant.")


class AuditPlugin:
    """One writer per plugin set, pointed at ``config.home`` by ``configure``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: AuditLog | None = None
        self._batch: list[tuple[int, AuditEvent]] = []
        # Threads whose events another thread's sync took and failed to write: their
        # own sync must fail too, never report them written.
        self._lost: dict[int, BaseException] = {}

    @property
    def log(self) -> AuditLog:
        """The writer, opened at ``$AEGIS_HOME/audit.log`` unless configured."""
        if self._log is None:
            from aegis_core.config import aegis_home

            home = aegis_home()
            self._log = AuditLog(home / "audit.log", home / "audit.checkpoint")
        return self._log

    @hookimpl
    def configure(self, config: Config) -> None:
        with self._lock:
            if self._log is not None:
                self._log.close()
            self._log = AuditLog(config.home / "audit.log", config.home / "audit.checkpoint")

    @hookimpl
    def audit(self, event: AuditEvent) -> None:
        with self._lock:
            self._batch.append((threading.get_ident(), event))

    @hookimpl
    def audit_sync(self) -> None:
        # Held while writing: a second thread's sync returns only once the events
        # this one took (possibly its own) are on disk, or fails if they were lost.
        me = threading.get_ident()
        with self._lock:
            batch, self._batch = self._batch, []
            try:
                if batch:
                    events = [event for _, event in batch]
                    log = self.log
                    log.append_many(events)
                    if any(event.event.startswith(CHECKPOINT_PREFIXES) for event in events):
                        log.checkpoint()
            except BaseException as exc:
                for owner, _ in batch:
                    if owner != me:
                        self._lost[owner] = exc
                raise
            lost = self._lost.pop(me, None)
            if lost is not None:
                raise OSError(f"events of this thread were taken by another write that failed ({lost})") from lost

    def close(self) -> None:
        with self._lock:
            if self._log is not None:
                self._log.close()
