"""Sending through the fake Graph API: the 24-hour window and its template, retries on
server errors and rate limits, and giving up cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from aegis_whatsapp.fake_graph import FakeGraph, buttons_of, text_event
from aegis_whatsapp.window import load_state
from whatsapp_support import APPROVER, PHONE_ID, TOKEN, running_channel

from aegis_core.models import ApprovalStatus

pytestmark = pytest.mark.anyio


def of_type(sent: list[dict], kind: str) -> list[dict]:
    return [m for m in sent if m["type"] == kind and m["to"] == APPROVER]


async def test_outside_the_window_the_template_is_sent(home: Path, fake_graph: FakeGraph) -> None:
    fake_graph.closed_windows.add(APPROVER)
    async with running_channel(home, fake_graph) as run:
        approval, call = run.hub.request()
        run.channel.notify(approval, call)
        sent = await run.sent(lambda s: of_type(s, "template"))
        template = of_type(sent, "template")[0]["template"]
        assert template == {"name": "aegis_pending", "language": {"code": "en_US"}}
        # The interactive request was refused by the API (131047), not sent.
        assert [code for code, m in fake_graph.rejected if m.get("type") == "interactive"] == [400]
        assert not of_type(sent, "interactive")
        assert run.channel.window.state(APPROVER) == "closed"
        audited = await run.until(lambda: run.hub.audited("whatsapp.window_closed"))
        assert audited[0]["template"] == "aegis_pending"
        # doctor (another process) reads the state file the channel keeps.
        assert load_state(home).state(APPROVER) == "closed"

        # The approver answers the template: the window opens and the request follows.
        fake_graph.closed_windows.discard(APPROVER)
        await run.post(text_event(phone_number_id=PHONE_ID, sender=APPROVER, text="ok", message_id="wamid.OPEN"))
        sent = await run.sent(lambda s: of_type(s, "interactive"))
        assert buttons_of(of_type(sent, "interactive")[0])["Approve"].startswith(f"aegis1:{approval.id}:")
        assert run.channel.window.state(APPROVER) == "open"


async def test_a_second_request_does_not_resend_the_template_at_once(home: Path, fake_graph: FakeGraph) -> None:
    fake_graph.closed_windows.add(APPROVER)
    async with running_channel(home, fake_graph) as run:
        for command in ("rm -rf a", "rm -rf b"):
            approval, call = run.hub.request(command)
            run.channel.notify(approval, call)
        audited = await run.until(
            lambda: len(run.hub.audited("whatsapp.window_closed")) == 2 and run.hub.audited("whatsapp.window_closed")
        )
        assert [a["template_sent"] for a in audited] == [True, False]
        assert len(of_type(fake_graph.snapshot(), "template")) == 1


async def test_window_closed_without_a_template_is_audited(home: Path, fake_graph: FakeGraph) -> None:
    fake_graph.closed_windows.add(APPROVER)
    async with running_channel(home, fake_graph, template_name="") as run:
        approval, call = run.hub.request()
        run.channel.notify(approval, call)
        audited = await run.until(lambda: run.hub.audited("whatsapp.window_closed"))
        assert audited[0] == {
            "number": APPROVER,
            "template": None,
            "template_sent": False,
            "approval_id": approval.id,
        }
        assert not fake_graph.snapshot()


async def test_server_errors_are_retried(home: Path, fake_graph: FakeGraph) -> None:
    fake_graph.fail_next(503, 2, "Service temporarily unavailable", times=2)
    async with running_channel(home, fake_graph) as run:
        approval, call = run.hub.request()
        run.channel.notify(approval, call)
        sent = await run.sent(lambda s: of_type(s, "interactive"))
        assert len(of_type(sent, "interactive")) == 1
        assert [status for status, _ in fake_graph.rejected] == [503, 503]
        assert fake_graph.requests == 3


async def test_rate_limits_are_retried(home: Path, fake_graph: FakeGraph) -> None:
    fake_graph.fail_next(429, 130429, "Rate limit hit", retry_after=0.01)
    fake_graph.fail_next(400, 131056, "(Business Account, Consumer Account) pair rate limit hit")
    async with running_channel(home, fake_graph) as run:
        approval, call = run.hub.request()
        run.channel.notify(approval, call)
        await run.sent(lambda s: of_type(s, "interactive"))
        assert [status for status, _ in fake_graph.rejected] == [429, 400]


async def test_giving_up_is_audited_and_the_approval_stays_pending(home: Path, fake_graph: FakeGraph) -> None:
    fake_graph.fail_next(500, 1, "An unknown error occurred", times=10)
    async with running_channel(home, fake_graph) as run:
        approval, call = run.hub.request()
        run.channel.notify(approval, call)
        failed = await run.until(lambda: run.hub.audited("whatsapp.send_failed"))
        assert fake_graph.requests == 4  # the test retry policy's attempts
        assert "after 4 attempts" in failed[0]["error"]
        assert run.hub.store.get_approval(approval.id).status is ApprovalStatus.PENDING
        # The channel keeps working after giving up on one message.
        fake_graph.clear_failures()
        second, call = run.hub.request("rm -rf c")
        run.channel.notify(second, call)
        await run.sent(lambda s: of_type(s, "interactive"))


async def test_a_bad_token_is_not_retried_and_never_logged(
    home: Path, fake_graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_channel(home, fake_graph, access_token="EAAwrongtoken0123456789abcdefghijklmnop") as run:
        approval, call = run.hub.request()
        run.channel.notify(approval, call)
        failed = await run.until(lambda: run.hub.audited("whatsapp.send_failed"))
        assert fake_graph.requests == 1
        assert failed[0]["code"] == 190
    assert "EAAwrongtoken" not in caplog.text and TOKEN not in caplog.text


async def test_an_approval_that_ended_before_sending_is_not_sent(home: Path, fake_graph: FakeGraph) -> None:
    from aegis_core.models import Decision, Outcome

    async with running_channel(home, fake_graph) as run:
        approval, call = run.hub.request()
        run.hub.answer_elsewhere(approval.id, Decision(Outcome.DENY, decided_by="me", channel="cli"))
        run.channel.notify(approval, call)  # the stale "pending" notification
        marker, call2 = run.hub.request("echo marker")
        run.channel.notify(marker, call2)
        sent = await run.sent(lambda s: of_type(s, "interactive"))
        assert len(of_type(sent, "interactive")) == 1
        assert "echo marker" in of_type(sent, "interactive")[0]["interactive"]["body"]["text"]


async def test_a_later_delivery_failure_for_the_window_sends_the_template(home: Path, fake_graph: FakeGraph) -> None:
    from aegis_whatsapp.fake_graph import failed_status_event

    async with running_channel(home, fake_graph) as run:
        approval, call = run.hub.request()
        run.channel.notify(approval, call)
        await run.sent(lambda s: of_type(s, "interactive"))
        # Delivered as far as the channel knows (it has read the API's answer).
        await run.until(lambda: run.channel.window.state(APPROVER) == "open")
        wamid = "wamid.FAKE000001"  # the fake numbers its messages from 1
        await run.post(failed_status_event(phone_number_id=PHONE_ID, message_id=wamid, recipient=APPROVER, code=131047))
        await run.sent(lambda s: of_type(s, "template"))
        assert run.channel.window.state(APPROVER) == "closed"
