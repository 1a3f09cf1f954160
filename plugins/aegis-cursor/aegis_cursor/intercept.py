"""Cursor's hook inputs turned into a ToolCall: ``beforeShellExecution`` (``command``,
``cwd``) is a shell call, ``beforeMCPExecution`` (``tool_name``, ``tool_input`` as an
object or a JSON string) an MCP call named ``mcp__cursor__TOOL``, ``preToolUse``
(``tool_name``, ``tool_input``) by the tool's name (``Shell``, ``Read``, ``Write``,
``Delete``...). The session is Cursor's conversation; the folder ``cwd`` or the first
workspace root."""

from __future__ import annotations

from aegis_core.hookinput import MalformedHookInput, arguments, hook_object, required_text
from aegis_core.models import AgentInput, Kind, ToolCall
from aegis_core.tools import kind_of, mcp_name

ADAPTER = "cursor"
MCP_SERVER = "cursor"  # Cursor's input names the tool, not its server


def to_tool_call(agent_input: AgentInput) -> ToolCall | None:
    """The ToolCall in a Cursor hook event; None for other adapters' events.

    :raises MalformedHookInput: a required field is missing or of the wrong type.
    """
    if agent_input.adapter != ADAPTER:
        return None
    payload = hook_object(agent_input.payload)
    name = required_text(payload, "hook_event_name")
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
        raw_tool = required_text(payload, "tool_name", name)
        tool_input = arguments(raw_tool, payload.get("tool_input", {}), "tool_input")
        if name in ("beforeMCPExecution", "afterMCPExecution"):
            tool = raw_tool if raw_tool.startswith("mcp__") else mcp_name(MCP_SERVER, raw_tool)
        else:
            tool = raw_tool
        kind = kind_of(tool)
    return ToolCall(agent=ADAPTER, tool=tool, kind=kind, input=tool_input, cwd=cwd, session=session, hook_event=name)
