"""A scripted Gemini API on 127.0.0.1, so the real Gemini CLI can be driven end to end:
each agent turn (``POST /v1beta/models/M:streamGenerateContent`` offering tools) gets
the next scripted reply as one server-sent ``GenerateContentResponse`` chunk (a
``functionCall`` part, or text). Side requests (no tools: summaries, checks) are
answered with short text without consuming the script; ``countTokens`` with a count."""

from __future__ import annotations

from typing import Any

from aegis_core.scriptedapi import Exchange, ScriptedAPI, ScriptedReply, as_mapping, path_of, text, tool_use

__all__ = ["FakeGemini", "ScriptedReply", "text", "tool_use"]


def _chunk(reply: ScriptedReply) -> dict[str, Any]:
    part: dict[str, Any] = ({"functionCall": {"name": reply.tool, "args": dict(reply.input)}} if reply.tool
                            else {"text": reply.text})
    return {"candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
            "modelVersion": "gemini-2.5-flash"}


class FakeGemini(ScriptedAPI):
    """``base_url`` goes in ``GOOGLE_GEMINI_BASE_URL``."""

    name = "fake-gemini"

    def function_responses(self) -> list[dict[str, Any]]:
        """Every functionResponse Gemini sent back, in order (deduplicated by id)."""
        seen: dict[str, dict[str, Any]] = {}
        for body in self.agent_requests():
            for content in as_mapping(body).get("contents", []):
                for part in content.get("parts", []) if isinstance(content, dict) else []:
                    response = part.get("functionResponse") if isinstance(part, dict) else None
                    if isinstance(response, dict):
                        seen.setdefault(str(response.get("id") or len(seen)), response)
        return list(seen.values())

    def answer(self, exchange: Exchange) -> None:
        path, body = path_of(exchange.path), as_mapping(exchange.body)
        if path.endswith(":countTokens"):
            self.record("POST", exchange.path, exchange.body, False)
            exchange.json({"totalTokens": 10})
            return
        if ":generateContent" not in path and ":streamGenerateContent" not in path:
            super().answer(exchange)
            return
        scripted = bool(body.get("tools"))
        reply = self.next_reply() if scripted else text("ok")
        self.record("POST", exchange.path, exchange.body, scripted)
        if ":streamGenerateContent" in path:
            exchange.sse([(None, _chunk(reply))])
        else:
            exchange.json(_chunk(reply))
