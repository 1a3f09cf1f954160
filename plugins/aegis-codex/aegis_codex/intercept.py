"""Codex CLI's hook input (PreToolUse / PostToolUse JSON) turned into a ToolCall: the
shell tool (reported to hooks as ``Bash``, with ``cwd`` already the command's working
directory), ``apply_patch`` (a write or edit of every file its patch touches), MCP
tools (``mcp__server__tool``) and the rest by name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aegis_codex.patch import PatchError, only_updates, patch_targets
from aegis_core.hookinput import MalformedHookInput, hook_fields
from aegis_core.models import AgentInput, Kind, ToolCall
from aegis_core.tools import kind_of

ADAPTER = "codex"
PATCH_TOOLS = ("apply_patch",)


def to_tool_call(agent_input: AgentInput) -> ToolCall | None:
    """The ToolCall in a Codex hook event; None for other adapters' events.

    :raises MalformedHookInput: a required field is missing or of the wrong type, or an
        ``apply_patch`` whose patch cannot be read (what it touches would be unknown).
    """
    if agent_input.adapter != ADAPTER:
        return None
    fields = hook_fields(agent_input.payload, "PreToolUse")
    kind, files = _kind_and_files(fields.tool, fields.input)
    return ToolCall(agent=ADAPTER, tool=fields.tool, kind=kind, input=dict(fields.input), cwd=fields.cwd,
                    session=agent_input.session or fields.agent_session, hook_event=fields.hook_event, files=files,
                    agent_call_id=fields.agent_call_id, agent_session=fields.agent_session)


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
