"""A channel's notes (``hub.audit``, a synchronous plugin API) reach the audit log
without an fsync on the daemon's event loop: from the loop they join the group
commit; from a channel's own thread they join it too, and are durable before the call
returns. The daemon runs in process here, so the test can tell which path each note
took."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import pytest

from aegis_core.audit import verify
from aegis_core.audit.reader import read_records
from aegis_core.config import ensure_home, load_config
from aegis_core.daemon.server import Daemon


@pytest.fixture(autouse=True)
def signal_handlers_restored() -> Iterator[None]:
    """The daemon ignores SIGTERM, SIGINT and SIGHUP once it stops serving: give the
    test process its own handlers back."""
    kept = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    yield
    for signum, handler in kept.items():
        signal.signal(signum, handler)


def test_a_channel_note_joins_the_group_commit_from_the_loop_and_from_a_thread(aegis_home: Path) -> None:
    daemon = Daemon(load_config(home=ensure_home(aegis_home)))
    written_at_once: list[str] = []  # what bypassed the batching while the daemon served
    direct = daemon.recorder.record_now

    def record_now(events: Any, calls: Any = ()) -> None:
        written_at_once.extend(event.event for event in events)
        direct(events, calls)

    daemon.recorder.record_now = record_now  # type: ignore[method-assign]
    durable_on_return: list[bool] = []

    def from_a_thread() -> None:
        daemon.hub.audit("test.from_a_thread", {"n": 2})
        on_disk = [record.event for record in read_records(aegis_home / "audit.log")]
        durable_on_return.append("test.from_a_thread" in on_disk)

    async def main() -> None:
        ready = anyio.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(lambda: daemon.serve(ready=ready))
            await ready.wait()
            try:
                batches = daemon.recorder.batches
                daemon.hub.audit("test.from_the_loop", {"n": 1}, "s-1")
                await anyio.to_thread.run_sync(from_a_thread)
                with anyio.move_on_after(30):
                    while daemon.recorder.batches < batches + 2:
                        await anyio.sleep(0.01)
            finally:
                daemon.stop()

    anyio.run(main)
    events = [(record.event, record.session) for record in read_records(aegis_home / "audit.log")]
    assert ("test.from_the_loop", "s-1") in events and ("test.from_a_thread", None) in events
    assert durable_on_return == [True]  # the thread's note was on disk before hub.audit returned
    # Nothing bypassed the batches while serving; only the stop, after them, is written at once.
    assert written_at_once == ["daemon.stopped"]
    assert events[-1] == ("daemon.stopped", None)
    assert verify(aegis_home / "audit.log").ok
