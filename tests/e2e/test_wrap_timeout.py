"""`aegis wrap --timeout S` is the approval deadline end to end: the daemon's approval
of the session's call expires after S seconds (not the configured 300), the hook
client's own deadline and the hook timeout registered with Claude Code follow from
it, and the answer names the real cause (nobody answered within S s)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from collections.abc import Iterator

import pytest
from e2e_aegis import AegisHome

pytest.importorskip("aegis_claude_hook")
pytest.importorskip("aegis_pty")
from aegis_claude_hook.settings import client_deadline, default_hooks_settings

# Stands in for the agent: runs the PreToolUse hook command Claude Code would run
# (taken from the settings `aegis wrap --timeout` writes) on a call that needs approval.
AGENT = """
import json, os, subprocess, sys
hook_input = json.dumps({"session_id": "agent-own", "cwd": os.getcwd(), "hook_event_name": "PreToolUse",
                         "tool_name": "Bash", "tool_input": {"command": "pip install requests"}})
done = subprocess.run(sys.argv[1], shell=True, input=hook_input, capture_output=True, text=True)
print("HOOK" + done.stdout.strip(), flush=True)
"""


@pytest.fixture
def machine() -> Iterator[AegisHome]:
    home = AegisHome("ae2e-to-")
    home.configure(config='[approvals]\nchannels = ["cli"]\ntimeout_seconds = 300\n')
    yield home
    home.close()


def test_the_wrap_timeout_is_the_approval_deadline_end_to_end(machine: AegisHome) -> None:
    timeout = 2
    block = default_hooks_settings(timeout)
    [entry] = block["hooks"]["PreToolUse"]
    [hook] = entry["hooks"]
    # What Claude Code is told: its own timeout covers the client's deadline, which
    # covers the approval's.
    deadline = float(shlex.split(hook["command"])[-1])
    assert hook["timeout"] > deadline >= client_deadline(hook["timeout"]) > timeout

    agent = machine.root / "agent.py"
    agent.write_text(AGENT)
    done = subprocess.run([*machine.cli_argv, "wrap", "--timeout", str(timeout), "--adapter", "pty",
                           # The stand-in agent runs the Claude hook itself: outside the
                           # sandbox, which binds the hook client only for Claude Code.
                           "--no-sandbox", "--",
                           sys.executable, str(agent), hook["command"]],
                          env=machine.env, cwd=machine.root, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    line = next(x for x in done.stdout.splitlines() if x.startswith("HOOK"))
    answer = json.loads(line[4:])["hookSpecificOutput"]
    assert answer["permissionDecision"] == "deny"
    reason = answer["permissionDecisionReason"]
    assert f"within {timeout} s" in reason and "Nobody answered" in reason
    assert "aegis status" not in reason  # not blamed on the daemon: nobody answered

    [approval] = json.loads(machine.cli("approvals", "list", "--all", "--json").stdout)
    assert approval["deadline_at"] - approval["created_at"] == pytest.approx(timeout)
    assert approval["status"] == "expired" and approval["channel"] == "timeout"
    [requested] = machine.audit_events("approval.requested")
    assert requested["details"]["timeout_s"] == timeout
    [created] = machine.audit_events("session.created")
    assert created["details"]["approval_timeout_s"] == timeout
