"""The one door records go through: audit events to every ``audit`` plugin (each
one required) and tool calls into the store, written together. In the daemon,
:class:`GroupCommit` gathers the records of every decision ready at the same
moment into one batch (one write, one fsync) on a writer thread, then answers
them all; a decision that reaches its record alone while the writer is idle is
written at once on the event loop instead (no hand-off to the thread and back); a
CLI command writes its few records at once (:class:`DirectRecorder`). Either way
nothing is acknowledged before its audit record is on disk.

A caller may hand ``record`` an ``on_durable`` callback: it runs as soon as that
caller's audit records are on disk (written and fdatasync'd) and no audit writer
failed on them, before the awaiting task is even woken. The daemon answers an
auto-allowed call from there (``Daemon._judge``), so the agent hears the answer one
thread hop and a few event-loop turns sooner, and still never before the record.

The batch's tool calls go into the store right after those callbacks: the store is
the daemon's working copy (not synced; the audit log is the record of every
decision), so an allow waits for the audit log alone. Should the store then fail,
the batch's decisions still fail (each task gets AuditFailed) and a deny goes to
every one not yet answered; an allow already sent stays sent, with its audit
record durable."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import anyio
import anyio.lowlevel
import anyio.to_thread
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
    write_calls(store, calls)
    return failures


def write_calls(store: ApprovalStore | None, calls: Sequence[CallRecord]) -> None:
    if calls and store is not None:
        store.record_calls(calls)


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
    done: asyncio.Future[None] | None = None  # resolved on the event loop once written
    error: AuditFailed | None = None


class GroupCommit:
    """Batches records from concurrent decisions. Run :meth:`run` in the daemon's
    task group: it starts the writer thread, which takes whatever was queued while
    it wrote the previous batch, writes it (one write, one sync), answers the early
    ones and hands the batch back to the event loop in one call. A record that comes
    alone to an idle writer is written on the event loop itself, at the end of the
    turn it came in (:meth:`_kick`). Until :meth:`run` runs (and after it stops)
    records are written at once.

    A thread of its own rather than a worker per batch: the event loop's share of a
    batch is one wake-up, and of a decision a future and a list append."""

    def __init__(self, plugins: AegisPlugins, store: ApprovalStore | None) -> None:
        self.plugins, self.store = plugins, store
        self._queue: list[_Entry] = []
        self._lock = threading.Lock()
        self._queued = threading.Condition(self._lock)
        self._idle = False  # the writer waits for entries (needs a notify)
        self._stopping = False
        self._writing = False  # the writer thread takes entries
        self._kicking = False  # a wake-up of the writer is scheduled on the loop
        self._loop: asyncio.AbstractEventLoop | None = None
        # Whether the decision recording now is the only one under way (the daemon sets
        # it: one connection in flight): then a record that finds the writer idle is
        # written at once, without waiting for the end of the loop's turn (see record).
        self.alone: Callable[[], bool] = lambda: False
        self.batches = 0
        self.largest = 0

    async def record(self, events: Sequence[AuditEvent], calls: Sequence[CallRecord] = (), *,
                     on_durable: OnDurable | None = None) -> None:
        loop = self._loop
        if loop is None:
            self.record_now(events, calls)
            _run(on_durable)
            return
        with self._lock:
            writing = self._writing
            # Nothing else can join this batch: no other decision is under way, nothing
            # is queued and the writer waits. The turn's end (_kick) would write it alone
            # on the loop all the same, one turn of the loop later (15-30 us per call).
            now = (writing and self._idle and not self._queue and not self._kicking and self.alone()
                   and self.plugins.builtin_only("audit", "audit_sync"))
            entry = _Entry(events, calls, on_durable, None if now else loop.create_future())
            if writing and not now:
                self._queue.append(entry)
        if now:
            # As _kick does: the writer thread waits with nothing queued and only this
            # loop queues, so no other batch is written meanwhile and the order holds.
            self._write_batch([entry])
            if entry.error is not None:
                raise entry.error
            return
        if writing and not self._kicking:
            # Looked at after this turn of the loop, not now: every decision that
            # reaches its record in the same turn joins the same batch.
            self._kicking = True
            loop.call_soon(self._kick)
        if not writing:  # the writer has just stopped: nothing would take it
            self.record_now(events, calls)
            _run(on_durable)
            return
        assert entry.done is not None
        await entry.done
        if entry.error is not None:
            raise entry.error

    def _kick(self) -> None:
        """After the turn in which records were queued: a record that came alone, the
        writer idle, is written here and now on the event loop (the daemon is quiet:
        the hand-off to the writer thread and back would be most of its wait); more
        than one, or a writer still busy, go to the writer thread as one batch. So do
        the records of a daemon with an audit writer from an installed plugin, which
        may wait on a network: that never holds up the event loop."""
        self._kicking = False
        with self._lock:
            if not (self._idle and self._queue):
                return  # the writer is busy: it takes the queue when it is done
            if len(self._queue) > 1 or not self.plugins.builtin_only("audit", "audit_sync"):
                self._idle = False
                self._queued.notify()
                return
            batch, self._queue = self._queue, []
        # The writer thread waits on the condition with nothing queued, and only this
        # loop queues: no other batch is written meanwhile, so the order holds.
        self._write_batch(batch)
        _settle(batch)

    def record_now(self, events: Sequence[AuditEvent], calls: Sequence[CallRecord] = ()) -> None:
        """Write at once, blocking (the daemon is not serving: before :meth:`run`
        starts or after it stops, so no batch is being written meanwhile); raise
        AuditFailed if any audit writer failed."""
        failures = write(self.plugins, self.store, events, calls)
        if failures:
            raise AuditFailed(_failure_message(failures[0]))

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._stopping, self._writing = False, True
        writer = threading.Thread(target=self._writer, args=(loop,), name="aegis-group-commit", daemon=True)
        self._loop = loop
        writer.start()
        try:
            await anyio.sleep_forever()
        finally:
            # Shielded: the batch being written, and what is queued behind it, are
            # written and answered even though the daemon stops meanwhile; then records
            # are written at once (``_loop`` is None).
            with anyio.CancelScope(shield=True):
                with self._lock:
                    self._stopping = True
                    self._queued.notify()
                await anyio.to_thread.run_sync(writer.join)
                self._loop = None
                await anyio.lowlevel.checkpoint()  # let the last hand-back run

    def _writer(self, loop: asyncio.AbstractEventLoop) -> None:
        """The writer thread: a batch at a time, until stopped with nothing queued."""
        while True:
            with self._lock:
                while not self._queue and not self._stopping:
                    self._idle = True
                    self._queued.wait()
                self._idle = False
                batch, self._queue = self._queue, []
                if not batch:
                    self._writing = False
                    return
            self._write_batch(batch)
            try:
                loop.call_soon_threadsafe(_settle, batch)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass

    def _write_batch(self, batch: list[_Entry]) -> None:
        """One batch's audit records in one write (and one fdatasync), then each
        entry's ``on_durable`` whose records all made it, then the batch's tool calls
        into the store. The caller then wakes the batch's tasks (:func:`_settle`)."""
        events = [event for entry in batch for event in entry.events]
        self.batches += 1
        self.largest = max(self.largest, len(batch))
        try:
            failures = self.plugins.audit(*events) if events else []
        except Exception as exc:  # the disk: every decision of the batch fails closed
            _fail(batch, exc)
            return
        for entry in batch:
            entry.error = _failed_for(entry, failures)
            if entry.error is None:
                _run(entry.on_durable)
        try:
            write_calls(self.store, [call for entry in batch for call in entry.calls])
        except Exception as exc:  # the store: the batch's decisions fail (an allow sent stays sent)
            _fail(batch, exc)


def _fail(batch: list[_Entry], exc: Exception) -> None:
    log.exception("recording a batch failed")
    failure = AuditFailed(f"the records could not be written ({type(exc).__name__}: {exc})")
    for entry in batch:
        entry.error = failure


def _settle(batch: list[_Entry]) -> None:
    """On the event loop: wake every task of a written batch."""
    for entry in batch:
        if entry.done is not None and not entry.done.done():  # its task may have been cancelled
            entry.done.set_result(None)


def _failed_for(entry: _Entry, failures: list[AuditFailure]) -> AuditFailed | None:
    """The failure that concerns this entry: one on any of its events, or a failed sync."""
    if not failures:
        return None
    mine = {id(event) for event in entry.events}
    for failure in failures:
        if failure.event is None or id(failure.event) in mine:
            return AuditFailed(_failure_message(failure))
    return None
