"""The text of Telegram messages: approval requests and their outcome, lists and
help. Everything shown is redacted, stripped of bidi and invisible characters,
shortened head-and-tail and HTML-escaped; file contents are never shown."""

from __future__ import annotations

import html
import time
import unicodedata
from collections.abc import Mapping
from typing import Any

from aegis_core.models import Approval, ApprovalStatus, Kind, Scope, ToolCall
from aegis_core.redact import redact_text

MAX_MESSAGE = 4096
VALUE_LIMIT = 1500  # the command or path shown; the rest of the message is short
# Input keys that carry file contents or large payloads: shown as a size only.
CONTENT_KEYS = frozenset(
    {
        "content",
        "new_string",
        "old_string",
        "file_text",
        "new_source",
        "edits",
        "data",
        "body",
        "text",
        "patch",
        "diff",
    }
)


def neutralise(text: str) -> str:
    """Make every invisible or direction-changing character visible as ``<U+XXXX>``:
    they could make a command look like another one (Trojan Source)."""
    out = []
    for char in text:
        if char in "\n\t":
            out.append(char)
        elif (
            unicodedata.category(char) in ("Cf", "Cc", "Co", "Cs", "Zl", "Zp")
            or char in "\u115f\u1160\u3164\uffa0"
        ):
            out.append(f"<U+{ord(char):04X}>")
        else:
            out.append(char)
    return "".join(out)


def head_tail(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its head and tail around a
    note of how much was left out."""
    if len(text) <= limit:
        return text
    keep = max(limit - 40, 2)
    head, tail = text[: keep * 2 // 3], text[len(text) - keep // 3 :]
    return f"{head}\n… [{len(text) - len(head) - len(tail)} characters omitted] …\n{tail}"


def clean(value: Any, limit: int) -> str:
    """Safe to show: redacted, neutralised, shortened, then HTML-escaped (in that
    order, so a secret cut in two is still caught and no entity is cut)."""
    text = neutralise(redact_text(str(value), pii=True))
    return html.escape(head_tail(text, limit), quote=False)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _what(approval: Approval, call: ToolCall | None, limit: int) -> list[str]:
    """The lines that say exactly what the call does (never what it writes)."""
    if call is None or call.kind is Kind.CONFIG:  # a changed policy: its summary is the change
        return [f"<pre>{clean(approval.summary, limit)}</pre>"]
    if call.command is not None:
        return [f"<pre>{clean(call.command, limit)}</pre>"]
    lines = []
    for path in call.paths:
        lines.append(f"path: <code>{clean(path, limit // max(len(call.paths), 1))}</code>")
    if call.url:
        lines.append(f"url: <code>{clean(call.url, limit)}</code>")
    if call.kind is Kind.PROMPT:  # the question and the lines above it that say what it is about
        lines.append(f"<pre>{clean(call.summary(), limit)}</pre>")
    sizes = [
        f"{clean(key, 40)}: {len(str(value))} characters"
        for key, value in sorted(call.input.items())
        if key in CONTENT_KEYS and value
    ]
    if sizes:
        lines.append("(" + "; ".join(sizes) + ", not shown)")
    if not lines:
        shown = {k: v for k, v in call.input.items() if k not in CONTENT_KEYS}
        rendered = ", ".join(f"{k}={v!r}" for k, v in sorted(shown.items()))
        lines.append(f"<pre>{clean(rendered or approval.summary or '(no arguments)', limit)}</pre>")
    return lines


def approval_text(
    approval: Approval,
    call: ToolCall | None,
    *,
    audit_head: tuple[int, str] | None = None,
    decided_by_name: str | None = None,
    now: float | None = None,
) -> str:
    """The message for ``approval``: the request, plus its outcome once it has ended."""
    limit = VALUE_LIMIT
    while True:
        text = _approval_text(approval, call, audit_head, decided_by_name, now, limit)
        if utf16_len(text) <= MAX_MESSAGE or limit < 50:
            return text if utf16_len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE // 2]
        limit //= 2


def _approval_text(
    approval: Approval,
    call: ToolCall | None,
    audit_head: tuple[int, str] | None,
    decided_by_name: str | None,
    now: float | None,
    limit: int,
) -> str:
    tool = clean(approval.tool, 80)
    kind = approval.kind.value if isinstance(approval.kind, Kind) else str(approval.kind)
    lines = ["🛡 <b>Aegis: approval needed</b>", f"<b>{tool}</b> ({clean(kind, 20)})"]
    lines += _what(approval, call, limit)
    if call is not None and call.cwd:
        lines.append(f"in <code>{clean(call.cwd, 200)}</code>")
    rule = clean(approval.rule or "no rule", 100)
    lines.append(f"rule: <code>{rule}</code> · risk {int(approval.risk)}/100")
    if approval.reason:
        lines.append(f"why: {clean(approval.reason, 300)}")
    lines.append(f"session: <code>{clean(approval.session or '-', 80)}</code>")
    if approval.status is ApprovalStatus.PENDING and approval.deadline_at:
        lines.append(
            f"answer by {_clock(approval.deadline_at)} ({_left(approval.deadline_at, now)}), "
            "then it is denied"
        )
    footer = f"id <code>{clean(approval.id[:12], 12)}</code>"
    if audit_head is not None:
        seq, digest = audit_head
        footer += f" · audit #{int(seq)} <code>{clean(str(digest)[:12], 12)}</code>"
    lines.append(footer)
    if approval.status is not ApprovalStatus.PENDING:
        lines.append("")
        lines.append(outcome_line(approval, decided_by_name))
    return "\n".join(lines)


def outcome_line(approval: Approval, decided_by_name: str | None = None) -> str:
    who = clean(decided_by_name or approval.decided_by or "aegis", 100)
    reason = f": {clean(approval.decision_reason, 300)}" if approval.decision_reason else ""
    if approval.status is ApprovalStatus.APPROVED:
        scope = " for this session" if approval.scope is Scope.SESSION else ""
        return f"✅ <b>Approved{scope}</b> by {who}{reason}"
    if approval.status is ApprovalStatus.DENIED:
        return f"❌ <b>Denied</b> by {who}{reason}"
    if approval.status is ApprovalStatus.EXPIRED:
        return f"⌛ <b>Expired</b>{reason or ': nobody answered in time'}"
    if approval.status is ApprovalStatus.CANCELLED:
        return f"⏹ <b>Cancelled</b> by {who}{reason}"
    if approval.status is ApprovalStatus.ASKED:
        return "💬 <b>Asked at the agent's own prompt</b>"
    return "⏳ waiting for an answer"


def outcome_plain(approval: Approval) -> str:
    """For answerCallbackQuery (plain text, at most 200 characters)."""
    who = approval.decided_by or "aegis"
    status = (
        approval.status.value
        if isinstance(approval.status, ApprovalStatus)
        else str(approval.status)
    )
    text = f"Too late: this approval was already {status}" + (f" by {who}" if who else "")
    return neutralise(redact_text(text))[:200]


def _clock(moment: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


def _left(deadline: float, now: float | None) -> str:
    seconds = int(deadline - (time.time() if now is None else now))
    if seconds <= 0:
        return "now"
    return f"in {seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"in {seconds} s"


def pending_text(approvals: list[Approval]) -> str:
    if not approvals:
        return "No approvals are waiting."
    lines = [f"<b>{len(approvals)} waiting</b>"]
    for approval in approvals[:20]:
        lines.append(
            f"• <code>{clean(approval.id[:12], 12)}</code> {clean(approval.tool, 40)}: "
            f"{clean(approval.summary, 120)}"
        )
    if len(approvals) > 20:
        lines.append(f"… and {len(approvals) - 20} more (`aegis approvals list`)")
    return "\n".join(lines)


def status_text(status: Mapping[str, Any]) -> str:
    lines = ["<b>Aegis status</b>"]
    for key, value in list(status.items())[:30]:
        if isinstance(value, Mapping | list | tuple):
            value = f"{len(value)} item(s)"
        lines.append(f"{clean(key, 40)}: {clean(value, 200)}")
    return "\n".join(lines)


HELP = (
    "I relay Aegis approvals; I never run commands.\n"
    "/pending: approvals waiting for an answer\n"
    "/status: the daemon's state\n"
    "/resume SESSION: let a paused session ask again\n"
    "Reply to an approval message to deny it with your reply as the reason."
)


def keyboard(buttons: list[tuple[str, str]]) -> dict[str, Any]:
    """Approve and Deny on the first row, the rest below."""
    rows = [[{"text": label, "callback_data": data} for label, data in buttons[:2]]]
    rows += [[{"text": label, "callback_data": data}] for label, data in buttons[2:]]
    return {"inline_keyboard": rows}
