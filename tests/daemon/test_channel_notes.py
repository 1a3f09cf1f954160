"""A channel's notes (``hub.audit``, a synchronous plugin API) reach the audit log
without an fsync on the daemon's event loop: from the loop they join the group
commit; from a channel's own thread they are written before the call returns. The
daemon runs in process here, so the test can tell which path each note took."""

from __future__ import annotations

import signal
import threading
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


def test_a_channel_note_from_the_loop_is_batched_and_one_from_a_thread_is_written_at_once(
    aegis_home: Path,
) -> None:
    daemon = Daemon(load_config(home=ensure_home(aegis_home)))
    written_at_once: list[tuple[str, bool]] = []  # (event, on the loop's thread)
    direct = daemon.pipeline.audit

    def audit(event: str, details: dict[str, Any], session: str | None = None) -> None:
        written_at_once.append((event, threading.get_ident() == loop_thread))
        direct(event, details, session)

    daemon.pipeline.audit = audit  # type: ignore[method-assign]
    loop_thread = threading.get_ident()

    async def main() -> None:
        ready = anyio.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(lambda: daemon.serve(ready=ready))
            await ready.wait()
            try:
                batches = daemon.recorder.batches
                daemon.hub.audit("test.from_the_loop", {"n": 1}, "s-1")
                await anyio.to_thread.run_sync(lambda: daemon.hub.audit("test.from_a_thread", {"n": 2}))
                with anyio.move_on_after(30):
                    while daemon.recorder.batches == batches:
                        await anyio.sleep(0.01)
            finally:
                daemon.stop()

    anyio.run(main)
    events = [(record.event, record.session) for record in read_records(aegis_home / "audit.log")]
    assert ("test.from_the_loop", "s-1") in events and ("test.from_a_thread", None) in events
    assert ("test.from_the_loop", True) not in written_at_once
    assert ("test.from_a_thread", False) in written_at_once
    assert verify(aegis_home / "audit.log").ok
