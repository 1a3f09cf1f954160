"""Cursor's documented hook JSON in, the documented decision out: the real hook client
process with this encoder against a stand-in daemon, and the ToolCall the policy judges.
(Cursor itself cannot run offline here.)"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from aegis_cursor import settings as cursor_settings
from aegis_cursor.intercept import to_tool_call
from click.testing import CliRunner

from aegis_core.cli import cli
from aegis_core.hookinput import MalformedHookInput
from aegis_core.models import AgentInput, Kind
from aegis_core.testing import StandInDaemon, decision

COMMON = {"conversation_id": "conv-123", "generation_id": "gen-456", "workspace_roots": ["/path/to/project"]}
SHELL = {**COMMON, "hook_event_name": "beforeShellExecution", "command": "npm install express",
         "cwd": "/path/to/project"}
MCP = {**COMMON, "hook_event_name": "beforeMCPExecution", "tool_name": "database_query",
       "tool_input": "{\"query\": \"SELECT * FROM users\"}", "command": "npx mcp-server"}
PRE = {**COMMON, "hook_event_name": "preToolUse", "tool_name": "Delete", "tool_input": {"file_path": "~/.bashrc"}}


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="aegis-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run_hook(short_tmp: Path, payload: dict) -> dict:
    event = payload["hook_event_name"]
    hooks = cursor_settings.hooks_file(40, events=(event,))["hooks"][event][0]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(short_tmp),
           "AEGIS_SOCKET": str(short_tmp / "aegis.sock"), "AEGIS_DAEMON_PID": str(os.getpid())}
    done = subprocess.run(shlex.split(hooks["command"]), input=json.dumps(payload), env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_each_event_becomes_the_call_it_describes() -> None:
    shell = to_tool_call(AgentInput(adapter="cursor", payload=SHELL))
    assert shell is not None
    assert (shell.tool, shell.kind, shell.command, shell.cwd, shell.session) == (
        "Shell", Kind.SHELL, "npm install express", "/path/to/project", "conv-123")
    mcp = to_tool_call(AgentInput(adapter="cursor", payload=MCP))
    assert mcp is not None and mcp.tool == "mcp__cursor__database_query" and mcp.kind is Kind.MCP
    assert mcp.input == {"query": "SELECT * FROM users"} and mcp.cwd == "/path/to/project"
    delete = to_tool_call(AgentInput(adapter="cursor", payload=PRE))
    assert delete is not None and delete.kind is Kind.WRITE and delete.paths == ("~/.bashrc",)


@pytest.mark.parametrize("payload", [{**SHELL, "command": None}, {**MCP, "tool_input": "{x"}, {**PRE, "tool_name": ""},
                                     {**COMMON}])
def test_what_cannot_be_read_is_malformed(payload: dict) -> None:
    with pytest.raises(MalformedHookInput):
        to_tool_call(AgentInput(adapter="cursor", payload=payload))


@pytest.mark.parametrize("value", ["allow", "deny", "ask"])
def test_the_decision_in_cursors_words(short_tmp: Path, value: str) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision(value, f"because {value}")) as daemon:
        answer = run_hook(short_tmp, SHELL)
    assert answer == {"permission": value, "user_message": f"because {value}", "agent_message": f"because {value}"}
    assert daemon.requests[0]["adapter"] == "cursor"


def test_no_daemon_is_a_deny_naming_the_fix(short_tmp: Path) -> None:
    answer = run_hook(short_tmp, MCP)
    assert answer["permission"] == "deny" and "`aegis start`" in answer["agent_message"]


def test_settings_and_policy_test_agent() -> None:
    shown = CliRunner().invoke(cli, ["cursor", "settings", "--approval-timeout", "60"])
    assert shown.exit_code == 0 and '"preToolUse"' in shown.output and '"beforeShellExecution"' in shown.output
    first, second = shown.output.split("\n# Cursor versions without preToolUse")
    current, legacy = json.loads(first), json.loads(second.split("\n", 1)[1])
    entries = [entry for block in (current, legacy) for group in block["hooks"].values() for entry in group]
    assert len(entries) == 3 and {entry["timeout"] for entry in entries} == {90}
    # Cursor runs the call when a hook fails, unless the entry fails closed.
    assert all(entry["failClosed"] is True for entry in entries)
    judged = CliRunner().invoke(cli, ["policy", "test", "--agent", "cursor", "--tool", "Delete", "--input",
                                      json.dumps({"file_path": "~/.bashrc"})])
    assert judged.exit_code == 0 and json.loads(judged.output)["action"] != "allow"
