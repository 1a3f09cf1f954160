"""Gemini CLI's hook input, as the real CLI sends it (recorded from Gemini CLI 0.61.0),
turned into the ToolCall the policy judges."""

from __future__ import annotations

import pytest
from aegis_gemini.intercept import to_tool_call

from aegis_core.hookinput import MalformedHookInput
from aegis_core.models import AgentInput, Kind

BASE = {"session_id": "f326-s", "transcript_path": "/h/.gemini/tmp/p/chats/s.jsonl", "cwd": "/p",
        "hook_event_name": "BeforeTool", "timestamp": "2026-12-01T14:45:02.980Z"}


def call(tool: str, tool_input: dict, **extra):
    made = to_tool_call(AgentInput(adapter="gemini", payload={**BASE, "tool_name": tool, "tool_input": tool_input,
                                                            **extra}))
    assert made is not None
    return made


def test_the_shell_runs_in_its_dir_path() -> None:
    shell = call("run_shell_command", {"command": "echo hi > g2.txt", "dir_path": "sub"})
    assert (shell.agent, shell.kind, shell.command, shell.cwd) == ("gemini", Kind.SHELL, "echo hi > g2.txt", "/p/sub")
    assert call("run_shell_command", {"command": "ls", "dir_path": "/etc"}).cwd == "/etc"
    assert call("run_shell_command", {"command": "ls"}).cwd == "/p"
    assert shell.terminal == "" and shell.session == "f326-s"


@pytest.mark.parametrize("tool, tool_input, kind, paths", [
    ("write_file", {"file_path": "w.txt", "content": "x"}, Kind.WRITE, ("w.txt",)),
    ("replace", {"file_path": "~/.bashrc", "old_string": "a", "new_string": "b"}, Kind.EDIT, ("~/.bashrc",)),
    ("read_file", {"file_path": "/etc/shadow"}, Kind.READ, ("/etc/shadow",)),
    ("read_many_files", {"include": ["src/**/*.py", ".env"]}, Kind.READ, ("src/**/*.py", ".env")),
    ("glob", {"pattern": "*.pem", "dir_path": "~/.ssh"}, Kind.SEARCH, ("~/.ssh",)),
    ("grep_search", {"pattern": "password"}, Kind.SEARCH, ("/p",)),
    ("list_directory", {"dir_path": "/root"}, Kind.SEARCH, ("/root",)),
])
def test_file_tools_name_what_they_touch(tool: str, tool_input: dict, kind: Kind, paths: tuple) -> None:
    made = call(tool, tool_input)
    assert made.kind is kind and made.paths == paths


def test_web_fetch_fetches_every_url_in_its_prompt() -> None:
    prompt = "compare https://example.com/a and http://169.254.169.254/latest, (https://x.io)."
    fetch = call("web_fetch", {"prompt": prompt})
    assert fetch.kind is Kind.FETCH
    assert fetch.all_urls == ("https://example.com/a", "http://169.254.169.254/latest", "https://x.io")


def test_mcp_tools_get_the_one_spelling_policies_use() -> None:
    context = {"server_name": "github", "tool_name": "create_issue", "command": "npx"}
    assert call("mcp_github_create_issue", {"title": "x"}, mcp_context=context).tool == "mcp__github__create_issue"
    named = call("mcp_github_create_issue", {"title": "x"})
    assert named.tool == "mcp__github__create_issue" and named.kind is Kind.MCP


def test_bookkeeping_tools_are_other() -> None:
    assert call("write_todos", {"todos": []}).kind is Kind.OTHER


@pytest.mark.parametrize("payload", [
    {**BASE, "tool_name": "", "tool_input": {}}, {**BASE, "tool_name": "x", "tool_input": []},
    {**BASE, "tool_name": "x", "tool_input": {}, "cwd": None},
])
def test_what_cannot_be_read_is_malformed(payload: dict) -> None:
    with pytest.raises(MalformedHookInput):
        to_tool_call(AgentInput(adapter="gemini", payload=payload))
