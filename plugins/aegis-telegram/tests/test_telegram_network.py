"""The channel when Telegram or the network misbehaves: 429, 5xx, outages, a second
poller (409); and redaction of what leaves the machine."""

from __future__ import annotations

import asyncio

import pytest
from aegis_telegram.fake_api import FakeBotApi
from telegram_support import APPROVER, DictHub, button, fast_channel, running, shell_call

from aegis_core.models import ApprovalStatus

pytestmark = pytest.mark.anyio


def _calls(server: FakeBotApi, method: str) -> list[dict]:
    with server.lock:
        return [r for r in server.requests if r["method"] == method]


async def test_429_waits_retry_after_then_delivers_once(server, hub, channel):
    server.fail("sendMessage", 429, retry_after=1)
    async with running(channel, hub):
        hub.request(shell_call())
        await server.async_wait_for(lambda: len(server.sent_messages) == 3)
    statuses = [r["status"] for r in _calls(server, "sendMessage")]
    assert statuses[0] == 429 and statuses.count(200) == 3 and len(statuses) == 4
    assert len(server.messages_to(APPROVER)) == 1  # retried, not duplicated


async def test_5xx_is_retried_with_backoff(server, hub, channel):
    server.fail("sendMessage", 502, "Bad Gateway", times=3)
    async with running(channel, hub):
        hub.request(shell_call())
        await server.async_wait_for(lambda: len(server.sent_messages) == 3)
    assert [r["status"] for r in _calls(server, "sendMessage")][:3] == [502, 502, 502]


@pytest.mark.parametrize("mode", ["refuse", "close"])
async def test_outage_keeps_work_queued_and_edits_when_back(server, hub, channel, mode):
    async with running(channel, hub):
        approval = hub.request(shell_call())
        await server.async_wait_for(lambda: len(server.sent_messages) == 3)
        first = server.messages_to(APPROVER)[0]
        server.begin_outage(mode)
        # Answered at the terminal while Telegram is unreachable; a new request arrives too.
        hub.end(approval.id, ApprovalStatus.APPROVED, "cli:root")
        later = hub.request(shell_call("make deploy"))
        await asyncio.sleep(0.4)  # let the sender and poller fail a few times
        assert server.edits == [] and len(server.sent_messages) == 3
        server.end_outage()
        await server.async_wait_for(
            lambda: len(server.edits) == 3 and len(server.sent_messages) == 6
        )
        assert "Approved by cli:root" in server.current(APPROVER, first["message_id"])["text"]
        # Polling recovered too: a press on the queued request is handled.
        fresh = server.messages_to(APPROVER)[-1]
        server.press_button(APPROVER, fresh["message_id"], button(fresh, "Deny"))
        await server.async_wait_for(lambda: hub.approvals[later.id].status is ApprovalStatus.DENIED)


async def test_tokens_in_a_command_never_reach_the_server_in_clear(server, hub, channel):
    bot_token = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    github = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"
    command = (
        f"curl https://api.telegram.org/bot{bot_token}/getMe && "
        f"GITHUB_TOKEN={github} git push && mail alice@example.com"
    )
    async with running(channel, hub):
        hub.request(shell_call(command))
        await server.async_wait_for(lambda: len(server.sent_messages) == 3)
    with server.lock:
        bodies = b"".join(r["body"] for r in server.requests)
    for secret in (bot_token, github, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "alice@example.com"):
        assert secret.encode() not in bodies
    assert "***REDACTED***" in server.messages_to(APPROVER)[0]["text"]


async def test_409_from_a_second_poller_is_reported_not_retried_forever(server, config):
    channel = fast_channel(conflict_attempts=3)
    hub = DictHub(config, channel)
    server.conflict = True
    async with running(channel, hub) as task:
        await server.async_wait_for(lambda: hub.events("telegram.poll_conflict"))
        # Sending still works while polling has stopped.
        hub.request(shell_call())
        await server.async_wait_for(lambda: len(server.sent_messages) == 3)
        await asyncio.sleep(0.3)
        assert not task.done()
    assert server.get_updates_calls == 3
    assert "Another program reads this bot's updates" in (channel.poll_error or "")
    assert "only one bot instance" in hub.events("telegram.poll_conflict")[0]["description"]


async def test_second_poller_on_the_fake_gets_409(server):
    from aegis_telegram.api import BotApi, TelegramConflict

    first, second = BotApi(server.token, server.api_base), BotApi(server.token, server.api_base)
    try:
        waiting = asyncio.create_task(first.call_once("getUpdates", timeout=5))
        await server.async_wait_for(lambda: server.get_updates_calls == 1)
        poll = asyncio.create_task(second.call_once("getUpdates", timeout=1))
        with pytest.raises(TelegramConflict):
            await waiting
        assert await poll == []
    finally:
        await first.aclose()
        await second.aclose()
