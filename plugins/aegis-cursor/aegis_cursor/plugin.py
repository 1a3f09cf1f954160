"""Entry point of the Cursor plugin: its hook encoder's ``intercept``, the ``aegis
cursor settings`` command, and an adapter for ``aegis policy test --agent cursor``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aegis_core.hookspecs import hookimpl
from aegis_core.models import AgentInput, ToolCall
from aegis_cursor.intercept import to_tool_call


def hook_input(tool: str, tool_input: Mapping[str, Any], cwd: str) -> dict[str, Any]:
    """A preToolUse input as Cursor documents it."""
    return {"hook_event_name": "preToolUse", "conversation_id": "", "generation_id": "", "workspace_roots": [cwd],
            "cwd": cwd, "tool_name": tool, "tool_input": dict(tool_input)}


@hookimpl
def register_adapters(register: Any) -> None:
    from aegis_core.adapters import HooksOnlyAdapter

    register(HooksOnlyAdapter(name="cursor", description="Cursor: its agent hooks (protocol level)",
                              agent="Cursor", hook_input=hook_input, intercept=to_tool_call))


@hookimpl
def register_commands(cli: Any) -> None:
    from aegis_cursor.commands import cursor

    cli.add_command(cursor)


@hookimpl
def intercept(agent_input: AgentInput) -> ToolCall | None:
    return to_tool_call(agent_input)
