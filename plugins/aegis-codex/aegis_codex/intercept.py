"""Codex CLI's hook input (PreToolUse / PostToolUse JSON) turned into a ToolCall: the
shell tool (reported to hooks as ``Bash``, with ``cwd`` already the command's working
directory), ``apply_patch`` (a write or edit of every file its patch touches), MCP
tools (``mcp__server__tool``) and the rest by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aegis_codex.patch import PatchError, only_updates, patch_targets
from aegis_core.errors import AegisError
from aegis_core.models import AgentInput, Kind, ToolCall
from aegis_core.tools import kind_of

ADAPTER = "codex"
PATCH_TOOLS = ("apply_patch",)


class MalformedHookInput(AegisError):
    """Codex sent a hook input Aegis cannot read; the daemon denies the call."""


def to_tool_call(agent_input: AgentInput) -> ToolCall | None:
    """The ToolCall in a Codex hook event; None for other adapters' events.

    :raises MalformedHookInput: a required field is missing or of the wrong type, or an
        ``apply_patch`` whose patch cannot be read (what it touches would be unknown).
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
        raise MalformedHookInput(f"tool_input of {tool} must be an object, got {type(tool_input).__name__}")
    cwd = payload.get("cwd", "")
    hook_event = payload.get("hook_event_name", "PreToolUse")
    agent_session = payload.get("session_id", "")
    agent_call_id = payload.get("tool_use_id", "")
    session = agent_input.session or agent_session
    for name, value in (("cwd", cwd), ("hook_event_name", hook_event), ("session_id", agent_session),
                        ("tool_use_id", agent_call_id)):
        if not isinstance(value, str):
            raise MalformedHookInput(f"{name} in the hook input must be a string")
    kind, files = _kind_and_files(tool, tool_input)
    return ToolCall(agent=ADAPTER, tool=tool, kind=kind, input=dict(tool_input), cwd=cwd, session=session,
                    hook_event=hook_event, files=files, agent_call_id=agent_call_id, agent_session=agent_session)


def _kind_and_files(tool: str, tool_input: Mapping[str, Any]) -> tuple[Kind, tuple[str, ...]]:
    if tool not in PATCH_TOOLS:
        return kind_of(tool), ()
    patch = tool_input.get("command", tool_input.get("patch", tool_input.get("input")))
    if not isinstance(patch, str):
        raise MalformedHookInput("apply_patch without the text of its patch")
    try:
        targets = patch_targets(patch)
    except PatchError as exc:
        raise MalformedHookInput(f"apply_patch with a patch Aegis cannot read ({exc})") from None
    files = tuple(dict.fromkeys(t.path for t in targets))
    return (Kind.EDIT if only_updates(targets) else Kind.WRITE), files
