"""Three daemons as three machines of one fleet: an approval asked on one is seen on
another and answered from a third; the first answer wins; two-person rules need two
different people."""

from __future__ import annotations

import json
import threading

from fleet_support import wait_until


def test_asked_on_a_listed_on_b_approved_from_c(fleet):
    a, b, c = fleet["a"], fleet["b"], fleet["c"]
    waiting = a.bash_async("deploy web")
    approval_id = waiting.approval_id()

    listed = json.loads(b.cli("approvals", "list", "--fleet", "--json").stdout)
    mine = [row for row in listed if row["id"] == approval_id]
    assert mine and mine[0]["machine"] == "a" and mine[0]["status"] == "pending"
    assert json.loads(b.cli("approvals", "list", "--json").stdout) == []  # B's own: none

    approved = c.cli("approvals", "approve", approval_id[:12])
    assert approved.returncode == 0, approved.stderr
    answer = waiting.answer()
    assert answer["decision"] == "allow", answer
    assert "via cli" in answer["reason"]


def test_the_same_approval_answered_at_once_from_two_machines_has_one_winner(fleet):
    a, b, c = fleet["a"], fleet["b"], fleet["c"]
    waiting = a.bash_async("deploy api")
    approval_id = waiting.approval_id()
    results = {}

    def answer(machine, verb):
        results[machine.name] = machine.cli("approvals", verb, approval_id)

    threads = [threading.Thread(target=answer, args=(b, "approve")),
               threading.Thread(target=answer, args=(c, "deny"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    codes = sorted(result.returncode for result in results.values())
    assert codes == [0, 1], {k: (v.returncode, v.stdout, v.stderr) for k, v in results.items()}
    loser = next(r for r in results.values() if r.returncode == 1)
    assert "too late" in loser.stderr
    winner = next(name for name, r in results.items() if r.returncode == 0)
    final = waiting.answer()
    assert final["decision"] == ("allow" if winner == "b" else "deny"), final


def test_two_person_rule_counts_people_not_machines(fleet):
    """One account answering from two machines is one person: it cannot meet a
    two-person rule alone, nor can it claim to relay another channel's user. (Two
    different people meeting it: the unit tests on PostgreSQL, and the Telegram
    plugin's fleet test, CLI plus phone.)"""
    a, b, c = fleet["a"], fleet["b"], fleet["c"]
    waiting = a.bash_async("release 2.0")
    approval_id = waiting.approval_id()

    first = c.cli("approvals", "approve", approval_id)
    assert first.returncode == 0, first.stderr
    assert "1 of 2" in first.stdout
    again = c.cli("approvals", "approve", approval_id)  # the same person again does not count
    assert again.returncode == 1 and "already approved" in again.stderr
    elsewhere = b.cli("approvals", "approve", approval_id)  # the same account on another machine
    assert elsewhere.returncode == 1 and "same person" in elsewhere.stderr, (elsewhere.stdout, elsewhere.stderr)
    # A client of B's socket claiming to relay a Telegram user's answer is refused.
    forged = b.request("approval.resolve", approval_id=approval_id, outcome="approve", channel="telegram",
                       by="telegram:424242")
    assert not forged["ok"] and "channel cli" in forged["error"], forged
    assert not waiting.done
    listed = json.loads(b.cli("approvals", "list", "--fleet", "--json").stdout)
    (row,) = [row for row in listed if row["id"] == approval_id]
    assert row["status"] == "pending" and len(row["votes"]) == 1

    denied = b.cli("approvals", "deny", approval_id, "--reason", "one person is not two")
    assert denied.returncode == 0, denied.stderr
    assert waiting.answer()["decision"] == "deny"
    refused = [json.loads(line)["details"] for line in (a.home / "audit.log").read_text().splitlines()
               if '"approval.vote_refused"' in line]
    refused += [json.loads(line)["details"] for line in (b.home / "audit.log").read_text().splitlines()
                if '"approval.vote_refused"' in line]
    assert any("same person" in r["why"] for r in refused), refused


def test_one_deny_ends_a_two_person_approval(fleet):
    a, b, c = fleet["a"], fleet["b"], fleet["c"]
    waiting = a.bash_async("release 3.0")
    approval_id = waiting.approval_id()
    assert c.cli("approvals", "approve", approval_id).returncode == 0
    denied = b.cli("approvals", "deny", approval_id, "--reason", "not today")
    assert denied.returncode == 0, denied.stderr
    answer = waiting.answer()
    assert answer["decision"] == "deny" and "not today" in answer["reason"]


def test_fleet_status_lists_the_machines_and_their_pending_approvals(fleet):
    a, b = fleet["a"], fleet["b"]
    waiting = a.bash_async("deploy db")
    waiting.approval_id()

    def seen():
        status = json.loads(b.cli("fleet", "status", "--json").stdout)
        rows = {row["machine"]: row for row in status["machines"]}
        return status if set(rows) == {"a", "b", "c"} and rows["a"]["pending"] == 1 else None

    status = wait_until(seen)
    assert status["connected"] and status["machine"] == "b"
    local = a.status()
    assert local["fleet"]["machine"] == "a" and local["fleet"]["connected"] is True
    assert "Fleet:     machine a" in a.cli("status").stdout
    doctor = json.loads(a.cli("doctor", "--json").stdout)
    fleet_check = next(check for check in doctor["checks"] if check["name"] == "fleet")
    assert fleet_check["status"] == "pass" and "machine a reaches" in fleet_check["message"]
