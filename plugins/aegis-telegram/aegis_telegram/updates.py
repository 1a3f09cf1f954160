"""What the bot does with an update from Telegram: button presses become decisions
(through the hub's first-answer-wins resolve), replies become deny reasons, and a few
read-only commands answer. Nothing in a message is ever executed."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog

from aegis_core.models import Decision, Outcome, Scope
from aegis_telegram import render

if TYPE_CHECKING:
    from aegis_core.channels import ChannelHub
    from aegis_core.config import Config
    from aegis_telegram.channel import TelegramChannel

log = structlog.get_logger(__name__)

ANSWERING_ROLES = ("admin", "approver")
MAX_REASON = 500
AUDIT_STRANGER_EVERY = 60.0  # seconds: one audit record per unknown user and minute


@dataclass(frozen=True)
class Roles:
    """Who may do what. ``allowed_users`` is the whitelist; ``admins`` and ``viewers``
    give roles to some of them (viewer wins if both); the others are approvers."""

    allowed: frozenset[int] = frozenset()
    admins: frozenset[int] = frozenset()
    viewers: frozenset[int] = frozenset()
    recipients: tuple[int, ...] = field(default=())

    @classmethod
    def from_config(cls, config: Config) -> Roles:
        allowed = [int(u) for u in config.get("telegram", "allowed_users", [])]
        return cls(
            frozenset(allowed),
            frozenset(config.get("telegram", "admins", []) or []),
            frozenset(config.get("telegram", "viewers", []) or []),
            tuple(dict.fromkeys(allowed)),
        )

    def role(self, user_id: Any) -> str | None:
        if not isinstance(user_id, int) or user_id not in self.allowed:
            return None
        if user_id in self.viewers:
            return "viewer"
        return "admin" if user_id in self.admins else "approver"


_OUTCOMES = {
    "approve": (Outcome.APPROVE, Scope.ONCE, "Approved"),
    "deny": (Outcome.DENY, Scope.ONCE, "Denied"),
    "session": (Outcome.APPROVE, Scope.SESSION, "Approved for this session"),
}


class UpdateHandler:
    def __init__(self, channel: TelegramChannel, hub: ChannelHub) -> None:
        self.channel = channel
        self.hub = hub
        self._strangers: dict[int, float] = {}

    async def handle(self, update: Mapping[str, Any]) -> None:
        if isinstance(update.get("callback_query"), Mapping):
            await self.on_press(update["callback_query"])
        elif isinstance(update.get("message"), Mapping):
            await self.on_message(update["message"])

    def _audit(self, event: str, details: Mapping[str, Any], session: str | None = None) -> None:
        try:
            self.hub.audit(event, details, session)
        except Exception:
            log.warning("telegram.audit_failed", event=event)

    def _stranger(self, user: Mapping[str, Any], kind: str) -> None:
        """Audit a message or press from someone not allowed, at most once a minute each."""
        user_id = user.get("id")
        now = time.monotonic()
        if (
            isinstance(user_id, int)
            and now - self._strangers.get(user_id, -1e9) < AUDIT_STRANGER_EVERY
        ):
            return
        if isinstance(user_id, int):
            self._strangers[user_id] = now
        self._audit(
            "telegram.unauthorized",
            {"user_id": user_id, "username": user.get("username"), "update": kind},
        )

    def _remember_name(self, user: Mapping[str, Any]) -> None:
        user_id = user.get("id")
        name = user.get("username")
        label = f"@{name}" if name else user.get("first_name")
        if isinstance(user_id, int) and isinstance(label, str):
            self.channel.names[user_id] = label[:64]

    # -- buttons ----------------------------------------------------------------

    async def on_press(self, query: Mapping[str, Any]) -> None:
        query_id = str(query.get("id", ""))
        reply = "This button does nothing."
        alert = False
        try:
            reply, alert = await self._press(query)
        finally:  # Telegram shows a spinner until the press is answered
            await self.channel.answer(query_id, reply, alert=alert)

    async def _press(self, query: Mapping[str, Any]) -> tuple[str, bool]:
        user = query.get("from") if isinstance(query.get("from"), Mapping) else {}
        user_id = user.get("id")
        role = self.channel.roles.role(user_id)
        if role is None:
            self._stranger(user, "callback_query")
            return "You are not allowed to answer Aegis approvals.", True
        self._remember_name(user)
        message = query.get("message") if isinstance(query.get("message"), Mapping) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), Mapping) else {}
        chat_id = chat.get("id", user_id)
        assert self.channel.signer is not None
        press = self.channel.signer.verify(query.get("data"), chat_id)
        shown = self.channel.approval_of_message(chat_id, message.get("message_id"))
        if press is None or (shown is not None and shown != press.approval_id):
            self._audit(
                "telegram.forged_callback",
                {
                    "user_id": user_id,
                    "chat_id": chat_id,
                    "data_length": len(str(query.get("data", ""))),
                },
            )
            return "This button is not valid; nothing was changed.", True
        if role not in ANSWERING_ROLES:
            self._audit(
                "telegram.forbidden",
                {"user_id": user_id, "role": role, "approval_id": press.approval_id},
            )
            return f"Your role ({role}) may see approvals but not answer them.", True
        outcome, scope, done = _OUTCOMES[press.action]
        decision = Decision(
            outcome, decided_by=f"telegram:{user_id}", channel="telegram", scope=scope
        )
        return await self._resolve(press.approval_id, decision, done)

    async def _resolve(self, approval_id: str, decision: Decision, done: str) -> tuple[str, bool]:
        try:
            result = await self.hub.resolve(approval_id, decision)
        except Exception as exc:
            log.error("telegram.resolve_failed", approval_id=approval_id, error=type(exc).__name__)
            return (
                "Aegis could not record your answer; try again, or use "
                f"`aegis approvals` on the machine ({type(exc).__name__})."
            ), True
        if result.approval is not None:
            self.channel.notify(result.approval, None)  # the edit, even if the hub does not notify
        if result.won:
            return done, False
        if result.approval is None:
            return "This approval is unknown to Aegis (expired and forgotten?).", True
        return render.outcome_plain(result.approval), True

    # -- text -------------------------------------------------------------------

    async def on_message(self, message: Mapping[str, Any]) -> None:
        user = message.get("from") if isinstance(message.get("from"), Mapping) else {}
        user_id = user.get("id")
        chat = message.get("chat") if isinstance(message.get("chat"), Mapping) else {}
        chat_id = chat.get("id", user_id)
        role = self.channel.roles.role(user_id)
        if role is None:
            self._stranger(user, "message")  # no answer: strangers learn nothing
            return
        self._remember_name(user)
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            self.channel.spawn(self.channel.say(chat_id, render.HELP))
            return
        reply = await self._on_text(message, text.strip(), user_id, chat_id, role)
        self.channel.spawn(self.channel.say(chat_id, reply, reply_to=message.get("message_id")))

    async def _on_text(
        self, message: Mapping[str, Any], text: str, user_id: int, chat_id: int, role: str
    ) -> str:
        original = message.get("reply_to_message")
        if isinstance(original, Mapping) and not text.startswith("/"):
            return await self._deny_with_reason(original, text, user_id, chat_id, role)
        words = text.split()
        command = words[0].split("@", 1)[0].lower()
        if command == "/pending":
            return render.pending_text(list(await self.hub.pending()))
        if command == "/status":
            status = dict(await self.hub.status())
            if self.channel.poll_error:
                status["telegram"] = self.channel.poll_error
            return render.status_text(status)
        if command == "/resume" and len(words) == 2:
            if role not in ANSWERING_ROLES:
                self._audit(
                    "telegram.forbidden", {"user_id": user_id, "role": role, "command": "/resume"}
                )
                return f"Your role ({role}) may not resume sessions."
            session = words[1][:200]
            resumed = await self.hub.resume(session, by=f"telegram:{user_id}", channel="telegram")
            name = render.clean(session, 80)
            return (
                f"Session <code>{name}</code> resumed."
                if resumed
                else f"Session <code>{name}</code> was not paused (or is unknown)."
            )
        return render.HELP

    async def _deny_with_reason(
        self, original: Mapping[str, Any], text: str, user_id: int, chat_id: int, role: str
    ) -> str:
        approval_id = self.channel.approval_of_message(chat_id, original.get("message_id"))
        if approval_id is None:
            return (
                "That message is not a pending approval I know. Use its buttons, or "
                "`aegis approvals deny ID --reason TEXT` on the machine."
            )
        if role not in ANSWERING_ROLES:
            self._audit(
                "telegram.forbidden", {"user_id": user_id, "role": role, "approval_id": approval_id}
            )
            return f"Your role ({role}) may see approvals but not answer them."
        reason = " ".join(text.split())[:MAX_REASON]
        decision = Decision(
            Outcome.DENY, decided_by=f"telegram:{user_id}", channel="telegram", reason=reason
        )
        answer, _ = await self._resolve(approval_id, decision, "Denied, with your reason.")
        return render.clean(answer, 300)
