"""The webhook end to end: a request goes out through the fake Graph API, real signed
POSTs come back to the running receiver, and the real store records the decision."""

from __future__ import annotations

from pathlib import Path

import pytest
from aegis_whatsapp.fake_graph import FakeGraph, button_reply_event, buttons_of, text_event
from whatsapp_support import APPROVER, PHONE_ID, STRANGER, VERIFY_TOKEN, VIEWER, running_channel

from aegis_core.models import ApprovalStatus, Decision, Outcome, Scope

pytestmark = pytest.mark.anyio


def interactive(sent: list[dict]) -> list[dict]:
    return [m for m in sent if m["type"] == "interactive"]


def texts(sent: list[dict], to: str = APPROVER) -> list[str]:
    return [m["text"]["body"] for m in sent if m["type"] == "text" and m["to"] == to]


async def ask(run) -> tuple[object, dict[str, str]]:
    """Create an approval, notify the channel, return it and the buttons it sent."""
    approval, call = run.hub.request()
    run.channel.notify(approval, call)
    sent = await run.sent(lambda s: interactive(s))
    message = interactive(sent)[-1]
    assert message["to"] == APPROVER  # the viewer is never asked
    return approval, buttons_of(message)


def tap(button_id: str, title: str, *, sender: str = APPROVER, message_id: str = "wamid.IN1") -> dict:
    return button_reply_event(
        phone_number_id=PHONE_ID,
        sender=sender,
        button_id=button_id,
        title=title,
        message_id=message_id,
    )


async def test_approve_from_whatsapp_resolves_the_approval(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        assert list(buttons) == ["Approve", "Deny", "Allow for session"]
        response = await run.post(tap(buttons["Approve"], "Approve"))
        assert response.status_code == 200
        stored = await run.until(lambda: _final(run, approval.id))
        assert stored.status is ApprovalStatus.APPROVED
        assert stored.decided_by == f"whatsapp:+{APPROVER}"
        assert stored.channel == "whatsapp"
        assert stored.scope is Scope.ONCE
        # The daemon's notify of the final state sends a short outcome message.
        sent = await run.sent(lambda s: any(t.startswith("Approved") for t in texts(s)))
        assert any(approval.id[:8] in t for t in texts(sent))


async def test_deny_from_whatsapp(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        await run.post(tap(buttons["Deny"], "Deny"))
        stored = await run.until(lambda: _final(run, approval.id))
        assert stored.status is ApprovalStatus.DENIED
        await run.sent(lambda s: any(t.startswith("Denied") for t in texts(s)))


async def test_allow_for_session_approves_with_session_scope(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        await run.post(tap(buttons["Allow for session"], "Allow for session"))
        stored = await run.until(lambda: _final(run, approval.id))
        assert stored.status is ApprovalStatus.APPROVED
        assert stored.scope is Scope.SESSION


async def test_wrong_signature_is_rejected_and_changes_nothing(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        response = await run.post(tap(buttons["Approve"], "Approve"), secret="not-the-app-secret")
        assert response.status_code == 401
        tampered = await run.post(tap(buttons["Approve"], "Approve"), signature="sha256=" + "0" * 64)
        assert tampered.status_code == 401
        assert [d["reason"] for d in run.hub.audited("whatsapp.webhook_rejected")] == ["bad_signature"] * 2
        assert run.hub.store.get_approval(approval.id).status is ApprovalStatus.PENDING


async def test_missing_signature_is_rejected(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        response = await run.post(tap(buttons["Approve"], "Approve"), secret=None)
        assert response.status_code == 401
        assert run.hub.audited("whatsapp.webhook_rejected")[0]["reason"] == "unsigned"
        assert run.hub.store.get_approval(approval.id).status is ApprovalStatus.PENDING


async def test_verification_answers_the_challenge_only_with_the_right_token(home: Path) -> None:
    async with running_channel(home, None) as run:
        good = await run.client.get(
            run.url,
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "1158201444",
            },
        )
        assert (good.status_code, good.text) == (200, "1158201444")
        bad = await run.client.get(
            run.url,
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": "guess",
                "hub.challenge": "1158201444",
            },
        )
        assert bad.status_code == 403
        assert "1158201444" not in bad.text
        assert run.hub.audited("whatsapp.webhook_rejected")[0]["reason"] == "verify_token_mismatch"


async def test_unknown_number_is_refused_and_audited(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        # Even a genuine button id, replayed from another phone, does nothing.
        response = await run.post(tap(buttons["Approve"], "Approve", sender=STRANGER))
        assert response.status_code == 200  # signed by WhatsApp: acknowledged, then refused
        refused = await run.until(lambda: run.hub.audited("whatsapp.unauthorized"))
        assert refused[0]["sender"] == STRANGER
        assert run.hub.store.get_approval(approval.id).status is ApprovalStatus.PENDING
        assert not [m for m in fake_graph.snapshot() if m["to"] == STRANGER]  # no reply to strangers


async def test_viewer_cannot_answer(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        await run.post(tap(buttons["Approve"], "Approve", sender=VIEWER))
        await run.until(lambda: run.hub.audited("whatsapp.role_refused"))
        await run.sent(lambda s: any("cannot answer" in t for t in texts(s, VIEWER)))
        assert run.hub.store.get_approval(approval.id).status is ApprovalStatus.PENDING


async def test_forged_button_id_does_nothing(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        genuine = buttons["Deny"]
        forged = genuine.replace(":deny:", ":approve:")  # keep the deny MAC, claim approve
        await run.post(tap(forged, "Approve"))
        await run.post(
            tap(
                f"aegis1:{approval.id}:approve:AAAAAAAAAAAAAAAAAAAAAA",
                "Approve",
                message_id="wamid.IN2",
            )
        )
        forgeries = await run.until(lambda: len(run.hub.audited("whatsapp.forged_button")) == 2)
        assert forgeries
        assert run.hub.store.get_approval(approval.id).status is ApprovalStatus.PENDING


async def test_redelivered_webhook_is_processed_once(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        event = tap(buttons["Approve"], "Approve", message_id="wamid.SAME")
        first, second = await run.post(event), await run.post(event)
        assert first.status_code == second.status_code == 200
        await run.until(lambda: _final(run, approval.id))
        await run.sent(lambda s: any(t.startswith("Approved") for t in texts(s)))
        # A second processing would have answered "Too late" to the duplicate.
        later = await run.post(
            text_event(phone_number_id=PHONE_ID, sender=APPROVER, text="hi", message_id="wamid.MARK")
        )
        assert later.status_code == 200
        sent = await run.sent(lambda s: any("buttons" in t for t in texts(s)))
        assert not [t for t in texts(sent) if t.startswith("Too late")]


async def test_late_answer_is_told_how_it_ended(home: Path, fake_graph: FakeGraph) -> None:
    async with running_channel(home, fake_graph) as run:
        approval, buttons = await ask(run)
        run.hub.answer_elsewhere(approval.id, Decision(Outcome.DENY, decided_by="alice", channel="cli"))
        await run.post(tap(buttons["Approve"], "Approve"))
        sent = await run.sent(lambda s: any(t.startswith("Too late") for t in texts(s)))
        late = next(t for t in texts(sent) if t.startswith("Too late"))
        assert "Denied by alice via cli" in late
        assert run.hub.store.get_approval(approval.id).status is ApprovalStatus.DENIED


async def test_text_messages_are_never_executed(home: Path, fake_graph: FakeGraph, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    async with running_channel(home, fake_graph) as run:
        await run.post(
            text_event(
                phone_number_id=PHONE_ID,
                sender=APPROVER,
                text=f"touch {marker}",
                message_id="wamid.CMD",
            )
        )
        await run.sent(lambda s: any("never runs" in t for t in texts(s)))
    assert not marker.exists()


def _final(run, approval_id: str):
    approval = run.hub.store.get_approval(approval_id)
    return approval if approval.status.is_final else None


async def test_a_flood_of_bad_posts_is_audited_in_bounded_amounts(home: Path) -> None:
    from aegis_whatsapp.channel import MAX_REJECTIONS_AUDITED

    async with running_channel(home, None) as run:
        for _ in range(MAX_REJECTIONS_AUDITED + 5):
            assert (await run.post(b"{}", secret=None)).status_code == 401
        assert len(run.hub.audited("whatsapp.webhook_rejected")) == MAX_REJECTIONS_AUDITED
