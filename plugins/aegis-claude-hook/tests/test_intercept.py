"""Claude Code hook input -> ToolCall, through the plugin's registered intercept hook."""

from __future__ import annotations

import pytest
from aegis_claude_hook import plugin
from aegis_claude_hook.intercept import to_tool_call

from aegis_core.hookinput import MalformedHookInput
from aegis_core.models import AgentInput, Kind

PAYLOAD = {
    "session_id": "cc-1",
    "cwd": "/work",
    "hook_event_name": "PreToolUse",
    "tool_name": "Bash",
    "tool_input": {"command": "ls -la"},
    "tool_use_id": "toolu_1",
}


def test_intercept_through_the_plugin_manager(aegis_plugins) -> None:
    plugins = aegis_plugins(plugin)
    call = plugins.intercept(AgentInput(adapter="claude", payload=PAYLOAD))
    assert (
        call.agent,
        call.tool,
        call.kind,
        dict(call.input),
        call.cwd,
        call.session,
        call.hook_event,
    ) == ("claude", "Bash", Kind.SHELL, {"command": "ls -la"}, "/work", "cc-1", "PreToolUse")
    assert call.command == "ls -la"


def test_wrap_session_wins_over_claude_session() -> None:
    call = to_tool_call(AgentInput(adapter="claude", payload=PAYLOAD, session="aegis-s"))
    assert call.session == "aegis-s"


@pytest.mark.parametrize(
    "tool, kind",
    [
        ("Write", Kind.WRITE),
        ("mcp__github__push", Kind.MCP),
        ("Frobnicate", Kind.OTHER),
        ("WebFetch", Kind.FETCH),
    ],
)
def test_kinds(tool: str, kind: Kind) -> None:
    assert (
        to_tool_call(AgentInput(adapter="claude", payload={**PAYLOAD, "tool_name": tool})).kind
        is kind
    )


def test_post_tool_use_event_is_kept() -> None:
    payload = {**PAYLOAD, "hook_event_name": "PostToolUse", "tool_response": {"stdout": ""}}
    assert to_tool_call(AgentInput(adapter="claude", payload=payload)).hook_event == "PostToolUse"


def test_other_adapters_are_not_ours() -> None:
    assert to_tool_call(AgentInput(adapter="pty", payload=PAYLOAD)) is None


@pytest.mark.parametrize(
    "payload",
    [
        {**PAYLOAD, "tool_name": ""},
        {k: v for k, v in PAYLOAD.items() if k != "tool_name"},
        {**PAYLOAD, "tool_input": "rm -rf /"},
        {**PAYLOAD, "cwd": 3},
        {**PAYLOAD, "session_id": None},
    ],
)
def test_malformed_input_raises(payload) -> None:
    with pytest.raises(MalformedHookInput):
        to_tool_call(AgentInput(adapter="claude", payload=payload))
