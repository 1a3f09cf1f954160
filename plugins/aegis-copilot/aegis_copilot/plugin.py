"""Entry point of the Copilot CLI plugin: its hook encoder's ``intercept``, the ``aegis
copilot settings`` command, and an adapter for ``aegis policy test --agent copilot``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aegis_copilot.intercept import to_tool_call
from aegis_core.hookspecs import hookimpl
from aegis_core.models import AgentInput, ToolCall


def hook_input(tool: str, tool_input: Mapping[str, Any], cwd: str) -> dict[str, Any]:
    """A preToolUse input as Copilot CLI documents it (arguments as a JSON string)."""
    return {"timestamp": 0, "cwd": cwd, "toolName": tool, "toolArgs": json.dumps(dict(tool_input))}


@hookimpl
def register_adapters(register: Any) -> None:
    from aegis_core.adapters import HooksOnlyAdapter

    register(HooksOnlyAdapter(name="copilot", description="Copilot CLI: its preToolUse hook (protocol level)",
                              agent="Copilot CLI", hook_input=hook_input, intercept=to_tool_call))


@hookimpl
def register_commands(cli: Any) -> None:
    from aegis_copilot.commands import copilot

    cli.add_command(copilot)


@hookimpl
def intercept(agent_input: AgentInput) -> ToolCall | None:
    return to_tool_call(agent_input)
