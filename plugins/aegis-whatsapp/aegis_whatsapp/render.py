"""What the WhatsApp channel sends: the approval request as an interactive reply-button
message, the outcome and reply texts, and the signed button ids that bind a tap to one
approval, one answer and one phone number."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from aegis_core.models import Approval, ApprovalStatus, Outcome, Scope, ToolCall
from aegis_core.redact import redact_text

# Limits of the Cloud API for interactive reply-button messages.
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_BODY = 1024
MAX_TEXT = 4096

# Button action -> (title, outcome, scope). Titles are what the user taps.
ACTIONS: dict[str, tuple[str, Outcome, Scope]] = {
    "approve": ("Approve", Outcome.APPROVE, Scope.ONCE),
    "deny": ("Deny", Outcome.DENY, Scope.ONCE),
    "session": ("Allow for session", Outcome.APPROVE, Scope.SESSION),
}

_BUTTON_PREFIX = "aegis1"
_MAC_BYTES = 16

# Characters that reorder or hide text (bidi overrides, zero-width joiners...): a
# command could otherwise read differently on the phone than what will run.
_INVISIBLE = {
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x200E,
    0x200F,
    0x061C,
    *range(0x200B, 0x200E),
    0x2060,
    0xFEFF,
    0x00AD,
    0x180E,
    0x3164,
    0x115F,
    0x1160,
}


def normalise_number(number: str) -> str:
    """A phone number as WhatsApp's ``wa_id`` writes it: digits only, no ``+``."""
    return "".join(ch for ch in str(number) if ch.isdigit())


def mask_number(number: str) -> str:
    """A phone number safe for logs: only its last four digits."""
    digits = normalise_number(number)
    return f"+…{digits[-4:]}" if digits else "(none)"


# -------------------------------------------------------------------------
# Signed button ids
# -------------------------------------------------------------------------


def button_key(app_secret: str) -> bytes:
    """The key button ids are signed with, derived from the app secret so ids survive a
    daemon restart and nobody without the secret can mint one."""
    return hmac.new(app_secret.encode(), b"aegis-whatsapp button ids v1", hashlib.sha256).digest()


def _mac(key: bytes, approval_id: str, action: str, number: str) -> str:
    message = f"{approval_id}|{action}|{normalise_number(number)}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_button(key: bytes, approval_id: str, action: str, number: str) -> str:
    """The id of one button: approval, action and recipient, with their HMAC."""
    if action not in ACTIONS:
        raise ValueError(f"unknown button action {action!r}")
    return f"{_BUTTON_PREFIX}:{approval_id}:{action}:{_mac(key, approval_id, action, number)}"


@dataclass(frozen=True)
class ButtonAnswer:
    approval_id: str
    action: str

    @property
    def outcome(self) -> Outcome:
        return ACTIONS[self.action][1]

    @property
    def scope(self) -> Scope:
        return ACTIONS[self.action][2]


def verify_button(key: bytes, button_id: str, number: str) -> ButtonAnswer | None:
    """The answer a tapped button carries, or None if the id was not minted by us for
    this number (forged, altered, or tapped by someone it was not sent to)."""
    if not isinstance(button_id, str) or len(button_id) > MAX_BUTTON_ID:
        return None
    parts = button_id.split(":")
    if len(parts) != 4 or parts[0] != _BUTTON_PREFIX:
        return None
    _, approval_id, action, mac = parts
    if action not in ACTIONS or not approval_id:
        return None
    if not hmac.compare_digest(mac.encode(), _mac(key, approval_id, action, number).encode()):
        return None
    return ButtonAnswer(approval_id, action)


# -------------------------------------------------------------------------
# Text hygiene
# -------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Make invisible and reordering characters visible (``<U+202E>``) and drop other
    control characters except newlines and tabs."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if code in _INVISIBLE or unicodedata.category(ch) == "Cf":
            out.append(f"<U+{code:04X}>")
        elif ch in "\n\t":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            out.append(f"<U+{code:04X}>")
        else:
            out.append(ch)
    return "".join(out)


def head_tail(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: its head and tail, the middle elided and
    counted, so the end of a long command (where ``; rm -rf`` hides) stays visible."""
    if len(text) <= limit:
        return text
    marker = f" …[{len(text)} chars, middle cut]… "
    room = max(limit - len(marker), 2)
    head = room * 2 // 3
    tail = room - head
    return text[:head] + marker + text[-tail:] if tail else text[:head] + marker


def clean(text: str, limit: int) -> str:
    """Redacted, neutralised and cut to ``limit``: the only way a value reaches a phone."""
    return head_tail(neutralise(redact_text(str(text))), limit)


def _monospace(text: str) -> str:
    # Three backticks would end WhatsApp's monospace block early and let the rest of the
    # value pose as Aegis' own text.
    return "```" + text.replace("```", "'''") + "```"


# -------------------------------------------------------------------------
# Messages
# -------------------------------------------------------------------------


def request_body(approval: Approval, call: ToolCall | None, *, now: float | None = None) -> str:
    """The body of the approval request, at most MAX_BODY characters."""
    now = time.time() if now is None else now
    lines = [f"*Aegis approval needed* ({approval.id[:8]})"]
    tool = clean(approval.tool, 60)
    lines.append(f"Tool: {tool} [{approval.kind.value}]  Risk: {approval.risk}/100")
    if call is not None and call.cwd:
        lines.append(f"In: {clean(call.cwd, 120)}")
    if approval.rule or approval.reason:
        why = " - ".join(part for part in (approval.rule, approval.reason) if part)
        lines.append(f"Why: {clean(why, 200)}")
    if approval.deadline_at:
        remaining = max(0, int(approval.deadline_at - now))
        lines.append(f"Expires in {remaining // 60}m{remaining % 60:02d}s (then denied)")
    frame = "\n".join(lines) + "\n\n"
    summary_room = MAX_BODY - len(frame) - 6  # the monospace fences
    summary = call.summary() if call is not None else approval.summary
    body = frame + _monospace(clean(summary, max(summary_room, 40)))
    return body[:MAX_BODY]


def request_message(approval: Approval, call: ToolCall | None, *, to: str, key: bytes) -> dict[str, Any]:
    """The interactive reply-button message asking ``to`` about ``approval``."""
    buttons = [
        {
            "type": "reply",
            "reply": {"id": sign_button(key, approval.id, action, to), "title": title},
        }
        for action, (title, _, _) in ACTIONS.items()
    ][:MAX_BUTTONS]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": normalise_number(to),
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": request_body(approval, call)},
            "footer": {"text": "Aegis never runs commands sent by message"},
            "action": {"buttons": buttons},
        },
    }


def template_message(template_name: str, language: str, *, to: str) -> dict[str, Any]:
    """The pre-approved template sent when the 24-hour window is closed. It carries no
    details (templates are fixed text); answering it reopens the window and the
    pending requests follow."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": normalise_number(to),
        "type": "template",
        "template": {"name": template_name, "language": {"code": language}},
    }


def text_message(text: str, *, to: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": normalise_number(to),
        "type": "text",
        "text": {"body": text[:MAX_TEXT], "preview_url": False},
    }


_STATUS_WORDS = {
    ApprovalStatus.APPROVED: "Approved",
    ApprovalStatus.DENIED: "Denied",
    ApprovalStatus.EXPIRED: "Expired (denied)",
    ApprovalStatus.CANCELLED: "Cancelled",
    ApprovalStatus.ASKED: "Asked at the agent's own prompt",
    ApprovalStatus.PENDING: "Still pending",
}


def outcome_text(approval: Approval) -> str:
    """One short line saying how an approval ended, and by whom."""
    word = _STATUS_WORDS[approval.status]
    if approval.status is ApprovalStatus.APPROVED and approval.scope is Scope.SESSION:
        word = "Allowed for the session"
    who = ""
    if approval.decided_by:
        who = f" by {clean(approval.decided_by, 60)}"
        if approval.channel:
            who += f" via {clean(approval.channel, 20)}"
    return f"{word}{who}: {clean(approval.summary, 160)} ({approval.id[:8]})"


def too_late_text(approval: Approval | None) -> str:
    if approval is None:
        return "That request is no longer known to Aegis; nothing was changed."
    return "Too late, nothing changed. " + outcome_text(approval)
