"""A scripted model API on 127.0.0.1, so tests can drive a real agent CLI end to end:
each of the agent's turns gets the next scripted reply (a tool call or final text),
streamed the way the real API streams. This is the part every fake shares (server,
script, recorded requests, SSE); each adapter's testing package speaks its vendor's
wire format (Anthropic Messages, OpenAI Responses, Gemini) on top.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    """A fresh id for a message, call or response (``prefix`` + a counter)."""
    return f"{prefix}{next(_ids):06d}"


@dataclass(frozen=True)
class ScriptedReply:
    """One assistant turn: either a tool call or final text. ``input`` is the tool's
    arguments (a dict), or the raw text of a free-form tool (Codex's apply_patch)."""

    text: str = ""
    tool: str | None = None
    input: Any = field(default_factory=dict)


def tool_use(tool: str, **tool_input: Any) -> ScriptedReply:
    """A turn calling ``tool`` with ``tool_input``, e.g. ``tool_use("Bash", command="ls")``."""
    return ScriptedReply(tool=tool, input=tool_input)


def text(words: str) -> ScriptedReply:
    """A final turn answering with ``words``."""
    return ScriptedReply(text=words)


@dataclass
class RecordedRequest:
    method: str
    path: str
    body: Any
    scripted: bool  # whether it consumed a scripted reply


class Exchange:
    """One HTTP request being answered: what the vendor fakes write their replies with."""

    def __init__(self, handler: BaseHTTPRequestHandler, path: str, body: Any) -> None:
        self.handler = handler
        self.path = path
        self.body = body

    def json(self, payload: Any, status: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.handler.send_response(status)
        self.handler.send_header("Content-Type", "application/json")
        self.handler.send_header("Content-Length", str(len(data)))
        self.handler.end_headers()
        self.handler.wfile.write(data)

    def sse(self, events: Iterable[tuple[str | None, Any]]) -> None:
        """Stream ``(event name or None, data)`` as server-sent events, then close."""
        handler = self.handler
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        for event, data in events:
            head = f"event: {event}\n" if event else ""
            handler.wfile.write(f"{head}data: {json.dumps(data)}\n\n".encode())
        handler.wfile.flush()


class ScriptedAPI:
    """The server. Use as a context manager; ``base_url`` goes wherever the agent takes
    its API's address. Subclasses implement ``answer`` in their vendor's format.

    When the script runs out every further agent turn gets ``fallback``, so a
    misbehaving run ends instead of looping.
    """

    name = "scripted-api"

    def __init__(self, script: Iterable[ScriptedReply], *, fallback: ScriptedReply | None = None) -> None:
        self._script: Iterator[ScriptedReply] = iter(list(script))
        self._fallback = fallback or text("Done.")
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.name, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ScriptedAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # ---------------------------------------------------------------- the script

    def agent_requests(self) -> list[Any]:
        """Bodies of the requests that consumed a scripted reply, in order."""
        with self._lock:
            return [r.body for r in self.requests if r.scripted]

    def next_reply(self) -> ScriptedReply:
        with self._lock:
            return next(self._script, self._fallback)

    def record(self, method: str, path: str, body: Any, scripted: bool) -> None:
        with self._lock:
            self.requests.append(RecordedRequest(method, path, body, scripted))

    # ---------------------------------------------------------------- for subclasses

    def answer(self, exchange: Exchange) -> None:
        """Answer a POST; record it (``record``) and take ``next_reply`` for agent turns."""
        self.record("POST", exchange.path, exchange.body, False)
        exchange.json({})

    def answer_get(self, exchange: Exchange) -> None:
        self.record("GET", exchange.path, None, False)
        exchange.json({})

    # ---------------------------------------------------------------- serving

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

            def _read_body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    return json.loads(raw) if raw else None
                except ValueError:
                    return raw.decode("utf-8", "replace")

            def do_GET(self) -> None:
                fake.answer_get(Exchange(self, self.path, None))

            def do_HEAD(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                fake.answer(Exchange(self, self.path, self._read_body()))

        return Handler


def path_of(url: str) -> str:
    return urlsplit(url).path


def as_mapping(body: Any) -> Mapping[str, Any]:
    return body if isinstance(body, Mapping) else {}
