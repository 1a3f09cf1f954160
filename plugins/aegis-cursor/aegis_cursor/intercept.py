"""Cursor's hook inputs turned into a ToolCall: ``beforeShellExecution`` (``command``,
``cwd``) is a shell call, ``beforeMCPExecution`` (``tool_name``, ``tool_input`` as an
object or a JSON string) an MCP call named ``mcp__cursor__TOOL``, ``preToolUse``
(``tool_name``, ``tool_input``) by the tool's name (``Shell``, ``Read``, ``Write``,
``Delete``...). The session is Cursor's conversation; the folder ``cwd`` or the first
workspace root."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aegis_core.errors import AegisError
from aegis_core.models import AgentInput, Kind, ToolCall
from aegis_core.tools import kind_of, mcp_name

ADAPTER = "cursor"
MCP_SERVER = "cursor"  # Cursor's input names the tool, not its server


class MalformedHookInput(AegisError):
    """Cursor sent a hook input Aegis cannot read; the daemon denies the call."""


def to_tool_call(agent_input: AgentInput) -> ToolCall | None:
    if agent_input.adapter != ADAPTER:
        return None
    payload = agent_input.payload
    if not isinstance(payload, Mapping):
        raise MalformedHookInput(f"hook input must be a JSON object, got {type(payload).__name__}")
    name = payload.get("hook_event_name")
    if not isinstance(name, str) or not name:
        raise MalformedHookInput("hook input has no hook_event_name")
    cwd = payload.get("cwd")
    if cwd is None:
        roots = payload.get("workspace_roots")
        cwd = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else ""
    session = agent_input.session or payload.get("conversation_id", "")
    if not isinstance(cwd, str) or not isinstance(session, str):
        raise MalformedHookInput("cwd and conversation_id in the hook input must be strings")
    if name in ("beforeShellExecution", "afterShellExecution"):
        command = payload.get("command")
        if not isinstance(command, str):
            raise MalformedHookInput(f"{name} without a command")
        tool, kind, tool_input = "Shell", Kind.SHELL, {"command": command}
    else:
        raw_tool = payload.get("tool_name")
        if not isinstance(raw_tool, str) or not raw_tool:
            raise MalformedHookInput(f"{name} without a tool_name")
        tool_input = _arguments(raw_tool, payload.get("tool_input", {}))
        if name in ("beforeMCPExecution", "afterMCPExecution"):
            tool = raw_tool if raw_tool.startswith("mcp__") else mcp_name(MCP_SERVER, raw_tool)
        else:
            tool = raw_tool
        kind = kind_of(tool)
    return ToolCall(agent=ADAPTER, tool=tool, kind=kind, input=tool_input, cwd=cwd, session=session, hook_event=name)


def _arguments(tool: str, raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise MalformedHookInput(f"tool_input of {tool} is not JSON ({exc})") from None
    if not isinstance(raw, Mapping):
        raise MalformedHookInput(f"tool_input of {tool} must be an object, got {type(raw).__name__}")
    return dict(raw)
