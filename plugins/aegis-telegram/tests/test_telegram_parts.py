"""The pieces on their own: message rendering, callback signing, flood control and
backoff, and the fake server's Telegram checks."""

from __future__ import annotations

import json
import stat
import urllib.error
import urllib.request

import pytest
from aegis_telegram.api import Backoff, FloodControl
from aegis_telegram.fake_api import FakeBotApi
from aegis_telegram.fake_checks import BadRequest, html_to_plain
from aegis_telegram.render import MAX_MESSAGE, approval_text, head_tail, neutralise
from aegis_telegram.signing import CallbackSigner, load_key

from aegis_core.models import Approval, ApprovalStatus, Kind, Scope, ToolCall


def _approval(call: ToolCall, **changes) -> Approval:
    values = dict(
        id="f" * 32,
        call_id=call.id,
        session="s-1",
        tool=call.tool,
        kind=call.kind,
        summary=call.summary(),
        rule="r",
        risk=10,
    )
    values.update(changes)
    return Approval(**values)


def _shell(command: str) -> ToolCall:
    return ToolCall(agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": command})


# -- rendering ----------------------------------------------------------------


def test_render_escapes_html_and_fake_telegram_accepts_it():
    call = _shell("echo '<b>x</b>' && a < b & c > d")
    text = approval_text(_approval(call), call)
    assert "echo '<b>x</b>' && a < b & c > d" in html_to_plain(text)


def test_a_changed_policy_to_confirm_reads_as_the_change_itself():
    change = "policy changed: 2 rules differ, apply?\nrules added: my-rule\ndefault action: require_approval -> allow"
    call = ToolCall(agent="aegis", tool="aegis.reload", kind=Kind.CONFIG, input={"change": change, "digest": "d" * 64})
    plain = html_to_plain(approval_text(_approval(call), call))
    assert change in plain
    assert "digest" not in plain and "change=" not in plain


def test_a_relayed_prompt_shows_the_lines_above_its_question():
    screen = "The following packages will be installed:\n  curl libcurl4\nDo you want to continue? [Y/n]"
    call = ToolCall(agent="pty", tool="prompt", kind=Kind.PROMPT, hook_event="Prompt",
                    input={"question": "Do you want to continue? [Y/n]", "screen": screen,
                           "choices": [], "program": "apt"})
    plain = html_to_plain(approval_text(_approval(call), call))
    assert screen in plain


def test_render_neutralises_bidi_and_invisible_characters():
    call = _shell("ls \u202e\u2066cod.exe\u200b\ufeff")
    plain = html_to_plain(approval_text(_approval(call), call))
    for char in "\u202e\u2066\u200b\ufeff":
        assert char not in plain
    assert "<U+202E>" in plain and "<U+200B>" in plain
    assert neutralise("a\tb\nc\x1b[31m") == "a\tb\nc<U+001B>[31m"


def test_long_values_show_head_and_tail_within_4096():
    command = "echo START " + "x" * 20000 + " END"
    call = _shell(command)
    plain = html_to_plain(approval_text(_approval(call), call))
    assert len(plain.encode("utf-16-le")) // 2 <= MAX_MESSAGE
    assert "echo START" in plain and "END" in plain and "characters omitted" in plain
    wide = _shell("😀" * 5000 + "&<>" * 2000)  # UTF-16 pairs and escapes both count
    assert (
        len(html_to_plain(approval_text(_approval(wide), wide)).encode("utf-16-le")) // 2
        <= MAX_MESSAGE
    )
    assert head_tail("short", 10) == "short"


def test_file_contents_are_never_shown_only_path_and_size():
    call = ToolCall(
        agent="claude",
        tool="Write",
        kind=Kind.WRITE,
        input={"file_path": "/etc/hosts", "content": "SECRET-CONTENT-LINE"},
    )
    text = approval_text(_approval(call), call)
    assert "/etc/hosts" in text and "SECRET-CONTENT-LINE" not in text
    assert "content: 19 characters" in text
    edit = ToolCall(
        agent="claude",
        tool="mcp__fs__patch",
        kind=Kind.MCP,
        input={"new_string": "NEW-BODY", "mode": "fast"},
    )
    shown = approval_text(_approval(edit), edit)
    assert "NEW-BODY" not in shown and "new_string: 8 characters" in shown


def test_outcome_lines_and_no_call_after_restart():
    call = _shell("make")
    ended = _approval(
        call,
        status=ApprovalStatus.APPROVED,
        decided_by="telegram:1",
        scope=Scope.SESSION,
        decision_reason="<ok>",
    )
    text = approval_text(ended, None, decided_by_name="@bob (telegram:1)")
    assert "Approved for this session</b> by @bob (telegram:1): &lt;ok&gt;" in text
    expired = approval_text(_approval(call, status=ApprovalStatus.EXPIRED), call)
    assert "Expired" in expired and "answer by" not in expired


# -- signing ------------------------------------------------------------------


def test_callback_data_fits_and_is_bound_to_approval_action_and_chat():
    signer = CallbackSigner(b"k" * 32)
    data = signer.sign("session", "a" * 32, 111)
    assert len(data.encode()) <= 64
    press = signer.verify(data, 111)
    assert press is not None and (press.action, press.approval_id) == ("session", "a" * 32)
    assert signer.verify(data, 222) is None
    assert signer.verify("a" + data[1:], 111) is None
    assert signer.verify(data.replace("a" * 32, "b" * 32), 111) is None
    assert CallbackSigner(b"x" * 32).verify(data, 111) is None  # another install's key
    with pytest.raises(ValueError):
        signer.sign("approve", "i" * 50, 1)


def test_signing_key_is_private_and_stable(tmp_path):
    first = load_key(tmp_path / "home")
    assert load_key(tmp_path / "home") == first and len(first) == 32
    assert stat.S_IMODE((tmp_path / "home" / "telegram.key").stat().st_mode) == 0o600


# -- flood control and backoff ------------------------------------------------


def test_flood_control_allows_a_short_burst_then_spaces_a_chat_and_caps_the_total():
    now = [100.0]
    flood = FloodControl(per_chat=1.0, overall=30, clock=lambda: now[0], burst=3)
    # A request, its edit and another request go at once; then one a second.
    assert [flood.reserve(1) for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 2.0]
    now[0] = 110.0  # a quiet chat has its burst back
    assert [flood.reserve(1) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    waits = [flood.reserve(chat) for chat in range(2, 40)]
    # chat 1 took three slots at t=110 (and books one later), so 27 more fit now.
    assert max(waits[:26]) == 0.0 and min(waits[27:]) >= 1.0
    strict = FloodControl(per_chat=1.0, overall=30, clock=lambda: now[0], burst=1)
    assert [strict.reserve(9) for _ in range(3)] == [0.0, 1.0, 2.0]


def test_backoff_grows_and_stays_capped():
    backoff = Backoff(base=1.0, cap=8.0)
    assert [backoff.delay(n, rand=lambda: 1.0) for n in range(5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff.delay(3, rand=lambda: 0.0) == 0.25


# -- the fake server checks what Telegram checks ------------------------------


def _post(server: FakeBotApi, method: str, params: dict, token: str | None = None) -> dict:
    request = urllib.request.Request(
        f"{server.api_base}/bot{token or server.token}/{method}",
        data=json.dumps(params).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        return json.load(exc)


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"chat_id": 111, "text": "<b>open", "parse_mode": "HTML"}, "Can't find end tag"),
        (
            {"chat_id": 111, "text": "<script>x</script>", "parse_mode": "HTML"},
            "Unsupported start tag",
        ),
        ({"chat_id": 111, "text": "a & b", "parse_mode": "HTML"}, "Character entity expected"),
        ({"chat_id": 111, "text": "x" * 4097}, "message is too long"),
        ({"chat_id": 111, "text": ""}, "message text is empty"),
        ({"chat_id": 5, "text": "hi"}, "chat not found"),
        (
            {
                "chat_id": 111,
                "text": "hi",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "x" * 65}]]},
            },
            "BUTTON_DATA_INVALID",
        ),
        (
            {"chat_id": 111, "text": "hi", "reply_markup": {"inline_keyboard": [{"text": "A"}]}},
            "Array of Array",
        ),
    ],
)
def test_fake_rejects_what_telegram_rejects(server, params, error):
    answer = _post(server, "sendMessage", params)
    assert answer["ok"] is False and answer["error_code"] == 400 and error in answer["description"]


def test_fake_token_method_and_updates_semantics(server):
    assert _post(server, "getMe", {}, token="1:wrong")["error_code"] == 401
    assert _post(server, "sendSticker", {})["error_code"] == 404
    sent = _post(server, "sendMessage", {"chat_id": 111, "text": "<i>hi</i>", "parse_mode": "HTML"})
    assert sent["result"]["text"] == "hi"
    server.press_button(111, sent["result"]["message_id"], "data")
    server.send_text(111, "hello")
    first = _post(server, "getUpdates", {"timeout": 1})["result"]
    assert [("callback_query" in u, "message" in u) for u in first] == [
        (True, False),
        (False, True),
    ]
    again = _post(server, "getUpdates", {"offset": first[0]["update_id"] + 1, "timeout": 0})[
        "result"
    ]
    assert [u["update_id"] for u in again] == [first[1]["update_id"]]  # offset confirmed the first
    query_id = first[0]["callback_query"]["id"]
    assert _post(server, "answerCallbackQuery", {"callback_query_id": query_id})["ok"]
    assert not _post(server, "answerCallbackQuery", {"callback_query_id": query_id})["ok"]
    unchanged = _post(
        server,
        "editMessageText",
        {
            "chat_id": 111,
            "text": "<i>hi</i>",
            "parse_mode": "HTML",
            "message_id": sent["result"]["message_id"],
        },
    )
    assert "message is not modified" in unchanged["description"]


def test_html_checker_accepts_telegram_subset():
    assert html_to_plain('<b>a</b><a href="https://x">l</a><pre>&lt;&#65;&#x42;</pre>') == "al<AB"
    with pytest.raises(BadRequest):
        html_to_plain("<b><i>x</b></i>")
