"""Builders of tool calls for the policy tests, and the one-by-one reference of the
combined searches (a module of its own: every test folder has a conftest.py, so
importing helpers from "conftest" would pick the wrong one)."""

from __future__ import annotations

from typing import Any

from aegis_core.models import Kind, ToolCall
from aegis_core.tools import kind_of

PROJECT = "/home/dev/project"


def shell(command: str, cwd: str = PROJECT) -> ToolCall:
    return ToolCall(agent="claude", tool="Bash", kind=Kind.SHELL, input={"command": command}, cwd=cwd)


def tool_call(tool: str, cwd: str = PROJECT, **tool_input: object) -> ToolCall:
    return ToolCall(agent="claude", tool=tool, kind=kind_of(tool), input=tool_input, cwd=cwd)


def first_one_by_one(together: Any, text: str) -> object:
    """What a combined search's ``first`` must give (cues.Together, wordscan.WordScan):
    each pattern searched on its own, the earliest accepted match in the text, the first
    pattern first at the same place."""
    best = None
    for index, (pattern, accept) in enumerate(together.searches):
        for found in pattern.finditer(text):
            result = accept(found)
            if result is not None:
                if best is None or (found.start(), index) < best[:2]:
                    best = (found.start(), index, result)
                break
    return best[2] if best is not None else None

