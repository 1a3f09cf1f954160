"""Races on one approval: many threads and several processes answering it at once,
and an answer meeting the deadline. Exactly one of them may win, and the stored
state must be the winner's."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from approvals_support import end, pending, shell

from aegis_core.models import ApprovalStatus
from aegis_core.store import Store

WORKER = Path(__file__).with_name("race_worker.py")


def race(actions: list) -> list:
    """Run the callables at the same moment (a barrier), return their results."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = actions[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("shared", [True, False], ids=["one-store", "store-per-thread"])
def test_many_threads_answering_one_approval_have_one_winner(db_path: Path, shared: bool) -> None:
    stores = [Store.open(db_path)] * 12 if shared else [Store.open(db_path) for _ in range(12)]
    try:
        for _round in range(5):
            approval = pending(stores[0], shell("rm -rf x"))

            def answer(i: int, approval_id: str = approval.id):
                status = ApprovalStatus.APPROVED if i % 2 else ApprovalStatus.DENIED
                return end(stores[i], approval_id, status, by=f"t{i}", channel="race")

            results = race([lambda i=i: answer(i) for i in range(12)])
            winners = [i for i, r in enumerate(results) if r.won]
            assert len(winners) == 1
            final = stores[0].get_approval(approval.id)
            assert final.decided_by == f"t{winners[0]}"
            assert final.status is (
                ApprovalStatus.APPROVED if winners[0] % 2 else ApprovalStatus.DENIED
            )
            assert all(r.approval == final for r in results)  # losers are told the final state
    finally:
        for store in set(stores):
            store.close()


def test_an_answer_and_the_deadline_at_the_same_instant_have_one_outcome(db_path: Path) -> None:
    answerer, timer = Store.open(db_path), Store.open(db_path)
    try:
        for _round in range(20):
            approval = pending(answerer, shell("git push -f"))
            answered, expired = race(
                [
                    lambda a=approval: end(answerer, a.id, ApprovalStatus.APPROVED),
                    lambda a=approval: end(timer, a.id, ApprovalStatus.EXPIRED, by="aegis"),
                ]
            )
            assert answered.won != expired.won
            final = answerer.get_approval(approval.id)
            expected = ApprovalStatus.APPROVED if answered.won else ApprovalStatus.EXPIRED
            assert final.status is expected
            assert answered.approval == expired.approval == final
    finally:
        answerer.close()
        timer.close()


def run_workers(db_path: Path, approval_id: str, modes: list[str]) -> list[dict]:
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(db_path), approval_id, f"p{i}", mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i, mode in enumerate(modes)
    ]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:  # release them together
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [json.loads(proc.stdout.readline()) for proc in procs]
        assert [proc.wait(timeout=60) for proc in procs] == [0] * len(procs)
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_several_processes_answering_one_approval_have_one_winner(db_path: Path) -> None:
    with Store.open(db_path) as store:
        for _round in range(3):
            approval = pending(store, shell("rm -rf y"))
            results = run_workers(db_path, approval.id, ["resolve"] * 6)
            winners = [r["name"] for r in results if r["won"]]
            assert len(winners) == 1
            assert store.get_approval(approval.id).decided_by == winners[0]


def test_processes_answering_while_another_expires_have_one_outcome(db_path: Path) -> None:
    with Store.open(db_path) as store:
        approval = pending(store, shell("rm -rf z"))
        results = run_workers(db_path, approval.id, ["resolve", "expire", "resolve", "expire"])
        winners = [r for r in results if r["won"]]
        assert len(winners) == 1
        final = store.get_approval(approval.id)
        assert final.status is not ApprovalStatus.PENDING
        assert (final.status is ApprovalStatus.EXPIRED) == (winners[0]["name"] in ("p1", "p3"))
