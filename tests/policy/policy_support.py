"""Builders of tool calls for the policy tests (a module of its own: every test folder
has a conftest.py, so importing helpers from "conftest" would pick the wrong one)."""

from __future__ import annotations

from aegis_core.models import Kind, ToolCall
from aegis_core.tools import kind_of

PROJECT = "/home/dev/project"


def shell(command: str, cwd: str = PROJECT) -> ToolCall:
    return ToolCall(agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": command}, cwd=cwd)


def tool_call(tool: str, cwd: str = PROJECT, **tool_input: object) -> ToolCall:
    return ToolCall(agent="claude", tool=tool, kind=kind_of(tool), input=tool_input, cwd=cwd)
