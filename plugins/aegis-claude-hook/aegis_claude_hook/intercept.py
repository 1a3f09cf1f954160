"""Claude Code's hook input (PreToolUse, PermissionRequest, PostToolUse,
PostToolUseFailure JSON) turned into a ToolCall, with Claude Code's own ids of the call
(``tool_use_id``) and of the conversation (``session_id``)."""

from __future__ import annotations

from aegis_core.hookinput import hook_fields
from aegis_core.models import AgentInput, ToolCall
from aegis_core.tools import kind_of

ADAPTER = "claude"
# Told "ask", Claude Code shows its permission dialog for these (interactive runs).
ASKS_AT_DIALOG = frozenset({"PreToolUse"})


def to_tool_call(agent_input: AgentInput) -> ToolCall | None:
    """The ToolCall in a Claude Code hook event; None for other adapters' events.

    :raises MalformedHookInput: a required field is missing or of the wrong type.
    """
    if agent_input.adapter != ADAPTER:
        return None
    fields = hook_fields(agent_input.payload, "PreToolUse")
    call_input = dict(fields.input)
    for key in ("tool_response", "error", "is_interrupt"):  # what the outcome events add
        if key in agent_input.payload:
            call_input[key] = agent_input.payload[key]
    return ToolCall(
        agent=ADAPTER,
        tool=fields.tool,
        kind=kind_of(fields.tool),
        input=call_input,
        cwd=fields.cwd,
        session=agent_input.session or fields.agent_session,
        hook_event=fields.hook_event,
        agent_call_id=fields.agent_call_id,
        agent_session=fields.agent_session,
        terminal="dialog" if fields.hook_event in ASKS_AT_DIALOG else "",
    )
