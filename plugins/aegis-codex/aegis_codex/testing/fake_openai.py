"""A scripted OpenAI Responses API on 127.0.0.1, so the real Codex CLI can be driven
end to end in tests: each agent turn (a ``POST /v1/responses`` offering tools) gets the
next scripted reply, streamed as the Responses API streams (``response.created``,
``response.output_item.added/done``, ``response.completed``).

A reply calling a function tool (``exec_command``) carries JSON arguments; one calling
a free-form tool (``apply_patch``) carries its raw text (``ScriptedReply.input`` a str).
"""

from __future__ import annotations

import json
from typing import Any

from aegis_core.scriptedapi import Exchange, ScriptedAPI, ScriptedReply, as_mapping, next_id, path_of, text, tool_use

__all__ = ["FakeResponses", "ScriptedReply", "patch", "text", "tool_use"]


def patch(body: str) -> ScriptedReply:
    """A turn calling Codex's free-form ``apply_patch`` with ``body`` (the whole patch)."""
    return ScriptedReply(tool="apply_patch", input=body)


def _output_item(reply: ScriptedReply) -> dict[str, Any]:
    call_id = next_id("call_")
    if reply.tool and isinstance(reply.input, str):
        return {"type": "custom_tool_call", "id": next_id("ctc_"), "call_id": call_id, "name": reply.tool,
                "input": reply.input, "status": "completed"}
    if reply.tool:
        return {"type": "function_call", "id": next_id("fc_"), "call_id": call_id, "name": reply.tool,
                "arguments": json.dumps(dict(reply.input)), "status": "completed"}
    return {"type": "message", "id": next_id("msg_"), "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": reply.text, "annotations": []}]}


class FakeResponses(ScriptedAPI):
    """``base_url`` + ``/v1`` is the provider's ``base_url`` (see ``offline_config``)."""

    name = "fake-openai"

    def outputs(self) -> list[dict[str, Any]]:
        """Every tool output Codex sent back (function and custom), in order,
        deduplicated by call id (each request repeats the conversation)."""
        seen: dict[str, dict[str, Any]] = {}
        for body in self.agent_requests():
            for item in as_mapping(body).get("input", []):
                if isinstance(item, dict) and item.get("type") in ("function_call_output", "custom_tool_call_output"):
                    seen.setdefault(str(item.get("call_id")), item)
        return list(seen.values())

    def answer(self, exchange: Exchange) -> None:
        body = as_mapping(exchange.body)
        if not path_of(exchange.path).endswith("/responses") or not body.get("tools"):
            super().answer(exchange)
            return
        reply = self.next_reply()
        self.record("POST", exchange.path, exchange.body, True)
        response_id = next_id("resp_")
        item = _output_item(reply)
        usage = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 5,
                 "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 15}
        exchange.sse([
            ("response.created", {"type": "response.created", "response": {"id": response_id}}),
            ("response.output_item.added", {"type": "response.output_item.added", "output_index": 0, "item": item}),
            ("response.output_item.done", {"type": "response.output_item.done", "output_index": 0, "item": item}),
            ("response.completed", {"type": "response.completed", "response": {"id": response_id, "usage": usage}}),
        ])
