"""Claude Code's hook input (PreToolUse, PermissionRequest, PostToolUse,
PostToolUseFailure JSON) turned into a ToolCall, with Claude Code's own ids of the call
(``tool_use_id``) and of the conversation (``session_id``)."""

from __future__ import annotations

from collections.abc import Mapping

from aegis_core.errors import AegisError
from aegis_core.models import AgentInput, ToolCall
from aegis_core.tools import kind_of

ADAPTER = "claude"
# Told "ask", Claude Code shows its permission dialog for these (interactive runs).
ASKS_AT_DIALOG = frozenset({"PreToolUse"})


class MalformedHookInput(AegisError):
    """Claude Code sent a hook input Aegis cannot read; the daemon denies the call."""


def to_tool_call(agent_input: AgentInput) -> ToolCall | None:
    """The ToolCall in a Claude Code hook event; None for other adapters' events.

    :raises MalformedHookInput: a required field is missing or of the wrong type.
    """
    if agent_input.adapter != ADAPTER:
        return None
    payload = agent_input.payload
    if not isinstance(payload, Mapping):
        raise MalformedHookInput(f"hook input must be a JSON object, got {type(payload).__name__}")
    tool = payload.get("tool_name")
    if not isinstance(tool, str) or not tool:
        raise MalformedHookInput("hook input has no tool_name")
    tool_input = payload.get("tool_input", {})
    if not isinstance(tool_input, Mapping):
        raise MalformedHookInput(
            f"tool_input of {tool} must be an object, got {type(tool_input).__name__}"
        )
    cwd = payload.get("cwd", "")
    hook_event = payload.get("hook_event_name", "PreToolUse")
    agent_session = payload.get("session_id", "")
    tool_use_id = payload.get("tool_use_id", "")
    for name, value in (("cwd", cwd), ("hook_event_name", hook_event), ("session_id", agent_session),
                        ("tool_use_id", tool_use_id)):
        if not isinstance(value, str):
            raise MalformedHookInput(f"{name} in the hook input must be a string")
    call_input = dict(tool_input)
    for key in ("tool_response", "error", "is_interrupt"):  # what the outcome events add
        if key in payload:
            call_input[key] = payload[key]
    return ToolCall(
        agent=ADAPTER,
        tool=tool,
        kind=kind_of(tool),
        input=call_input,
        cwd=cwd,
        session=agent_input.session or agent_session,
        hook_event=hook_event,
        agent_call_id=tool_use_id,
        agent_session=agent_session,
        terminal="dialog" if hook_event in ASKS_AT_DIALOG else "",
    )
