"""Codex's hook input, as the real CLI sends it (recorded from Codex 0.171.0), turned
into the ToolCall the policy judges."""

from __future__ import annotations

import pytest
from aegis_codex.intercept import to_tool_call

from aegis_core.hookinput import MalformedHookInput
from aegis_core.models import AgentInput, Kind

BASH = {"session_id": "01a2-s", "turn_id": "t1", "transcript_path": "/h/.codex/sessions/r.jsonl",
        "cwd": "/p/sub", "hook_event_name": "PreToolUse", "model": "gpt-5.5",
        "permission_mode": "bypassPermissions", "tool_name": "Bash",
        "tool_input": {"command": "echo hi > out.txt"}, "tool_use_id": "call_3"}
PATCH = {**BASH, "cwd": "/p", "tool_name": "apply_patch", "tool_input": {
    "command": "*** Begin Patch\n*** Add File: new.txt\n+hello\n*** Update File: a.txt\n*** Move to: b.txt\n"
               "@@\n-x\n+y\n*** Delete File: ../home/.bashrc\n*** End Patch\n"}}


def test_the_shell_tool_is_a_shell_call_in_the_commands_folder() -> None:
    call = to_tool_call(AgentInput(adapter="codex", payload=BASH, session="aegis-s"))
    assert call is not None
    assert (call.agent, call.tool, call.kind, call.command, call.cwd) == (
        "codex", "Bash", Kind.SHELL, "echo hi > out.txt", "/p/sub")
    assert call.session == "aegis-s" and call.terminal == ""


def test_apply_patch_is_a_write_of_every_file_it_touches() -> None:
    call = to_tool_call(AgentInput(adapter="codex", payload=PATCH))
    assert call is not None and call.kind is Kind.WRITE
    assert call.paths == ("new.txt", "a.txt", "b.txt", "../home/.bashrc")
    assert call.session == "01a2-s"


def test_a_patch_that_only_edits_in_place_is_an_edit() -> None:
    payload = {**PATCH, "tool_input": {"command": "*** Begin Patch\n*** Update File: a.py\n@@\n-1\n+2\n*** End Patch"}}
    call = to_tool_call(AgentInput(adapter="codex", payload=payload))
    assert call is not None and call.kind is Kind.EDIT and call.paths == ("a.py",)


def test_mcp_tools_keep_their_name_and_are_mcp() -> None:
    payload = {**BASH, "tool_name": "mcp__github__create_issue", "tool_input": {"title": "x"}}
    call = to_tool_call(AgentInput(adapter="codex", payload=payload))
    assert call is not None and call.kind is Kind.MCP


def test_other_adapters_events_are_not_ours() -> None:
    assert to_tool_call(AgentInput(adapter="claude", payload=BASH)) is None


@pytest.mark.parametrize("payload", [
    {**BASH, "tool_name": None}, {**BASH, "tool_input": "ls"}, {**BASH, "cwd": 3},
    {**PATCH, "tool_input": {"command": "rm -rf /"}}, {**PATCH, "tool_input": {}},
])
def test_what_cannot_be_read_is_malformed(payload: dict) -> None:
    with pytest.raises(MalformedHookInput):
        to_tool_call(AgentInput(adapter="codex", payload=payload))
