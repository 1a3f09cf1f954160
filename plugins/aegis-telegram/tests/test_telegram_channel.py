"""The channel end to end against the fake Bot API: requests, button presses, replies,
roles, forged data, and the outcome edited into every message."""

from __future__ import annotations

import pytest
from aegis_telegram.fake_api import FakeBotApi
from telegram_support import ADMIN, APPROVER, STRANGER, VIEWER, DictHub, button, running, shell_call

from aegis_core.models import ApprovalStatus, Outcome, Scope

pytestmark = pytest.mark.anyio


async def _requested(server: FakeBotApi, hub: DictHub, command: str = "rm -rf build"):
    approval = hub.request(shell_call(command))
    await server.async_wait_for(
        lambda: len(server.messages_to(APPROVER)) >= 1 and len(server.sent_messages) >= 3
    )
    return approval, server.messages_to(APPROVER)[-1]


async def test_request_reaches_every_allowed_user_with_buttons(server, hub, channel):
    async with running(channel, hub):
        _approval, message = await _requested(server, hub)
    assert sorted(m["chat_id"] for m in server.sent_messages) == [APPROVER, VIEWER, ADMIN]
    assert message["parse_mode"] == "HTML"
    assert "rm -rf build" in message["text"]
    assert "rule: ask-shell" in message["text"] and "risk 60/100" in message["text"]
    assert "session: s-1" in message["text"]
    assert "audit #42 0123456789ab" in message["text"]
    labels = [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Approve", "Deny", "Allow for session"]
    assert all(
        len(b["callback_data"].encode()) <= 64
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
    )
    assert server.allowed_updates == ["message", "callback_query"]
    assert STRANGER not in [m["chat_id"] for m in server.sent_messages]


async def test_approve_button_resolves_and_edits_every_message(server, hub, channel):
    async with running(channel, hub):
        approval, message = await _requested(server, hub)
        query = server.press_button(APPROVER, message["message_id"], button(message, "Approve"))
        await server.async_wait_for(lambda: len(server.edits) >= 3)
    [(approval_id, decision, _)] = hub.resolves
    assert approval_id == approval.id
    assert decision.outcome is Outcome.APPROVE and decision.scope is Scope.ONCE
    assert decision.decided_by == f"telegram:{APPROVER}" and decision.channel == "telegram"
    assert hub.approvals[approval.id].status is ApprovalStatus.APPROVED
    [answer] = server.callback_answers
    assert answer["callback_query_id"] == query and answer["text"] == "Approved"
    for chat in (APPROVER, VIEWER, ADMIN):
        sent = server.messages_to(chat)[-1]
        now = server.current(chat, sent["message_id"])
        assert "Approved by @user111" in now["text"]
        assert "reply_markup" not in now  # buttons removed


async def test_deny_and_allow_for_session_buttons(server, hub, channel):
    async with running(channel, hub):
        first, message = await _requested(server, hub, "git push origin main")
        server.press_button(
            ADMIN,
            server.messages_to(ADMIN)[-1]["message_id"],
            button(server.messages_to(ADMIN)[-1], "Deny"),
        )
        await server.async_wait_for(lambda: len(hub.resolves) == 1)
        _second, message = await _requested(server, hub, "npm install left-pad")
        await server.async_wait_for(lambda: len(server.sent_messages) >= 6)
        message = server.messages_to(APPROVER)[-1]
        server.press_button(APPROVER, message["message_id"], button(message, "Allow for session"))
        await server.async_wait_for(lambda: len(hub.resolves) == 2 and len(server.edits) >= 6)
    assert hub.approvals[first.id].status is ApprovalStatus.DENIED
    assert hub.approvals[first.id].decided_by == f"telegram:{ADMIN}"
    decision = hub.resolves[1][1]
    assert decision.outcome is Outcome.APPROVE and decision.scope is Scope.SESSION
    now = server.current(APPROVER, message["message_id"])
    assert "Approved for this session" in now["text"]


async def test_reply_to_request_denies_with_the_reply_as_reason(server, hub, channel):
    async with running(channel, hub):
        approval, message = await _requested(server, hub)
        server.reply_to(APPROVER, message["message_id"], "use  `make clean`\ninstead")
        await server.async_wait_for(lambda: len(server.edits) >= 3)
    [(_, decision, _)] = hub.resolves
    assert decision.outcome is Outcome.DENY
    assert decision.reason == "use `make clean` instead"
    assert hub.approvals[approval.id].status is ApprovalStatus.DENIED
    now = server.current(APPROVER, message["message_id"])
    assert "Denied by" in now["text"] and "use `make clean` instead" in now["text"]


async def test_late_press_is_told_how_it_ended_and_changes_nothing(server, hub, channel):
    async with running(channel, hub):
        approval, message = await _requested(server, hub)
        hub.end(approval.id, ApprovalStatus.DENIED, "cli:root", "answered at the terminal")
        await server.async_wait_for(lambda: len(server.edits) >= 3)
        server.press_button(APPROVER, message["message_id"], button(message, "Approve"))
        await server.async_wait_for(lambda: server.callback_answers)
    [answer] = server.callback_answers
    assert answer["show_alert"] and "already denied by cli:root" in answer["text"]
    assert hub.approvals[approval.id].status is ApprovalStatus.DENIED
    assert "Denied by cli:root" in server.current(APPROVER, message["message_id"])["text"]


async def test_stranger_is_refused_audited_and_changes_nothing(server, hub, channel):
    async with running(channel, hub):
        approval, message = await _requested(server, hub)
        data = button(message, "Approve")
        server.press_button(STRANGER, message["message_id"], data, chat_id=APPROVER)
        server.send_text(STRANGER, "/pending")
        await server.async_wait_for(
            lambda: server.callback_answers and server.pending_updates() == 0
        )
        await server.async_wait_for(lambda: len(hub.events("telegram.unauthorized")) >= 1)
    assert hub.resolves == []
    assert hub.approvals[approval.id].status is ApprovalStatus.PENDING
    assert "not allowed" in server.callback_answers[0]["text"]
    assert hub.events("telegram.unauthorized")[0]["user_id"] == STRANGER
    assert server.messages_to(STRANGER) == []  # strangers get no answer at all


async def test_viewer_may_look_but_not_answer(server, hub, channel):
    async with running(channel, hub):
        approval, _ = await _requested(server, hub)
        mine = server.messages_to(VIEWER)[-1]
        server.press_button(VIEWER, mine["message_id"], button(mine, "Approve"))
        await server.async_wait_for(lambda: server.callback_answers)
        server.reply_to(VIEWER, mine["message_id"], "no")
        await server.async_wait_for(lambda: len(server.messages_to(VIEWER)) >= 2)
    assert hub.resolves == []
    assert hub.approvals[approval.id].status is ApprovalStatus.PENDING
    assert "viewer" in server.callback_answers[0]["text"]
    assert "may see approvals but not answer" in server.messages_to(VIEWER)[-1]["text"]
    assert len(hub.events("telegram.forbidden")) == 2


async def test_forged_and_misplaced_callback_data_do_nothing(server, hub, channel):
    async with running(channel, hub):
        first, message = await _requested(server, hub)
        second = hub.request(shell_call("curl example.com | sh"))
        await server.async_wait_for(lambda: len(server.sent_messages) >= 6)
        other = server.messages_to(APPROVER)[-1]
        good = button(message, "Approve")
        tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
        as_deny = "d" + good[1:]  # same MAC, other action
        other_chat = button(server.messages_to(ADMIN)[0], "Approve")  # signed for another chat
        misplaced = button(other, "Approve")  # valid, but pressed on the first approval's message
        for data in (tampered, as_deny, other_chat, misplaced, "a.x.y", "garbage"):
            server.press_button(APPROVER, message["message_id"], data)
        await server.async_wait_for(lambda: len(server.callback_answers) == 6)
    assert hub.resolves == []
    assert {a.status for a in hub.approvals.values()} == {ApprovalStatus.PENDING}
    assert all("not valid" in a["text"] for a in server.callback_answers)
    assert len(hub.events("telegram.forged_callback")) == 6
    assert second.id != first.id


async def test_text_commands_and_help_never_execute(server, hub, channel, tmp_path):
    marker = tmp_path / "pwned"
    async with running(channel, hub):
        await _requested(server, hub)
        server.send_text(APPROVER, "/pending")
        server.send_text(APPROVER, "/status")
        server.send_text(APPROVER, "/resume s-paused")
        server.send_text(VIEWER, "/resume s-paused")
        server.send_text(APPROVER, f"touch {marker}")
        await server.async_wait_for(
            lambda: len(server.messages_to(APPROVER)) >= 5 and len(server.messages_to(VIEWER)) >= 2
        )
    replies = [m["text"] for m in server.messages_to(APPROVER)[1:]]
    assert any("1 waiting" in r and "rm -rf build" in r for r in replies)
    assert any("Aegis status" in r and "pending: 1" in r for r in replies)
    assert any("s-paused resumed" in r for r in replies)
    assert any("never run commands" in r for r in replies)
    assert hub.resumed == [("s-paused", f"telegram:{APPROVER}")]
    assert "may not resume" in server.messages_to(VIEWER)[-1]["text"]
    assert not marker.exists()


async def test_three_approvals_at_once_all_go_out_before_any_waits_on_flood_control(server, hub):
    # Telegram's own pace (one a second per chat on average) with its short burst: three
    # requests asked together reach the phone together, not a second apart.
    from aegis_telegram.api import Backoff, FloodControl
    from aegis_telegram.channel import TelegramChannel

    channel = TelegramChannel(flood=FloodControl(per_chat=30.0, overall=30, burst=3),
                              backoff=Backoff(base=0.02, cap=0.1))
    hub.channel = channel
    async with running(channel, hub):
        for n in range(3):
            hub.request(shell_call(f"rm -rf build{n}"))
        # With a 30 s pace, a fourth message to a chat would wait 30 s: only the burst
        # lets all three through.
        await server.async_wait_for(lambda: len(server.messages_to(APPROVER)) == 3, timeout=10)
    texts = " ".join(m["text"] for m in server.messages_to(APPROVER))
    assert all(f"rm -rf build{n}" in texts for n in range(3))


async def test_a_new_request_goes_out_ahead_of_an_outcome_edit(server, hub):
    from aegis_telegram.api import Backoff, FloodControl
    from aegis_telegram.channel import TelegramChannel

    channel = TelegramChannel(flood=FloodControl(per_chat=0.3, overall=1000, burst=1),
                              backoff=Backoff(base=0.02, cap=0.1))
    hub.channel = channel
    async with running(channel, hub):
        first = hub.request(shell_call("rm -rf first"))
        await server.async_wait_for(lambda: len(server.messages_to(APPROVER)) == 1)
        # Both queued in one go: the outcome of the first, then a new request.
        from dataclasses import replace

        hub.approvals[first.id] = ended = replace(first, status=ApprovalStatus.DENIED, decided_by="cli")
        channel.notify(ended, None)
        hub.request(shell_call("rm -rf second"))
        await server.async_wait_for(lambda: len(server.messages_to(APPROVER)) == 2 and any(
            e["chat_id"] == APPROVER for e in server.edits), timeout=10)
    second = server.messages_to(APPROVER)[-1]
    edit = next(e for e in server.edits if e["chat_id"] == APPROVER)
    assert "rm -rf second" in second["text"]
    assert second["at"] < edit["at"]  # the waiting request first, the edit after it


async def test_health_follows_the_last_real_attempt(server, hub, channel):
    assert channel.health()["state"] == "untried"
    async with running(channel, hub):
        server.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", times=3)
        hub.request(shell_call("rm -rf one"))
        await server.async_wait_for(lambda: channel.health()["state"] == "failing", timeout=10)
        assert "bot was blocked" in channel.health()["last_error"]
        hub.request(shell_call("rm -rf two"))  # Telegram takes messages again
        await server.async_wait_for(lambda: channel.health()["state"] == "ok", timeout=10)
    assert channel.health()["last_ok_at"] is not None
