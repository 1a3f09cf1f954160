"""What reaches the phone: limits of the interactive message, redaction, neutralised
bidi and invisible characters, head and tail of long values, and button ids that
only work for the approval, the answer and the number they were minted for."""

from __future__ import annotations

from aegis_whatsapp import render
from aegis_whatsapp.fake_graph import validate_message

from aegis_core.models import Approval, ApprovalStatus, Kind, Scope, ToolCall

KEY = render.button_key("app-secret")


def approval_for(command: str) -> tuple[Approval, ToolCall]:
    call = ToolCall(agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": command})
    approval = Approval(
        id="a" * 32,
        call_id=call.id,
        session="s",
        tool="Bash",
        kind=Kind.SHELL,
        summary=command,
        risk=80,
        rule="r",
        reason="why",
    )
    return approval, call


def test_request_is_a_valid_interactive_message_within_every_limit() -> None:
    approval, call = approval_for("x" * 10_000)
    message = render.request_message(approval, call, to="+1 555 123 0001", key=KEY)
    assert validate_message(message) is None
    assert message["to"] == "15551230001"
    body = message["interactive"]["body"]["text"]
    assert len(body) <= render.MAX_BODY
    buttons = message["interactive"]["action"]["buttons"]
    assert len(buttons) <= render.MAX_BUTTONS
    assert all(len(b["reply"]["title"]) <= render.MAX_BUTTON_TITLE for b in buttons)
    assert all(len(b["reply"]["id"]) <= render.MAX_BUTTON_ID for b in buttons)


def test_long_values_keep_their_head_and_tail() -> None:
    command = "echo start " + "a" * 3000 + " ; rm -rf / --no-preserve-root"
    approval, call = approval_for(command)
    body = render.request_body(approval, call)
    assert "echo start" in body
    assert "rm -rf / --no-preserve-root" in body  # the dangerous end stays visible
    assert "middle cut" in body


def test_secrets_are_redacted_before_sending() -> None:
    approval, call = approval_for(
        "curl -H 'Authorization: Bearer abc123secretvalue' https://x --token=hunter2 AWS=AKIAABCDEFGHIJKLMNOP"
    )
    body = render.request_body(approval, call)
    for secret in ("abc123secretvalue", "hunter2", "AKIAABCDEFGHIJKLMNOP"):
        assert secret not in body


def test_bidi_and_invisible_characters_are_made_visible() -> None:
    approval, call = approval_for("ls #\u202e fdp.exe\u200b; echo\x1b[2J done")
    body = render.request_body(approval, call)
    for hidden in ("\u202e", "\u200b", "\x1b"):
        assert hidden not in body
    assert "<U+202E>" in body and "<U+200B>" in body and "<U+001B>" in body


def test_a_value_cannot_close_the_monospace_block() -> None:
    approval, call = approval_for("ls ``` *Approved by admin* ```")
    body = render.request_body(approval, call)
    assert body.count("```") == 2


def test_button_ids_verify_only_for_their_approval_answer_and_number() -> None:
    button = render.sign_button(KEY, "b" * 32, "approve", "15551230001")
    answer = render.verify_button(KEY, button, "15551230001")
    assert answer is not None and answer.approval_id == "b" * 32
    assert answer.scope is Scope.ONCE
    session = render.verify_button(KEY, render.sign_button(KEY, "b" * 32, "session", "1555"), "1555")
    assert session is not None and session.scope is Scope.SESSION
    assert render.verify_button(KEY, button, "15559999999") is None  # another phone
    assert render.verify_button(KEY, button.replace(":approve:", ":deny:"), "15551230001") is None
    assert render.verify_button(KEY, button.replace("b" * 32, "c" * 32), "15551230001") is None
    other_key = render.button_key("another-secret")
    assert render.verify_button(other_key, button, "15551230001") is None
    for junk in ("", "aegis1", "aegis1:::", "x" * 300, button + ":extra"):
        assert render.verify_button(KEY, junk, "15551230001") is None


def test_outcome_and_too_late_texts_say_how_it_ended() -> None:
    approval, _ = approval_for("rm -rf build")
    ended = Approval(
        **{
            **approval.__dict__,
            "status": ApprovalStatus.APPROVED,
            "scope": Scope.SESSION,
            "decided_by": "whatsapp:+1555",
            "channel": "whatsapp",
        }
    )
    assert render.outcome_text(ended).startswith("Allowed for the session by whatsapp:+1555 via whatsapp")
    assert render.too_late_text(ended).startswith("Too late")
    assert "no longer known" in render.too_late_text(None)


def test_numbers_are_masked_for_logs() -> None:
    assert render.mask_number("+1 555 123 0001") == "+…0001"
