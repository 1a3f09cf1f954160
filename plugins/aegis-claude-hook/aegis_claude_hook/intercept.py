"""Claude Code's hook input (PreToolUse / PostToolUse JSON) turned into a ToolCall."""

from __future__ import annotations

from collections.abc import Mapping

from aegis_core.errors import AegisError
from aegis_core.models import RawEvent, ToolCall
from aegis_core.tools import kind_of

ADAPTER = "claude"


class MalformedHookInput(AegisError):
    """Claude Code sent a hook input Aegis cannot read; the daemon denies the call."""


def to_tool_call(event: RawEvent) -> ToolCall | None:
    """The ToolCall in a Claude Code hook event; None for other adapters' events.

    :raises MalformedHookInput: a required field is missing or of the wrong type.
    """
    if event.adapter != ADAPTER:
        return None
    payload = event.payload
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
    session = event.session or payload.get("session_id", "")
    for name, value in (("cwd", cwd), ("hook_event_name", hook_event), ("session_id", session)):
        if not isinstance(value, str):
            raise MalformedHookInput(f"{name} in the hook input must be a string")
    return ToolCall(
        agent=ADAPTER,
        tool=tool,
        kind=kind_of(tool),
        input=dict(tool_input),
        cwd=cwd,
        session=session,
        event=hook_event,
    )
