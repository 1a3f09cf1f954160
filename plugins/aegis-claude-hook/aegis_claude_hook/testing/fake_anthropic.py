"""A scripted Anthropic Messages API on 127.0.0.1, so the real Claude Code CLI can be
driven end to end in tests: each agent-loop request gets the next scripted answer.

Claude Code also sends side requests (titles, quota probes, token counts); those are
recognised by having no tools and answered with a short text without consuming the
script, so the script stays a list of the agent's turns.
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


@dataclass(frozen=True)
class ScriptedReply:
    """One assistant turn: either a tool call or final text."""

    text: str = ""
    tool: str | None = None
    input: Mapping[str, Any] = field(default_factory=dict)

    @property
    def stop_reason(self) -> str:
        return "tool_use" if self.tool else "end_turn"

    def content(self, tool_use_id: str) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        if self.text:
            blocks.append({"type": "text", "text": self.text})
        if self.tool:
            blocks.append(
                {
                    "type": "tool_use",
                    "id": tool_use_id,
                    "name": self.tool,
                    "input": dict(self.input),
                }
            )
        return blocks


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


class FakeAnthropic:
    """The server. Use as a context manager; ``base_url`` goes in ``ANTHROPIC_BASE_URL``.

    When the script runs out every further agent-loop request gets ``fallback``, so a
    misbehaving run ends instead of looping. With ``api_key`` set, a request whose
    ``x-api-key`` (or ``Authorization: Bearer``) is anything else gets the API's 401,
    as the real one would; ``keys_seen`` lists every key presented.
    """

    def __init__(
        self,
        script: Iterable[ScriptedReply],
        *,
        model: str = "claude-sonnet-4-5",
        fallback: ScriptedReply | None = None,
        api_key: str | None = None,
    ) -> None:
        self._script: Iterator[ScriptedReply] = iter(list(script))
        self.api_key = api_key
        self.keys_seen: list[str] = []
        self._fallback = fallback or text("Done.")
        self.model = model
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-anthropic", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # ---------------------------------------------------------------- queries

    def agent_requests(self) -> list[Any]:
        """Bodies of the agent-loop Messages requests, in order."""
        with self._lock:
            return [r.body for r in self.requests if r.scripted]

    def tool_results(self) -> list[dict[str, Any]]:
        """Every tool_result block the CLI sent back, in order (deduplicated by id,
        since each request repeats the whole conversation)."""
        seen: dict[str, dict[str, Any]] = {}
        for body in self.agent_requests():
            for message in body.get("messages", []):
                content = message.get("content")
                if not isinstance(content, list):
                    continue
                for block in content:
                    if isinstance(block, dict) and block.get("type") == "tool_result":
                        seen.setdefault(str(block.get("tool_use_id")), block)
        return list(seen.values())

    # ---------------------------------------------------------------- serving

    def _next_reply(self, body: Any) -> tuple[ScriptedReply, bool]:
        is_agent_turn = isinstance(body, dict) and bool(body.get("tools"))
        if not is_agent_turn:
            return text("ok"), False
        with self._lock:
            return next(self._script, self._fallback), True

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

            def _send_json(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                with fake._lock:
                    fake.requests.append(RecordedRequest("GET", self.path, None, False))
                self._send_json(200, {})

            def do_HEAD(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _authorised(self) -> bool:
                bearer = self.headers.get("Authorization", "")
                key = self.headers.get("x-api-key") or (bearer[7:] if bearer.startswith("Bearer ") else "")
                with fake._lock:
                    fake.keys_seen.append(key)
                if fake.api_key is None or key == fake.api_key:
                    return True
                self._send_json(401, {"type": "error", "error": {"type": "authentication_error",
                                                                 "message": "invalid x-api-key"}})
                return False

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                body = self._read_body()
                if not self._authorised():
                    return
                if path.endswith("/v1/messages/count_tokens"):
                    with fake._lock:
                        fake.requests.append(RecordedRequest("POST", self.path, body, False))
                    self._send_json(200, {"input_tokens": 100})
                    return
                if not path.endswith("/v1/messages"):
                    with fake._lock:
                        fake.requests.append(RecordedRequest("POST", self.path, body, False))
                    self._send_json(200, {})
                    return
                reply, scripted = fake._next_reply(body)
                with fake._lock:
                    fake.requests.append(RecordedRequest("POST", self.path, body, scripted))
                model = body.get("model", fake.model) if isinstance(body, dict) else fake.model
                message = {
                    "id": f"msg_fake{next(_ids):06d}",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": reply.content(f"toolu_fake{next(_ids):06d}"),
                    "stop_reason": reply.stop_reason,
                    "stop_sequence": None,
                    "usage": {
                        "input_tokens": 100,
                        "output_tokens": 20,
                        "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0,
                    },
                }
                if isinstance(body, dict) and body.get("stream"):
                    self._stream(message)
                else:
                    self._send_json(200, message)

            def _stream(self, message: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for event, data in sse_events(message):
                    self.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

        return Handler


def sse_events(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The Messages API streaming events that spell out ``message``."""
    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "usage": {**message["usage"], "output_tokens": 1},
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start})
    ]
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            opening = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": block["text"]}
        else:
            opening = {**block, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        events += [
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": opening},
            ),
            (
                "content_block_delta",
                {"type": "content_block_delta", "index": index, "delta": delta},
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": index}),
        ]
    events += [
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                "usage": {"output_tokens": message["usage"]["output_tokens"]},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events
