"""One Telegram poller per fleet: three daemons share one PostgreSQL store and one
bot; one is elected to poll. Killed with SIGKILL while a request is pending, another
takes over: the message is not sent again, and its button still answers it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from aegis_telegram.fake_api import FakeBotApi

from aegis_core.testing_fleet import Machine, wait_until

APPROVER = 111


def _elected(machine: Machine) -> bool:
    try:
        fleet = machine.status().get("fleet") or {}
    except Exception:
        return False
    return bool((fleet.get("pollers") or {}).get("telegram", {}).get("elected"))


@pytest.fixture
def bot():
    with FakeBotApi(users=[APPROVER]) as fake:
        yield fake


def test_the_poller_killed_mid_request_is_replaced_and_nothing_is_lost_or_sent_twice(
        fleet_root: Path, fleet_database: str, bot: FakeBotApi):
    env = {"AEGIS_TELEGRAM_BOT_TOKEN": bot.token, "AEGIS_TELEGRAM_API_BASE": bot.api_base,
           "AEGIS_TELEGRAM_ALLOWED_USERS": str(APPROVER), "AEGIS_TELEGRAM_POLL_TIMEOUT": "1"}
    machines = [Machine(fleet_root, name, fleet_database, env=env, load_plugins="telegram",
                        channels='["telegram", "cli"]') for name in ("a", "b", "c")]
    try:
        for machine in machines:
            machine.start()
        leaders = wait_until(lambda: [m for m in machines if _elected(m)] or None)
        assert len(leaders) == 1
        leader = leaders[0]
        asking = next(m for m in machines if m is not leader)
        waiting = asking.bash_async("deploy web")
        approval_id = waiting.approval_id()

        def sent_for_approval():
            return [m for m in bot.messages_to(APPROVER) if approval_id[:8] in m["html"] + m["text"]
                    or any(approval_id in b.get("callback_data", "") for row in
                           (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row)]

        first = wait_until(sent_for_approval)
        assert len(first) == 1

        os.kill(leader.pid(), signal.SIGKILL)
        survivors = [m for m in machines if m is not leader]
        new_leader = wait_until(lambda: next((m for m in survivors if _elected(m)), None), timeout=20)
        assert new_leader is not leader
        wait_until(lambda: bot.get_updates_calls > 0)

        buttons = first[0]["reply_markup"]["inline_keyboard"][0]
        approve = next(b["callback_data"] for b in buttons if b["text"] == "Approve")
        bot.press_button(APPROVER, first[0]["message_id"], approve)
        answer = waiting.answer()
        assert answer["decision"] == "allow", answer
        assert "telegram" in answer["reason"]
        # the new poller edited the message the dead one sent; it never sent a second one
        edited = wait_until(lambda: "approved" in bot.current(APPROVER, first[0]["message_id"])["text"].lower())
        assert edited
        assert len(sent_for_approval()) == 1
    finally:
        for machine in machines:
            machine.stop()


def test_a_two_person_rule_is_met_by_an_account_at_one_machine_and_a_phone(
        fleet_root: Path, fleet_database: str, bot: FakeBotApi):
    """Two different people, on two machines of the fleet: one at the CLI of one, one
    on Telegram (the poller runs wherever it was elected). The same account at the CLI
    of a third machine adds nobody."""
    env = {"AEGIS_TELEGRAM_BOT_TOKEN": bot.token, "AEGIS_TELEGRAM_API_BASE": bot.api_base,
           "AEGIS_TELEGRAM_ALLOWED_USERS": str(APPROVER), "AEGIS_TELEGRAM_POLL_TIMEOUT": "1"}
    machines = [Machine(fleet_root, name, fleet_database, env=env, load_plugins="telegram",
                        channels='["telegram", "cli"]') for name in ("a", "b", "c")]
    try:
        for machine in machines:
            machine.start()
        wait_until(lambda: [m for m in machines if _elected(m)] or None)
        a, b, c = machines
        waiting = a.bash_async("release 4.0")
        approval_id = waiting.approval_id()
        sent = wait_until(lambda: [m for m in bot.messages_to(APPROVER) if m.get("reply_markup")
                                   and any(approval_id in btn.get("callback_data", "") for row in
                                           m["reply_markup"]["inline_keyboard"] for btn in row)])
        assert b.cli("approvals", "approve", approval_id).returncode == 0
        same = c.cli("approvals", "approve", approval_id)
        assert same.returncode == 1 and "same person" in same.stderr
        assert not waiting.done

        buttons = sent[0]["reply_markup"]["inline_keyboard"][0]
        approve = next(btn["callback_data"] for btn in buttons if btn["text"] == "Approve")
        bot.press_button(APPROVER, sent[0]["message_id"], approve)
        answer = waiting.answer()
        assert answer["decision"] == "allow", answer
    finally:
        for machine in machines:
            machine.stop()
