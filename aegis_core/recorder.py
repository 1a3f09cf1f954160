"""The one door records go through: audit events to every ``audit`` plugin (each
one required) and tool calls into the store, written together. In the daemon,
:class:`GroupCommit` gathers the records of every decision ready at the same
moment into one batch (one write, one fsync) on a worker thread, then answers
them all; a CLI command writes its few records at once (:class:`DirectRecorder`).
Either way nothing is acknowledged before its record is on disk.

A caller may hand ``record`` an ``on_durable`` callback: it runs as soon as that
caller's records are on disk and nothing failed on them, on the writer's own thread
in the daemon, before the awaiting task is even woken. The daemon answers an
auto-allowed call from there (``Daemon._judge``), so the agent hears the answer one
thread hop and a few event-loop turns sooner, and still never before the record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import anyio
import structlog

from aegis_core.models import AuditEvent

if TYPE_CHECKING:
    from aegis_core.plugins import AegisPlugins, AuditFailure
    from aegis_core.store.interface import ApprovalStore, CallRecord

log = structlog.get_logger(__name__)


class AuditFailed(Exception):
    """An audit writer could not record an event: nothing it concerns may be acknowledged."""


OnDurable = Callable[[], None]


class Recorder(Protocol):
    async def record(self, events: Sequence[AuditEvent], calls: Sequence[CallRecord] = (), *,
                     on_durable: OnDurable | None = None) -> None:
        """Write ``events`` and ``calls``; return once they are durable, raise
        AuditFailed if any audit writer failed on them. ``on_durable`` runs once they
        are durable and nothing failed, before this returns (maybe on another thread);
        an exception it raises is logged and ignored."""


def _failure_message(failure: AuditFailure) -> str:
    return (f"the audit writer {failure.plugin} could not record it "
            f"({type(failure.error).__name__}: {failure.error})")


def write(plugins: AegisPlugins, store: ApprovalStore | None, events: Sequence[AuditEvent],
          calls: Sequence[CallRecord]) -> list[AuditFailure]:
    """Write one batch (blocking); the audit failures come back, per event."""
    failures = plugins.audit(*events) if events else []
    if calls and store is not None:
        store.record_calls(calls)
    return failures


class DirectRecorder:
    """Writes each record at once (CLI commands, tests): a few records, no batching."""

    def __init__(self, plugins: AegisPlugins, store: ApprovalStore | None = None) -> None:
        self.plugins, self.store = plugins, store

    async def record(self, events: Sequence[AuditEvent], calls: Sequence[CallRecord] = (), *,
                     on_durable: OnDurable | None = None) -> None:
        failures = write(self.plugins, self.store, events, calls)
        if failures:
            raise AuditFailed(_failure_message(failures[0]))
        _run(on_durable)


def _run(on_durable: OnDurable | None) -> None:
    """Run a caller's ``on_durable``; its failure is the caller's to notice (the
    answer it would have sent goes the ordinary way), never the batch's."""
    if on_durable is None:
        return
    try:
        on_durable()
    except Exception:
        log.exception("an on_durable callback failed")


@dataclass
class _Entry:
    events: Sequence[AuditEvent]
    calls: Sequence[CallRecord]
    on_durable: OnDurable | None = None
    done: anyio.Event = field(default_factory=anyio.Event)
    error: AuditFailed | None = None


class GroupCommit:
    """Batches records from concurrent decisions. Run :meth:`run` in the daemon's
    task group; until it runs (and after it stops) records are written at once."""

    def __init__(self, plugins: AegisPlugins, store: ApprovalStore | None) -> None:
        self.plugins, self.store = plugins, store
        self._queue: list[_Entry] = []
        self._wakeup = anyio.Event()
        self._running = False
        self.batches = 0
        self.largest = 0

    async def record(self, events: Sequence[AuditEvent], calls: Sequence[CallRecord] = (), *,
                     on_durable: OnDurable | None = None) -> None:
        if not self._running:
            self.record_now(events, calls)
            _run(on_durable)
            return
        entry = _Entry(events, calls, on_durable)
        self._queue.append(entry)
        self._wakeup.set()
        await entry.done.wait()
        if entry.error is not None:
            raise entry.error

    def record_now(self, events: Sequence[AuditEvent], calls: Sequence[CallRecord] = ()) -> None:
        """Write at once, blocking (the daemon is not serving: before :meth:`run`
        starts or after it stops, so no batch is being written meanwhile); raise
        AuditFailed if any audit writer failed."""
        failures = write(self.plugins, self.store, events, calls)
        if failures:
            raise AuditFailed(_failure_message(failures[0]))

    async def run(self) -> None:
        self._running = True
        try:
            while True:
                await self._wakeup.wait()
                self._wakeup = anyio.Event()
                batch, self._queue = self._queue, []
                if batch:
                    # Shielded: a decision whose records are being written is answered
                    # even when the daemon stops meanwhile.
                    with anyio.CancelScope(shield=True):
                        await self._write(batch)
        finally:
            self._running = False
            # Anyone still queued (the daemon is stopping) is written directly.
            batch, self._queue = self._queue, []
            for entry in batch:
                self._settle_alone(entry)

    async def _write(self, batch: list[_Entry]) -> None:
        events = [event for entry in batch for event in entry.events]
        calls = [call for entry in batch for call in entry.calls]
        self.batches += 1
        self.largest = max(self.largest, len(batch))
        try:
            failures = await anyio.to_thread.run_sync(self._write_batch, batch, events, calls)
        except Exception as exc:  # the store or the disk: every decision of the batch fails closed
            log.exception("recording a batch failed")
            failure = AuditFailed(f"the records could not be written ({type(exc).__name__}: {exc})")
            for entry in batch:
                entry.error = failure
                entry.done.set()
            return
        for entry in batch:
            entry.error = _failed_for(entry, failures)
            entry.done.set()

    def _write_batch(self, batch: list[_Entry], events: list[AuditEvent],
                     calls: list[CallRecord]) -> list[AuditFailure]:
        """On the writer thread: the batch's one write, then each entry's
        ``on_durable`` whose records all made it (its task is woken after)."""
        failures = write(self.plugins, self.store, events, calls)
        for entry in batch:
            if _failed_for(entry, failures) is None:
                _run(entry.on_durable)
        return failures

    def _settle_alone(self, entry: _Entry) -> None:
        try:
            failures = write(self.plugins, self.store, entry.events, entry.calls)
            entry.error = _failed_for(entry, failures)
        except Exception as exc:
            entry.error = AuditFailed(f"the records could not be written ({type(exc).__name__}: {exc})")
        if entry.error is None:
            _run(entry.on_durable)
        entry.done.set()


def _failed_for(entry: _Entry, failures: list[AuditFailure]) -> AuditFailed | None:
    """The failure that concerns this entry: one on any of its events, or a failed sync."""
    if not failures:
        return None
    mine = {id(event) for event in entry.events}
    for failure in failures:
        if failure.event is None or id(failure.event) in mine:
            return AuditFailed(_failure_message(failure))
    return None
