"""Copilot CLI's ``preToolUse`` input (``{sessionId, timestamp, cwd, toolName, toolArgs}``,
``toolArgs`` the arguments, as an object or a JSON string) turned into a ToolCall. Its
tools: ``bash`` (shell), ``view`` (read), ``create`` (write), ``edit``, ``glob`` and
``grep`` (search), ``web_fetch`` (fetch), MCP tools by name. The session is Copilot's
``sessionId`` (outside ``aegis wrap``, which Copilot does not run under)."""

from __future__ import annotations

from aegis_core.hookinput import MalformedHookInput, arguments, hook_object, required_text, text_fields
from aegis_core.models import AgentInput, ToolCall
from aegis_core.tools import kind_of

ADAPTER = "copilot"


def to_tool_call(agent_input: AgentInput) -> ToolCall | None:
    """The ToolCall in a Copilot CLI hook event; None for other adapters' events.

    :raises MalformedHookInput: a required field is missing or of the wrong type.
    """
    if agent_input.adapter != ADAPTER:
        return None
    payload = hook_object(agent_input.payload)
    tool = required_text(payload, "toolName")
    (cwd,) = text_fields(payload, {"cwd": ""})
    session = agent_input.session or payload.get("sessionId", "")
    if not isinstance(session, str):
        raise MalformedHookInput("sessionId in the hook input must be a string")
    tool_input = arguments(tool, payload.get("toolArgs", {}), "toolArgs")
    event_name = "postToolUse" if "toolResult" in payload else "preToolUse"
    return ToolCall(agent=ADAPTER, tool=tool, kind=kind_of(tool), input=tool_input, cwd=cwd,
                    session=session, hook_event=event_name)
