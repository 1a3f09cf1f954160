"""Copilot CLI's documented preToolUse JSON in, the documented decision out: the real
hook client process with this encoder against a stand-in daemon, and the ToolCall the
policy judges. (Copilot CLI itself cannot run offline here.)"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from aegis_copilot import settings as copilot_settings
from aegis_copilot.intercept import to_tool_call
from click.testing import CliRunner

from aegis_core.cli import cli
from aegis_core.hookinput import MalformedHookInput
from aegis_core.hooksettings import GUARD, command_problem
from aegis_core.models import AgentInput, Kind
from aegis_core.testing import StandInDaemon, decision, hanging_encoder

# The documented input (camelCase events): toolArgs a JSON string, as in its example.
PRE_TOOL_USE = {"sessionId": "sess-1", "timestamp": 1704614600000, "cwd": "/path/to/project", "toolName": "bash",
                "toolArgs": "{\"command\":\"rm -rf dist\",\"description\":\"Clean build directory\"}"}


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="aegis-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run_hook(short_tmp: Path, payload: dict, event: str = "preToolUse") -> subprocess.CompletedProcess[str]:
    hooks = copilot_settings.hooks_file(40)["hooks"][event][0]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(short_tmp),
           "AEGIS_SOCKET": str(short_tmp / "aegis.sock"), "AEGIS_DAEMON_PID": str(os.getpid())}
    return subprocess.run(shlex.split(hooks["bash"]), input=json.dumps(payload), env=env, capture_output=True,
                          text=True, timeout=60)


def test_the_input_becomes_a_shell_call_with_its_arguments() -> None:
    call = to_tool_call(AgentInput(adapter="copilot", payload=PRE_TOOL_USE))
    assert call is not None
    assert (call.tool, call.kind, call.command, call.cwd) == ("bash", Kind.SHELL, "rm -rf dist", "/path/to/project")
    assert call.session == "sess-1"
    as_object = to_tool_call(AgentInput(adapter="copilot", payload={**PRE_TOOL_USE, "toolArgs": {"command": "ls"}}))
    assert as_object is not None and as_object.command == "ls"
    for tool, kind in (("view", Kind.READ), ("create", Kind.WRITE), ("edit", Kind.EDIT)):
        made = to_tool_call(AgentInput(adapter="copilot", payload={**PRE_TOOL_USE, "toolName": tool,
                                                                 "toolArgs": '{"path": "/etc/hosts"}'}))
        assert made is not None and made.kind is kind and made.paths == ("/etc/hosts",)


@pytest.mark.parametrize("payload", [{**PRE_TOOL_USE, "toolArgs": "{not json"}, {**PRE_TOOL_USE, "toolName": ""},
                                     {**PRE_TOOL_USE, "toolArgs": "[1]"}, {**PRE_TOOL_USE, "sessionId": 7}])
def test_what_cannot_be_read_is_malformed(payload: dict) -> None:
    with pytest.raises(MalformedHookInput):
        to_tool_call(AgentInput(adapter="copilot", payload=payload))


def test_allow_prints_nothing_and_deny_the_documented_decision(short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("allow")) as daemon:
        allowed = run_hook(short_tmp, PRE_TOOL_USE)
    assert (allowed.returncode, allowed.stdout) == (0, "")
    assert daemon.requests[0]["adapter"] == "copilot" and daemon.requests[0]["payload"] == PRE_TOOL_USE
    with StandInDaemon(short_tmp / "aegis.sock", decision("deny", "Aegis blocked this: rm -rf")):
        denied = run_hook(short_tmp, PRE_TOOL_USE)
    assert denied.returncode == 0
    assert json.loads(denied.stdout) == {"permissionDecision": "deny",
                                         "permissionDecisionReason": "Aegis blocked this: rm -rf"}


def test_no_daemon_and_an_ask_are_denies_in_copilots_words(short_tmp: Path) -> None:
    absent = json.loads(run_hook(short_tmp, PRE_TOOL_USE).stdout)
    assert absent["permissionDecision"] == "deny" and "`aegis start`" in absent["permissionDecisionReason"]
    with StandInDaemon(short_tmp / "aegis.sock", decision("ask", "needs a human")):
        asked = json.loads(run_hook(short_tmp, PRE_TOOL_USE).stdout)
    assert asked["permissionDecision"] == "deny" and "aegis approvals approve" in asked["permissionDecisionReason"]


def test_settings_and_policy_test_agent() -> None:
    shown = CliRunner().invoke(cli, ["copilot", "settings", "--approval-timeout", "60"])
    assert shown.exit_code == 0, shown.output
    block = json.loads(shown.output)
    assert block["version"] == 1 and block["hooks"]["preToolUse"][0]["timeoutSec"] == 90
    judged = CliRunner().invoke(cli, ["policy", "test", "--agent", "copilot", "--tool", "bash",
                                      "--command", "git status"])
    assert judged.exit_code == 0 and json.loads(judged.output)["action"] == "allow"
    refused = CliRunner().invoke(cli, ["wrap", "--adapter", "copilot", "--dry-run", "--", "copilot"])
    assert refused.exit_code != 0 and "aegis copilot settings" in str(refused.exception or refused.output)


# Copilot CLI logs and skips a hook that exits non-zero or times out, and runs the tool
# (its hooks reference): every way the client can fail must still print Copilot's deny.
def failing_hook(short_tmp: Path, failure: str) -> tuple[str, dict[str, str]]:
    """The registered preToolUse command, broken the way ``failure`` says."""
    python = sys.executable
    encoder = str(copilot_settings.ENCODER)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(short_tmp),
           "AEGIS_SOCKET": str(short_tmp / "aegis.sock"), "AEGIS_DAEMON_PID": str(os.getpid())}
    if failure == "its interpreter is gone":
        python = str(short_tmp / "removed-venv" / "bin" / "python3")
    command = copilot_settings.hooks_file(4, python=python)["hooks"]["preToolUse"][0]["bash"]
    if failure == "it hangs, stuck in C":
        command = command.replace(encoder, str(hanging_encoder(short_tmp)))
    elif failure == "it crashes":
        crash = short_tmp / "crash_wire.py"
        crash.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
        command = command.replace(encoder, str(crash))
    elif failure == "it exits without an answer":
        quits = short_tmp / "quits_wire.py"
        quits.write_text("import posix\nposix._exit(0)\n")
        command = command.replace(encoder, str(quits))
    return command, env


@pytest.mark.parametrize("failure", ["its interpreter is gone", "it hangs, stuck in C", "it crashes",
                                     "it exits without an answer"])
def test_every_failure_of_the_client_is_copilots_deny(short_tmp: Path, failure: str) -> None:
    command, env = failing_hook(short_tmp, failure)
    # Copilot runs the `bash` entry with bash; its timeout (4 s here) comes after the guard's.
    done = subprocess.run(["bash", "-c", command], input=json.dumps(PRE_TOOL_USE), env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["permissionDecision"] == "deny"
    assert answer["permissionDecisionReason"].startswith("Aegis denied this call to be safe: its hook client ")
    assert "`aegis doctor`" in answer["permissionDecisionReason"]


def test_the_guarded_allow_is_still_silence_and_the_doctor_accepts_the_command(short_tmp: Path) -> None:
    hook = copilot_settings.hooks_file(40)["hooks"]["preToolUse"][0]
    assert shlex.split(hook["bash"])[:2] == ["/bin/sh", str(GUARD)]
    assert command_problem({"command": hook["bash"]}, guarded=True) is None
    with StandInDaemon(short_tmp / "aegis.sock", decision("allow")):
        allowed = run_hook(short_tmp, PRE_TOOL_USE)
    assert (allowed.returncode, allowed.stdout, allowed.stderr) == (0, "", "")
