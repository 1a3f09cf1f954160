"""A scripted Anthropic Messages API on 127.0.0.1, so the real Claude Code CLI can be
driven end to end in tests: each agent-loop request gets the next scripted answer
(the server, script and streaming are aegis_core.scriptedapi's).

Claude Code also sends side requests (titles, quota probes, token counts); those are
recognised by having no tools and answered with a short text without consuming the
script, so the script stays a list of the agent's turns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from aegis_core.scriptedapi import (
    Exchange,
    ScriptedAPI,
    ScriptedReply,
    as_mapping,
    next_id,
    path_of,
    text,
    tool_use,
)

__all__ = ["FakeAnthropic", "ScriptedReply", "sse_events", "text", "tool_use"]


def _content(reply: ScriptedReply, tool_use_id: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reply.text:
        blocks.append({"type": "text", "text": reply.text})
    if reply.tool:
        blocks.append({"type": "tool_use", "id": tool_use_id, "name": reply.tool, "input": dict(reply.input)})
    return blocks


class FakeAnthropic(ScriptedAPI):
    """``base_url`` goes in ``ANTHROPIC_BASE_URL``. With ``api_key`` set, a request whose
    ``x-api-key`` (or ``Authorization: Bearer``) is anything else gets the API's 401, as
    the real one would; ``keys_seen`` lists every key presented."""

    name = "fake-anthropic"

    def __init__(self, script: Iterable[ScriptedReply], *, model: str = "claude-sonnet-4-5",
                 fallback: ScriptedReply | None = None, api_key: str | None = None) -> None:
        super().__init__(script, fallback=fallback)
        self.model = model
        self.api_key = api_key
        self.keys_seen: list[str] = []

    def _authorised(self, exchange: Exchange) -> bool:
        headers = exchange.handler.headers
        bearer = headers.get("Authorization", "")
        key = headers.get("x-api-key") or (bearer[7:] if bearer.startswith("Bearer ") else "")
        with self._lock:
            self.keys_seen.append(key)
        if self.api_key is None or key == self.api_key:
            return True
        exchange.json({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
                      status=401)
        return False

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

    def answer(self, exchange: Exchange) -> None:
        path, body = path_of(exchange.path), exchange.body
        if not self._authorised(exchange):
            return
        if path.endswith("/v1/messages/count_tokens"):
            self.record("POST", exchange.path, body, False)
            exchange.json({"input_tokens": 100})
            return
        if not path.endswith("/v1/messages"):
            super().answer(exchange)
            return
        is_agent_turn = bool(as_mapping(body).get("tools"))
        reply = self.next_reply() if is_agent_turn else text("ok")
        self.record("POST", exchange.path, body, is_agent_turn)
        message = {
            "id": next_id("msg_fake"),
            "type": "message",
            "role": "assistant",
            "model": as_mapping(body).get("model", self.model),
            "content": _content(reply, next_id("toolu_fake")),
            "stop_reason": "tool_use" if reply.tool else "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0},
        }
        if as_mapping(body).get("stream"):
            exchange.sse(sse_events(message))
        else:
            exchange.json(message)


def sse_events(message: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """The Messages API streaming events that spell out ``message``."""
    start = {**message, "content": [], "stop_reason": None, "usage": {**message["usage"], "output_tokens": 1}}
    events: list[tuple[str | None, dict[str, Any]]] = [("message_start", {"type": "message_start", "message": start})]
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            opening = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": block["text"]}
        else:
            opening = {**block, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        events += [
            ("content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}),
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}),
            ("content_block_stop", {"type": "content_block_stop", "index": index}),
        ]
    events += [
        ("message_delta", {"type": "message_delta",
                           "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                           "usage": {"output_tokens": message["usage"]["output_tokens"]}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events
