"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that checks requests the
way Telegram does and lets tests play the user (press buttons, send and reply to
messages) and the network (429, 5xx, 409, outages). For tests and benchmarks.

    with FakeBotApi(users=[111]) as server:
        server.api_base  # -> "http://127.0.0.1:PORT", with server.token
        server.press_button(111, message_id, data)
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any

from aegis_telegram.fake_checks import (
    BadRequest,
    as_int,
    as_list,
    check_reply_markup,
    check_text,
)
from aegis_telegram.fake_http import DropConnection, handler_for

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"  # noqa: S105 (a test token)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running"
)


@dataclass
class Fault:
    method: str | None  # None: any method
    code: int
    description: str
    retry_after: int | None
    remaining: int


class FakeBotApi:
    """The fake server. Every recorded list is a plain list of dicts, appended under
    ``lock``; ``wait_for`` blocks until a predicate over them holds."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        users: tuple[int, ...] | list[int] = (),
        bot_username: str = "aegis_test_bot",
    ) -> None:
        self.token = token
        self.bot = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Aegis",
            "username": bot_username,
        }
        self.users: dict[int, dict[str, Any]] = {}
        for user_id in users:
            self.add_user(user_id)
        self.lock = threading.Condition()
        self.sent_messages: list[dict[str, Any]] = []
        self.edits: list[dict[str, Any]] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []  # every call: method, raw body, status
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.updates: list[dict[str, Any]] = []
        self.open_callbacks: set[str] = set()
        self.faults: list[Fault] = []
        self.conflict = False
        self.outage: str | None = None
        self.allowed_updates: list[str] | None = None
        self.get_updates_calls = 0
        self._next_update = 1
        self._next_message = 1
        self._next_callback = 1
        self._poll_generation = 0
        self._port = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- life cycle ---------------------------------------------------------

    def start(self) -> FakeBotApi:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self._port), handler_for(self))
        self._httpd.daemon_threads = True
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self.lock:
            self._stopping = True
            self.lock.notify_all()
        self._close_listener()
        with self.lock:
            self._stopping = False

    def _close_listener(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    # -- playing the network ------------------------------------------------

    def fail(
        self,
        method: str | None,
        code: int = 500,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any) with this error."""
        if description is None:
            description = {429: f"Too Many Requests: retry after {retry_after}", 409: CONFLICT}.get(
                code, "Internal Server Error"
            )
        with self.lock:
            self.faults.append(Fault(method, code, description, retry_after, times))

    def begin_outage(self, mode: str = "refuse") -> None:
        """``refuse``: nothing listens on the port; ``close``: connections are closed
        without an answer. Pending long polls are dropped either way."""
        with self.lock:
            self.outage = mode
            self.lock.notify_all()
        if mode == "refuse":
            self._close_listener()

    def end_outage(self) -> None:
        with self.lock:
            mode, self.outage = self.outage, None
        if mode == "refuse":
            self.start()

    # -- playing the user ---------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str | None = None, username: str | None = None
    ) -> None:
        """A user who has started a private chat with the bot (chat id = user id)."""
        self.users[user_id] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User{user_id}",
            "username": username or f"user{user_id}",
        }

    def press_button(
        self, user_id: int, message_id: int, data: str, chat_id: int | None = None
    ) -> str:
        """Queue a callback_query as if ``user_id`` pressed a button; returns its id."""
        chat = user_id if chat_id is None else chat_id
        with self.lock:
            message = self.messages.get((chat, message_id))
            query_id = f"cq{self._next_callback}"
            self._next_callback += 1
            self.open_callbacks.add(query_id)
            query = {
                "id": query_id,
                "from": self._user(user_id),
                "chat_instance": str(chat),
                "data": data,
                "message": _public(message)
                if message
                else {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                },
            }
            self._add_update({"callback_query": query})
        return query_id

    def send_text(self, user_id: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
        """Queue a text message from ``user_id`` in their private chat with the bot."""
        with self.lock:
            message: dict[str, Any] = {
                "message_id": self._new_message_id(),
                "date": int(time.time()),
                "from": self._user(user_id),
                "text": text,
                "chat": {
                    "id": user_id,
                    "type": "private",
                    "first_name": self._user(user_id)["first_name"],
                },
            }
            if reply_to is not None:
                original = self.messages.get((user_id, reply_to))
                message["reply_to_message"] = (
                    _public(original) if original else {"message_id": reply_to}
                )
            self.messages[(user_id, message["message_id"])] = message
            self._add_update({"message": message})
        return message

    def reply_to(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        return self.send_text(user_id, text, reply_to=message_id)

    # -- inspecting ---------------------------------------------------------

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Block until ``predicate()`` is truthy (checked whenever the fake records
        something) and return its value; TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the fake Bot API never saw what the test waited for")
                self.lock.wait(min(left, 0.05))

    async def async_wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        return await asyncio.to_thread(self.wait_for, predicate, timeout)

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.sent_messages if m["chat_id"] == chat_id]

    def current(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The message as the user sees it now (after edits)."""
        with self.lock:
            return dict(self.messages[(chat_id, message_id)])

    def pending_updates(self) -> int:
        with self.lock:
            return len(self.updates)

    # -- internals (called by the request handler) --------------------------

    def _user(self, user_id: int) -> dict[str, Any]:
        if user_id not in self.users:
            self.add_user(user_id)
        return self.users[user_id]

    def _new_message_id(self) -> int:
        self._next_message += 1
        return self._next_message - 1

    def _add_update(self, body: dict[str, Any]) -> None:
        update = {"update_id": self._next_update, **body, "_available_at": time.perf_counter()}
        self._next_update += 1
        self.updates.append(update)
        self.lock.notify_all()

    def handle(self, method: str, params: dict[str, Any]) -> Any:
        """Run one API method; raises BadRequest for an error answer."""
        if method == "getUpdates":
            return self._get_updates(params)
        with self.lock:
            handler = _METHODS.get(method)
            if handler is None:
                raise BadRequest("Not Found", 404)
            result = handler(self, params)
            self.lock.notify_all()
            return result

    def take_fault(self, method: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method in (None, method) and fault.remaining > 0:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = as_int(params, "offset", required=False)
        timeout = as_int(params, "timeout", required=False) or 0
        limit = as_int(params, "limit", required=False) or 100
        allowed = as_list(params.get("allowed_updates"))
        if not 1 <= limit <= 100 or timeout < 0:
            raise BadRequest("Bad Request: invalid limit or timeout")
        deadline = time.monotonic() + timeout
        with self.lock:
            self.get_updates_calls += 1
            if self.conflict:
                raise BadRequest(CONFLICT, 409)
            if allowed is not None:
                self.allowed_updates = [str(kind) for kind in allowed]
            self._poll_generation += 1
            generation = self._poll_generation
            self.lock.notify_all()  # an older poll still waiting gets its 409
            if offset is not None:  # confirms every update before it
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while True:
                wanted = [u for u in self.updates if self._is_allowed(u)][:limit]
                if wanted or self._stopping or self.outage:
                    break
                if generation != self._poll_generation:
                    raise BadRequest(CONFLICT, 409)
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(min(left, 0.5))
            if self.outage or self._stopping:
                raise DropConnection()
            return [{k: v for k, v in u.items() if not k.startswith("_")} for u in wanted]

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        if not self.allowed_updates:
            return True
        return any(kind in update for kind in self.allowed_updates)

    def _chat(self, params: dict[str, Any]) -> int:
        chat_id = as_int(params, "chat_id")
        assert chat_id is not None
        if chat_id not in self.users:
            raise BadRequest("Bad Request: chat not found")
        return chat_id

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        source, plain = check_text(params)
        markup = check_reply_markup(params)
        message = {
            "message_id": self._new_message_id(),
            "date": int(time.time()),
            "from": self.bot,
            "chat": {"id": chat_id, "type": "private"},
            "text": plain,
            "_html": source,
        }
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        self.sent_messages.append(
            {
                "chat_id": chat_id,
                "message_id": message["message_id"],
                "text": plain,
                "html": source,
                "reply_markup": markup,
                "parse_mode": params.get("parse_mode"),
                "at": time.perf_counter(),
            }
        )
        return _public(message)

    def _edit(self, params: dict[str, Any], *, text: bool) -> dict[str, Any]:
        chat_id = self._chat(params)
        message_id = as_int(params, "message_id")
        message = self.messages.get((chat_id, message_id or 0))
        if message is None or message.get("from") != self.bot:
            raise BadRequest("Bad Request: message to edit not found")
        source, plain = check_text(params) if text else (message.get("_html"), message["text"])
        markup = check_reply_markup(params)
        if (
            plain == message["text"]
            and source == message.get("_html")
            and markup == message.get("reply_markup")
        ):
            raise BadRequest(
                "Bad Request: message is not modified: specified new message content "
                "and reply markup are exactly the same as a current content and reply "
                "markup of the message"
            )
        message.update(text=plain, _html=source)
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        self.edits.append(
            {
                "method": "editMessageText" if text else "editMessageReplyMarkup",
                "chat_id": chat_id,
                "message_id": message_id,
                "text": plain,
                "html": source,
                "reply_markup": markup,
                "at": time.perf_counter(),
            }
        )
        return _public(message)

    def _answer_callback(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self.open_callbacks:
            raise BadRequest(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and (not isinstance(text, str) or len(text) > 200):
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        self.open_callbacks.discard(query_id)
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": bool(params.get("show_alert")),
                "at": time.perf_counter(),
            }
        )
        return True


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if not k.startswith("_")}


_METHODS: dict[str, Callable[[FakeBotApi, dict[str, Any]], Any]] = {
    "getMe": lambda server, params: dict(server.bot),
    "sendMessage": FakeBotApi._send_message,
    "editMessageText": lambda server, params: server._edit(params, text=True),
    "editMessageReplyMarkup": lambda server, params: server._edit(params, text=False),
    "answerCallbackQuery": FakeBotApi._answer_callback,
    "deleteWebhook": lambda server, params: True,
}
