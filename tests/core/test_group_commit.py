"""The daemon's recorder (aegis_core/recorder.py, GroupCommit) with the real audit
writer and the real store: a decision's ``on_durable`` (the daemon's early allow) runs
only once its audit record is in the log; a record that comes alone to an idle writer
is written on the event loop itself (within the call when the daemon says no other
decision is under way, else at the end of the loop's turn), records that come in the same turn go to the
writer thread as one batch, and so does a lone record when an installed plugin writes
the audit log (it may wait on a network); a store that fails after the audit record
is durable fails the decision, and leaves an allow already answered answered."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path

import anyio
import apsw
import pytest

from aegis_core.audit.reader import read_records
from aegis_core.hookspecs import hookimpl
from aegis_core.models import Action, AuditEvent, Kind, ToolCall, Verdict
from aegis_core.recorder import AuditFailed, GroupCommit
from aegis_core.store import Store
from aegis_core.store.interface import CallRecord
from aegis_core.testing import make_plugins

WAIT = 30.0  # a hang guard, not a timing assertion


class Mirror:
    """An installed plugin's audit writer (a copy of every event in a file)."""

    name = "test-mirror"

    def __init__(self, path: Path) -> None:
        self.path = path

    @hookimpl
    def audit(self, event: AuditEvent) -> None:
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(event.event + "\n")


def decision(n: int) -> tuple[list[AuditEvent], list[CallRecord]]:
    call = ToolCall(agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": f"ls {n}"}, cwd="/work",
                    session="s1")
    return ([AuditEvent("call.decided", {"call_id": call.id, "n": n}, session="s1")],
            [CallRecord(call, "{}", Verdict(Action.ALLOW), "", "allow")])


class Seen:
    """What each decision's on_durable saw: its thread, and whether its record was
    already in the audit log."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.threads: dict[int, int] = {}
        self.in_log: dict[int, bool] = {}

    def on_durable(self, n: int):  # type: ignore[no-untyped-def]
        def durable() -> None:
            self.threads[n] = threading.get_ident()
            self.in_log[n] = any(r.details.get("n") == n for r in read_records(self.log))
        return durable


async def serving(recorder: GroupCommit, body) -> None:  # type: ignore[no-untyped-def]
    async with anyio.create_task_group() as group:
        group.start_soon(recorder.run)
        with anyio.fail_after(WAIT):
            while not recorder._idle:  # the writer thread is up, waiting for records
                await anyio.sleep(0.001)
            await body()
        group.cancel_scope.cancel()


@pytest.fixture
def store(aegis_home: Path):  # type: ignore[no-untyped-def]
    opened = Store.open(aegis_home / "aegis.db")
    yield opened
    opened.close()


def test_a_lone_record_is_written_on_the_event_loop_before_its_answer(aegis_home: Path, store: Store) -> None:
    recorder = GroupCommit(make_plugins(builtins=True), store)
    seen = Seen(aegis_home / "audit.log")
    loop_thread = threading.get_ident()

    async def body() -> None:
        events, calls = decision(1)
        await recorder.record(events, calls, on_durable=seen.on_durable(1))

    anyio.run(serving, recorder, body)
    assert seen.in_log == {1: True}
    assert seen.threads == {1: loop_thread}
    assert recorder.batches == 1
    with apsw.Connection(str(aegis_home / "aegis.db")) as db:  # the store has the call too, once answered
        assert list(db.execute("SELECT tool, decision FROM tool_calls")) == [("Bash", "allow")]


def test_the_only_decision_under_way_is_written_before_record_returns(aegis_home: Path, store: Store) -> None:
    # The daemon says so (Daemon: one connection in flight): its record is written within
    # the call, before the loop's turn ends; otherwise the turn's end writes it (_kick).
    for alone in (True, False):
        recorder = GroupCommit(make_plugins(builtins=True), store)
        recorder.alone = lambda alone=alone: alone  # type: ignore[misc]
        seen = Seen(aegis_home / "audit.log")
        loop_thread = threading.get_ident()
        turned: list[bool] = []

        async def body() -> None:
            asyncio.get_running_loop().call_soon(turned.append, True)  # runs at the turn's end
            events, calls = decision(1)
            await recorder.record(events, calls, on_durable=lambda: seen.on_durable(1)() or turned.append(False))

        anyio.run(serving, recorder, body)
        assert seen.in_log == {1: True} and seen.threads == {1: loop_thread}
        assert turned == ([False, True] if alone else [True, False])


def test_records_of_the_same_turn_go_to_the_writer_thread_as_one_batch(aegis_home: Path, store: Store) -> None:
    recorder = GroupCommit(make_plugins(builtins=True), store)
    seen = Seen(aegis_home / "audit.log")
    loop_thread = threading.get_ident()

    async def body() -> None:
        async with anyio.create_task_group() as group:
            for n in range(3):
                events, calls = decision(n)
                group.start_soon(lambda e=events, c=calls, n=n: recorder.record(e, c, on_durable=seen.on_durable(n)))

    anyio.run(serving, recorder, body)
    assert seen.in_log == {0: True, 1: True, 2: True}
    assert loop_thread not in seen.threads.values()
    assert (recorder.batches, recorder.largest) == (1, 3)


def test_an_installed_audit_writer_never_runs_on_the_event_loop(aegis_home: Path, store: Store,
                                                                tmp_path: Path) -> None:
    mirror = tmp_path / "mirror.txt"
    recorder = GroupCommit(make_plugins(Mirror(mirror), builtins=True), store)
    seen = Seen(aegis_home / "audit.log")
    loop_thread = threading.get_ident()

    async def body() -> None:
        events, calls = decision(1)
        await recorder.record(events, calls, on_durable=seen.on_durable(1))

    anyio.run(serving, recorder, body)
    assert seen.in_log == {1: True}
    assert seen.threads[1] != loop_thread
    assert mirror.read_text() == "call.decided\n"


def test_a_store_that_fails_after_the_audit_record_fails_the_decision(aegis_home: Path) -> None:
    store = Store.open(aegis_home / "aegis.db")
    store.close()  # every write now raises
    recorder = GroupCommit(make_plugins(builtins=True), store)
    seen = Seen(aegis_home / "audit.log")
    failed: list[str] = []

    async def body() -> None:
        events, calls = decision(1)
        try:
            await recorder.record(events, calls, on_durable=seen.on_durable(1))
        except AuditFailed as exc:
            failed.append(str(exc))

    anyio.run(serving, recorder, body)
    # The allow was answered once its audit record was durable; the decision still fails.
    assert seen.in_log == {1: True}
    assert len(failed) == 1 and "could not be written" in failed[0]
    assert os.path.getsize(aegis_home / "audit.log") > 0
