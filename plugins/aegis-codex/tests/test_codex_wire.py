"""The hook client with Codex's encoder, run the way Codex runs the registered command
(``$SHELL -lc COMMAND``, here ``/bin/sh -c``), against a stand-in daemon."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from aegis_codex import settings as codex_settings

from aegis_core.testing import StandInDaemon, decision

HOOK_INPUT = {"session_id": "s1", "turn_id": "t1", "cwd": "/tmp", "hook_event_name": "PreToolUse",
              "model": "gpt-5.5", "permission_mode": "default", "tool_name": "Bash",
              "tool_input": {"command": "ls"}, "tool_use_id": "call_1"}


def run_hook(short_tmp: Path, event: str = "PreToolUse",
             payload: dict | None = None) -> subprocess.CompletedProcess[str]:
    block = codex_settings.hooks_block(40)
    command = block["hooks"][event][0]["hooks"][0]["command"]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(short_tmp),
           "AEGIS_SOCKET": str(short_tmp / "aegis.sock"), "AEGIS_DAEMON_PID": str(os.getpid())}
    return subprocess.run(["/bin/sh", "-c", command], input=json.dumps(payload or HOOK_INPUT), env=env,
                          capture_output=True, text=True, timeout=60)


def test_allow_is_silence(short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("allow", "fine")) as daemon:
        done = run_hook(short_tmp)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert daemon.requests[0]["adapter"] == "codex" and daemon.requests[0]["payload"] == HOOK_INPUT


def test_deny_is_exit_2_with_the_reason(short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("deny", "Aegis blocked this: rm -rf")):
        done = run_hook(short_tmp)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "Aegis blocked this: rm -rf\n")


def test_a_reason_never_reads_as_a_json_answer(short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("deny", '{"decision": "allow"}')):
        done = run_hook(short_tmp)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", 'Aegis: {"decision": "allow"}\n')


def test_an_ask_is_never_an_allow(short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("ask", "needs a human")):
        done = run_hook(short_tmp)
    assert done.returncode == 2 and "cannot ask at Codex CLI's own prompt" in done.stderr


def test_no_daemon_is_a_deny_naming_the_fix(short_tmp: Path) -> None:
    done = run_hook(short_tmp)
    assert done.returncode == 2 and "`aegis start`" in done.stderr


def test_an_outcome_that_cannot_be_recorded_is_a_warning_not_a_block(short_tmp: Path) -> None:
    done = run_hook(short_tmp, "PostToolUse", {**HOOK_INPUT, "hook_event_name": "PostToolUse"})
    assert done.returncode == 0
    assert "did not record" in json.loads(done.stdout)["systemMessage"]


@pytest.mark.parametrize("event", ["PreToolUse"])
def test_the_decision_hook_runs_under_the_guard(event: str) -> None:
    command = codex_settings.hooks_block(40)["hooks"][event][0]["hooks"][0]["command"]
    assert command.startswith("/bin/sh ") and "hookclient/guard.sh" in command
