"""The hook client as Claude Code runs it (a real process, `python -I -S run.py wire.py`)
against a stand-in daemon on a real Unix socket."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from aegis_claude_hook.settings import CLIENT
from conftest import PYTHON, client_command

from aegis_core.hookclient import RUNNER
from aegis_core.testing import StandInDaemon, decision

HOOK_INPUT = {
    "session_id": "cc-session-1",
    "transcript_path": "/tmp/t.jsonl",
    "cwd": "/tmp/project",
    "permission_mode": "default",
    "hook_event_name": "PreToolUse",
    "tool_name": "Bash",
    "tool_input": {"command": "rm -rf /tmp/x", "description": "remove"},
    "tool_use_id": "toolu_1",
}


def run_client(
    env: dict[str, str], stdin: str | bytes, event: str = "PreToolUse", *extra: str
) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    result = subprocess.run(
        client_command(event, *extra), input=data, env=env, capture_output=True, timeout=30
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def pre_tool_use_answer(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    output = json.loads(result.stdout)
    specific = output["hookSpecificOutput"]
    assert specific["hookEventName"] == "PreToolUse"
    return specific


@pytest.mark.parametrize("value", ["allow", "deny", "ask"])
def test_decision_and_reason_are_passed_to_claude(client_env, short_tmp: Path, value: str) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision(value, f"because {value}")):
        specific = pre_tool_use_answer(run_client(client_env, json.dumps(HOOK_INPUT)))
    assert specific == {
        "hookEventName": "PreToolUse",
        "permissionDecision": value,
        "permissionDecisionReason": f"because {value}",
    }


def test_request_carries_session_token_and_the_hook_input(client_env, short_tmp: Path) -> None:
    env = {**client_env, "AEGIS_SESSION": "s-123", "AEGIS_SESSION_TOKEN": "tok-456"}
    # Pretty-printed input (with newlines) must still travel as one request line.
    with StandInDaemon(short_tmp / "aegis.sock", decision("allow")) as daemon:
        run_client(env, json.dumps(HOOK_INPUT, indent=2))
    assert daemon.raw[0].count(b"\n") == 1
    assert daemon.requests == [
        {
            "v": 1,
            "op": "judge",
            "adapter": "claude",
            "session": "s-123",
            "token": "tok-456",
            "payload": HOOK_INPUT,
        }
    ]


def test_without_a_wrap_session_there_is_no_session(client_env, short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("allow")) as daemon:
        run_client(client_env, json.dumps(HOOK_INPUT))
    assert "session" not in daemon.requests[0] and "token" not in daemon.requests[0]


def test_interim_lines_are_skipped_until_the_final_one(client_env, short_tmp: Path) -> None:
    def answer(request):
        return [
            b'{"event": "pending", "approval_id": "a1"}\n',
            b"\n",
            b'{"final": true, "ok": true, "decision": "deny", "reason": "denied by alice"}\n',
        ]

    with StandInDaemon(short_tmp / "aegis.sock", answer):
        specific = pre_tool_use_answer(run_client(client_env, json.dumps(HOOK_INPUT)))
    assert specific["permissionDecision"] == "deny"
    assert specific["permissionDecisionReason"] == "denied by alice"


def test_absent_daemon_is_a_deny_naming_aegis_start(client_env) -> None:
    specific = pre_tool_use_answer(run_client(client_env, json.dumps(HOOK_INPUT)))
    assert specific["permissionDecision"] == "deny"
    assert "Aegis daemon is not running" in specific["permissionDecisionReason"]
    assert "`aegis start`" in specific["permissionDecisionReason"]


def test_socket_path_comes_from_aegis_home_then_home(short_tmp: Path) -> None:
    # Without AEGIS_SOCKET a hook uses the shared agent socket of the Aegis home, and
    # trusts it when the process that bound it is the one aegis.pid names.
    home = short_tmp / "h"
    (home / ".aegis").mkdir(parents=True)
    (home / ".aegis" / "aegis.pid").write_text(f"{os.getpid()}\n")
    env = {"HOME": str(home)}
    with StandInDaemon(home / ".aegis" / "agent.sock", decision("allow", "from default home")):
        assert (
            pre_tool_use_answer(run_client(env, json.dumps(HOOK_INPUT)))["permissionDecision"]
            == "allow"
        )
    aegis_home = short_tmp / "ah"
    aegis_home.mkdir()
    (aegis_home / "aegis.pid").write_text(f"{os.getpid()}\n")
    with StandInDaemon(aegis_home / "agent.sock", decision("allow")):
        result = run_client({**env, "AEGIS_HOME": str(aegis_home)}, json.dumps(HOOK_INPUT))
        assert pre_tool_use_answer(result)["permissionDecision"] == "allow"
        # The home written at install time (--home) is used when AEGIS_HOME is unset.
        result = run_client(env, json.dumps(HOOK_INPUT), "PreToolUse", "30", f"--home={aegis_home}")
        assert pre_tool_use_answer(result)["permissionDecision"] == "allow"


def test_refused_connection_is_a_deny(client_env, short_tmp: Path) -> None:
    # A stale socket file nobody listens on: connect() is refused.
    import socket

    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(client_env["AEGIS_SOCKET"])
    stale.close()
    specific = pre_tool_use_answer(run_client(client_env, json.dumps(HOOK_INPUT)))
    assert specific["permissionDecision"] == "deny"
    assert "`aegis start`" in specific["permissionDecisionReason"]


@pytest.mark.parametrize("stdin", ["", "not json", "[1, 2]", '{"a": 1} trailing', b"\xff\xfe{}"])
def test_malformed_hook_input_is_a_deny(client_env, short_tmp: Path, stdin) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("allow")) as daemon:
        specific = pre_tool_use_answer(run_client(client_env, stdin))
    assert specific["permissionDecision"] == "deny"
    assert "could not read the hook input" in specific["permissionDecisionReason"]
    # Reported to the daemon as text (so the malformed call is audited), never as a call:
    # even a daemon answering "allow" does not turn it into one.
    [reported] = daemon.requests
    assert reported["op"] == "judge" and isinstance(reported["payload"], str)


@pytest.mark.parametrize(
    "lines, expected",
    [
        ([b"garbage\n"], "cannot read"),
        ([b'{"final": true, "ok": true, "decision": "maybe"}\n'], "unknown decision"),
        (
            [b'{"final": true, "ok": false, "error": "session token mismatch", "code": 6}\n'],
            "Aegis refused the call: session token mismatch",
        ),
        ([b'{"event": "pending"}\n'], "without a final answer"),
        ([], "without a final answer"),
    ],
)
def test_bad_daemon_answers_are_denies(client_env, short_tmp: Path, lines, expected) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", lambda request: lines):
        specific = pre_tool_use_answer(run_client(client_env, json.dumps(HOOK_INPUT)))
    assert specific["permissionDecision"] == "deny"
    assert expected in specific["permissionDecisionReason"]


def test_deny_without_reason_still_has_one(client_env, short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("deny", "")):
        specific = pre_tool_use_answer(run_client(client_env, json.dumps(HOOK_INPUT)))
    assert specific["permissionDecisionReason"]


def test_own_deadline_passing_is_a_deny(client_env, short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("allow"), delay=3):
        specific = pre_tool_use_answer(
            run_client(client_env, json.dumps(HOOK_INPUT), "PreToolUse", "0.5")
        )
    assert specific["permissionDecision"] == "deny"
    assert "no decision within 0.5 s" in specific["permissionDecisionReason"]


def test_post_tool_use_is_observed_and_prints_nothing(client_env, short_tmp: Path) -> None:
    post = {**HOOK_INPUT, "hook_event_name": "PostToolUse", "tool_response": {"stdout": "ok"}}
    with StandInDaemon(short_tmp / "aegis.sock", decision("deny")) as daemon:
        result = run_client(client_env, json.dumps(post), "PostToolUse")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert daemon.requests[0]["op"] == "observe"
    assert daemon.requests[0]["payload"] == post


def test_post_tool_use_without_daemon_warns_the_user(client_env) -> None:
    post = {**HOOK_INPUT, "hook_event_name": "PostToolUse"}
    result = run_client(client_env, json.dumps(post), "PostToolUse")
    assert result.returncode == 0
    assert "did not record" in json.loads(result.stdout)["systemMessage"]


def test_event_name_defaults_to_the_hook_input(client_env, short_tmp: Path) -> None:
    with StandInDaemon(short_tmp / "aegis.sock", decision("deny", "no")):
        result = subprocess.run(
            [PYTHON, "-I", "-S", str(RUNNER), str(CLIENT)],
            input=json.dumps(HOOK_INPUT).encode(),
            env=client_env,
            capture_output=True,
            timeout=30,
        )
    assert json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_client_imports_only_the_standard_library_it_needs(client_env) -> None:
    result = subprocess.run(
        [PYTHON, "-I", "-S", "-X", "importtime", str(RUNNER), str(CLIENT), "PreToolUse"],
        input=json.dumps(HOOK_INPUT).encode(),
        env=client_env,
        capture_output=True,
        timeout=30,
    )
    imported = {
        line.split("|")[-1].strip()
        for line in result.stderr.decode().splitlines()
        if line.startswith("import time:") and "|" in line
    }
    imported.discard("imported package")
    assert imported, result.stderr
    forbidden = {
        "click",
        "structlog",
        "pluggy",
        "anyio",
        "httpx",
        "tomllib",
        "logging",
        "json",
        "socket",
        "re",
        "enum",
        "os",
        "aegis_core",
    }
    assert not imported & forbidden, imported & forbidden
    assert not any(name.split(".")[0] in forbidden for name in imported)
    # Sanity: the client ran to its answer. (_json and _socket load straight from
    # lib-dynload, transport and the encoder from their cache: -X importtime, which
    # sees only the import system, shows none of them.)
    assert "hookSpecificOutput" in json.loads(result.stdout), result.stderr
