"""A real local HTTP server standing in for the Graph API's ``messages`` endpoint, for
tests: it checks what the real API checks (path, bearer token, message shape and
limits), can play a closed 24-hour window, server errors and rate limits, and records
what was sent. Also builds and signs the webhook POSTs WhatsApp would make."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aegis_whatsapp.render import MAX_BODY, MAX_BUTTON_ID, MAX_BUTTON_TITLE, MAX_BUTTONS


@dataclass
class Injected:
    """A canned failure answered to the next request(s) instead of sending."""

    status: int
    code: int
    message: str
    retry_after: float | None = None


@dataclass
class FakeGraph:
    access_token: str
    phone_number_id: str
    api_version: str = "v21.0"
    host: str = "127.0.0.1"
    # Recipients whose 24-hour window is closed: free-form messages get 131047.
    closed_windows: set[str] = field(default_factory=set)
    sent: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    requests: int = 0

    def __post_init__(self) -> None:
        self._failures: deque[Injected] = deque()
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> FakeGraph:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, body, headers = fake._handle(self.path, self.headers.get("Authorization"), raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                status, body = fake._lookup(self.path.split("?", 1)[0], self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-graph", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_base(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://{self.host}:{self._server.server_address[1]}"

    # -- scripting ---------------------------------------------------------

    def fail_next(
        self,
        status: int,
        code: int,
        message: str = "injected failure",
        *,
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next ``times`` requests with this error instead of sending."""
        with self._lock:
            self._failures.extend(Injected(status, code, message, retry_after) for _ in range(times))

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Block until ``predicate(sent)`` holds; return a copy of ``sent``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self.sent):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"fake Graph API: condition not met; sent so far: {self.sent!r}")
                self._lock.wait(left)
            return list(self.sent)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.sent)

    # -- the endpoints -----------------------------------------------------

    def _lookup(self, path: str, auth: str | None) -> tuple[int, dict[str, Any]]:
        """GET /{version}/{phone_number_id}: the business number, as the Graph API
        answers it to a valid token (what a credentials check asks)."""
        with self._lock:
            self.requests += 1
        if path != f"/{self.api_version}/{self.phone_number_id}":
            status, body, _ = _error(404, 100, f"Unsupported get request. Object with ID '{path}' does not exist")
            return status, body
        if auth is None or not hmac.compare_digest(auth.encode(), f"Bearer {self.access_token}".encode()):
            status, body, _ = _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
            return status, body
        return 200, {"id": self.phone_number_id, "display_phone_number": "+1 555-0100",
                     "verified_name": "Aegis Test"}

    def _handle(self, path: str, auth: str | None, raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            self.requests += 1
            try:
                payload = json.loads(raw or b"null")
            except ValueError:
                payload = None
            status, body, headers = self._answer(path, auth, payload)
            if status == 200:
                self.sent.append(payload)
            else:
                self.rejected.append((status, payload if isinstance(payload, dict) else {}))
            self._lock.notify_all()
            return status, body, headers

    def _answer(self, path: str, auth: str | None, payload: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        if path != f"/{self.api_version}/{self.phone_number_id}/messages":
            return _error(404, 100, f"Unknown path components: {path}")
        if auth is None or not hmac.compare_digest(auth.encode(), f"Bearer {self.access_token}".encode()):
            return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if self._failures:
            failure = self._failures.popleft()
            headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after is not None else {}
            status, body, _ = _error(failure.status, failure.code, failure.message)
            return status, body, headers
        problem = validate_message(payload)
        if problem:
            return _error(400, 100, f"(#100) Invalid parameter: {problem}")
        to = payload["to"]
        if to in self.closed_windows and payload["type"] != "template":
            return _error(
                400,
                131047,
                "Re-engagement message: more than 24 hours have passed "
                "since the recipient last replied to the sender number",
            )
        message_id = f"wamid.FAKE{next(self._ids):06d}"
        return (
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": message_id}],
            },
            {},
        )


def _error(status: int, code: int, message: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    return (
        status,
        {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "fbtrace_id": "FAKEtrace",
            }
        },
        {},
    )


def validate_message(payload: Any) -> str | None:
    """What the real API would reject in a message, or None if it is well formed."""
    if not isinstance(payload, dict):
        return "body must be a JSON object"
    if payload.get("messaging_product") != "whatsapp":
        return "messaging_product must be 'whatsapp'"
    to = payload.get("to")
    if not isinstance(to, str) or not to.isdigit():
        return "to must be a phone number of digits"
    kind = payload.get("type")
    if kind == "text":
        text = (payload.get("text") or {}).get("body")
        if not isinstance(text, str) or not text or len(text) > 4096:
            return "text.body must be 1-4096 characters"
        return None
    if kind == "template":
        template = payload.get("template") or {}
        if not template.get("name") or not (template.get("language") or {}).get("code"):
            return "template needs name and language.code"
        return None
    if kind == "interactive":
        return _validate_interactive(payload.get("interactive"))
    return f"unsupported message type {kind!r}"


def _validate_interactive(interactive: Any) -> str | None:
    if not isinstance(interactive, dict) or interactive.get("type") != "button":
        return "interactive.type must be 'button'"
    body = (interactive.get("body") or {}).get("text")
    if not isinstance(body, str) or not body or len(body) > MAX_BODY:
        return f"interactive.body.text must be 1-{MAX_BODY} characters"
    footer = interactive.get("footer")
    if footer is not None and len((footer or {}).get("text") or "") > 60:
        return "interactive.footer.text must be at most 60 characters"
    buttons = (interactive.get("action") or {}).get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        return f"interactive.action.buttons must hold 1-{MAX_BUTTONS} buttons"
    ids, titles = set(), set()
    for button in buttons:
        reply = (button or {}).get("reply") or {}
        if button.get("type") != "reply":
            return "button type must be 'reply'"
        title, button_id = reply.get("title"), reply.get("id")
        if not isinstance(title, str) or not title or len(title) > MAX_BUTTON_TITLE:
            return f"button title must be 1-{MAX_BUTTON_TITLE} characters"
        if not isinstance(button_id, str) or not button_id or len(button_id) > MAX_BUTTON_ID:
            return f"button id must be 1-{MAX_BUTTON_ID} characters"
        if title in titles or button_id in ids:
            return "button titles and ids must be unique"
        titles.add(title)
        ids.add(button_id)
    return None


# -------------------------------------------------------------------------
# What WhatsApp POSTs to the webhook
# -------------------------------------------------------------------------


def sign(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` header value for ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _envelope(phone_number_id: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "FAKE_WABA_ID",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550000000",
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def button_reply_event(
    *,
    phone_number_id: str,
    sender: str,
    button_id: str,
    title: str,
    message_id: str,
    context_id: str = "wamid.FAKE000001",
) -> dict[str, Any]:
    """The webhook payload of ``sender`` tapping a reply button."""
    return _envelope(
        phone_number_id,
        {
            "contacts": [{"profile": {"name": "Tester"}, "wa_id": sender}],
            "messages": [
                {
                    "context": {"from": "15550000000", "id": context_id},
                    "from": sender,
                    "id": message_id,
                    "timestamp": str(int(time.time())),
                    "type": "interactive",
                    "interactive": {
                        "type": "button_reply",
                        "button_reply": {"id": button_id, "title": title},
                    },
                }
            ],
        },
    )


def text_event(*, phone_number_id: str, sender: str, text: str, message_id: str) -> dict[str, Any]:
    """The webhook payload of ``sender`` writing a text message."""
    return _envelope(
        phone_number_id,
        {
            "contacts": [{"profile": {"name": "Tester"}, "wa_id": sender}],
            "messages": [
                {
                    "from": sender,
                    "id": message_id,
                    "timestamp": str(int(time.time())),
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        },
    )


def buttons_of(message: dict[str, Any]) -> dict[str, str]:
    """``title -> id`` of an interactive message's buttons."""
    buttons = message["interactive"]["action"]["buttons"]
    return {b["reply"]["title"]: b["reply"]["id"] for b in buttons}


def failed_status_event(
    *,
    phone_number_id: str,
    message_id: str,
    recipient: str,
    code: int,
    title: str = "Re-engagement message",
) -> dict[str, Any]:
    """The webhook payload saying a message we sent could not be delivered."""
    return _envelope(
        phone_number_id,
        {
            "statuses": [
                {
                    "id": message_id,
                    "status": "failed",
                    "timestamp": str(int(time.time())),
                    "recipient_id": recipient,
                    "errors": [{"code": code, "title": title, "message": title}],
                }
            ],
        },
    )
