"""Copilot CLI's ``preToolUse`` input (``{timestamp, cwd, toolName, toolArgs}``, where
``toolArgs`` is the arguments as a JSON string) turned into a ToolCall. Its tools:
``bash`` (shell), ``view`` (read), ``create`` (write), ``edit``, MCP tools by name."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aegis_core.errors import AegisError
from aegis_core.models import AgentInput, ToolCall
from aegis_core.tools import kind_of

ADAPTER = "copilot"


class MalformedHookInput(AegisError):
    """Copilot CLI sent a hook input Aegis cannot read; the daemon denies the call."""


def to_tool_call(agent_input: AgentInput) -> ToolCall | None:
    if agent_input.adapter != ADAPTER:
        return None
    payload = agent_input.payload
    if not isinstance(payload, Mapping):
        raise MalformedHookInput(f"hook input must be a JSON object, got {type(payload).__name__}")
    tool = payload.get("toolName")
    if not isinstance(tool, str) or not tool:
        raise MalformedHookInput("hook input has no toolName")
    cwd = payload.get("cwd", "")
    if not isinstance(cwd, str):
        raise MalformedHookInput("cwd in the hook input must be a string")
    tool_input = _arguments(tool, payload.get("toolArgs", {}))
    event_name = "postToolUse" if "toolResult" in payload else "preToolUse"
    return ToolCall(agent=ADAPTER, tool=tool, kind=kind_of(tool), input=tool_input, cwd=cwd,
                    session=agent_input.session, hook_event=event_name)


def _arguments(tool: str, raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise MalformedHookInput(f"toolArgs of {tool} is not JSON ({exc})") from None
    if not isinstance(raw, Mapping):
        raise MalformedHookInput(f"toolArgs of {tool} must be an object, got {type(raw).__name__}")
    return dict(raw)
