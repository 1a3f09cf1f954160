"""The webhook WhatsApp calls: the subscription handshake (GET) and signed notification
deliveries (POST). It only verifies, parses and hands notifications over; deciding what a
notification means is the channel's job, done after the 200 has gone back."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from aegis_whatsapp.render import normalise_number

log = structlog.get_logger(__name__)

WEBHOOK_PATH = "/webhook"
MAX_BODY_BYTES = 256 * 1024  # real deliveries are a few KiB


@dataclass(frozen=True)
class InboundMessage:
    """A message a WhatsApp user sent us. ``kind`` is ``button_reply`` (a tap on an
    interactive button), ``template_button`` (a tap on a template's quick reply),
    ``text`` or the API's own type name for anything else."""

    message_id: str
    sender: str
    kind: str
    button_id: str | None = None
    text: str | None = None
    context_id: str | None = None


@dataclass(frozen=True)
class DeliveryFailure:
    """A status update saying a message we sent was not delivered."""

    message_id: str
    recipient: str
    code: int | None


Notification = InboundMessage | DeliveryFailure


def signature_matches(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``X-Hub-Signature-256`` is the HMAC-SHA256 of the raw body (constant time)."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header[len("sha256=") :].strip().lower().encode(), expected.encode())


def parse_notifications(data: Any, phone_number_id: str) -> list[Notification]:
    """The messages and failed deliveries in one webhook payload, for our number only.
    Anything malformed is skipped, never guessed at."""
    notifications: list[Notification] = []
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        return notifications
    for entry in _dicts(data.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            if str(metadata.get("phone_number_id", "")) != str(phone_number_id):
                continue
            notifications.extend(m for m in map(_message, _dicts(value.get("messages"))) if m)
            notifications.extend(f for f in map(_failure, _dicts(value.get("statuses"))) if f)
    return notifications


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _message(message: dict[str, Any]) -> InboundMessage | None:
    message_id, sender, kind = message.get("id"), message.get("from"), message.get("type")
    if not isinstance(message_id, str) or not isinstance(sender, str) or not isinstance(kind, str):
        return None
    context = message.get("context") if isinstance(message.get("context"), dict) else {}
    context_id = context.get("id") if isinstance(context.get("id"), str) else None
    common = {
        "message_id": message_id,
        "sender": normalise_number(sender),
        "context_id": context_id,
    }
    if kind == "interactive":
        interactive = message.get("interactive") if isinstance(message.get("interactive"), dict) else {}
        reply = interactive.get("button_reply")
        if interactive.get("type") == "button_reply" and isinstance(reply, dict):
            button_id = reply.get("id")
            return InboundMessage(
                kind="button_reply",
                button_id=button_id if isinstance(button_id, str) else "",
                **common,
            )
    if kind == "button":
        return InboundMessage(kind="template_button", **common)
    if kind == "text":
        body = (message.get("text") or {}).get("body") if isinstance(message.get("text"), dict) else None
        return InboundMessage(kind="text", text=body if isinstance(body, str) else "", **common)
    return InboundMessage(kind=kind, **common)


def _failure(status: dict[str, Any]) -> DeliveryFailure | None:
    if status.get("status") != "failed" or not isinstance(status.get("id"), str):
        return None
    errors = _dicts(status.get("errors"))
    code = errors[0].get("code") if errors else None
    return DeliveryFailure(
        message_id=status["id"],
        recipient=normalise_number(str(status.get("recipient_id", ""))),
        code=code if isinstance(code, int) else None,
    )


class SeenIds:
    """The last ``size`` notification ids, so a redelivered notification is acknowledged but not
    processed again."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def add(self, notification_id: str) -> bool:
        """Remember ``notification_id``; False if it was already seen."""
        if notification_id in self._ids:
            self._ids.move_to_end(notification_id)
            return False
        self._ids[notification_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True

    def forget(self, notification_id: str) -> None:
        self._ids.pop(notification_id, None)


def _notification_id(notification: Notification) -> str:
    if isinstance(notification, InboundMessage):
        return f"msg:{notification.message_id}"
    return f"failed:{notification.message_id}"


def build_app(
    *,
    verify_token: str,
    app_secret: str,
    phone_number_id: str,
    deliver: Callable[[Notification], bool],
    on_rejected: Callable[[str, dict[str, Any]], None],
) -> Starlette:
    """The webhook application.

    :param deliver: takes one new notification without blocking; False means no room now
        (the POST then answers 503 so WhatsApp delivers it again later).
    :param on_rejected: told about every refused request (reason, details), for the audit.
    """
    seen = SeenIds()

    async def verify(request: Request) -> Response:
        params = request.query_params
        token = params.get("hub.verify_token", "")
        challenge = params.get("hub.challenge", "")
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(token.encode(), verify_token.encode()):
            return PlainTextResponse(challenge)
        on_rejected("verify_token_mismatch", {"mode": params.get("hub.mode")})
        return PlainTextResponse("verification failed", status_code=403)

    async def receive(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            on_rejected("body_too_large", {"length": declared})
            return PlainTextResponse("too large", status_code=413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                on_rejected("body_too_large", {"length": len(body)})
                return PlainTextResponse("too large", status_code=413)
        header = request.headers.get("x-hub-signature-256")
        if not signature_matches(app_secret, bytes(body), header):
            reason = "unsigned" if not header else "bad_signature"
            on_rejected(reason, {"client": request.client.host if request.client else None})
            return PlainTextResponse("invalid signature", status_code=401)
        try:
            data = json.loads(body)
        except ValueError:
            # Signed but unreadable: acknowledge, or WhatsApp would resend it forever.
            log.warning("whatsapp.webhook_unparsable", size=len(body))
            return PlainTextResponse("ok")
        for notification in parse_notifications(data, phone_number_id):
            notification_id = _notification_id(notification)
            if not seen.add(notification_id):
                log.info("whatsapp.webhook_duplicate", notification_id=notification_id)
                continue
            if not deliver(notification):
                seen.forget(notification_id)
                return PlainTextResponse("busy", status_code=503)
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(WEBHOOK_PATH, verify, methods=["GET"]),
            Route(WEBHOOK_PATH, receive, methods=["POST"]),
        ]
    )
