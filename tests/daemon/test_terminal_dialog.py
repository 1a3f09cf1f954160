"""The keyboard and the phone together, at the daemon (issue #16): a call the agent
can ask about in its own dialog is answered "ask" while its approval stays pending on
every other channel; the first answer wins, whoever gives it, and every record of the
call carries the same ids (issue #15). Driven through the real daemon with the
``generic`` event format (the Claude Code plugin's events are tested end to end with
the real CLI in tests/e2e)."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import pytest

from aegis_core.hookclient.transport import DIALOG_CLOSED_LINE
from aegis_core.testing import daemon_stream

RISKY = "pip install requests"


def event(daemon: Any, command: str, *, event: str = "PreToolUse", call: str = "toolu_1",
          terminal: str = "dialog", **extra: Any) -> dict[str, Any]:
    return {"tool": "Bash", "input": {"command": command}, "cwd": str(daemon.project),
            "hook_event": event, "agent_call_id": call, "agent_session": "conv-1", "terminal": terminal,
            **extra}


def ask(daemon: Any, session: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
    return daemon.request("judge", adapter="generic", session=session, token=token, payload=payload)


def in_background(daemon: Any, session: str, token: str, payload: dict[str, Any]) -> tuple[threading.Thread, list[Any]]:
    lines: list[Any] = []

    def run() -> None:
        daemon_stream(daemon.socket, "judge", timeout=30, into=lines, adapter="generic",
                      session=session, token=token, payload=payload)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, lines


def pending(daemon: Any) -> list[dict[str, Any]]:
    return json.loads(daemon.cli("approvals", "list", "--json").stdout or "[]")


def audit(daemon: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (daemon.home / "audit.log").read_text().splitlines()]


def wait_until(predicate: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("condition never met")


def test_the_dialog_and_the_cli_are_asked_at_once_and_the_cli_closes_the_dialog(daemon) -> None:
    daemon.start()  # default channels: terminal and cli
    session, token = daemon.session()
    answer = ask(daemon, session, token, event(daemon, RISKY))
    assert answer["decision"] == "ask"
    (listed,) = pending(daemon)  # pending while the dialog is open: the CLI can answer it
    assert listed["id"] == answer["approval_id"]
    assert f"Aegis approval {listed['id'][:12]}" in answer["reason"]
    assert f"aegis approvals approve {listed['id'][:12]}" in answer["reason"]

    thread, lines = in_background(daemon, session, token, event(daemon, RISKY, event="PermissionRequest"))
    wait_until(lambda: lines)  # the dialog's PermissionRequest waits on the approval
    approved = daemon.cli("approvals", "approve", listed["id"])
    assert approved.returncode == 0, approved.stderr
    thread.join(15)
    assert lines[-1]["decision"] == "allow" and lines[-1]["approval_id"] == listed["id"]

    resolved = [e for e in audit(daemon) if e["event"] == "approval.resolved"]
    assert resolved[-1]["details"]["channel"] == "cli" and resolved[-1]["details"]["status"] == "approved"


def test_yes_in_the_dialog_is_recorded_via_terminal_with_the_agents_ids(daemon) -> None:
    daemon.start()
    session, token = daemon.session()
    first = ask(daemon, session, token, event(daemon, RISKY, call="toolu_yes"))
    daemon.request("observe", adapter="generic", session=session, token=token,
                   payload=event(daemon, RISKY, event="PostToolUse", call="toolu_yes",
                                 tool_response={"exitCode": 0}))
    assert pending(daemon) == []
    records = [e for e in audit(daemon) if e["details"].get("agent_call_id") == "toolu_yes"]
    by_event = {e["event"]: e["details"] for e in records}
    assert {"approval.requested", "approval.resolved", "call.executed"} <= set(by_event)
    assert {d["call_id"] for d in by_event.values()} == {by_event["approval.requested"]["call_id"]}
    assert by_event["approval.resolved"]["approval_id"] == first["approval_id"]
    assert by_event["approval.resolved"]["status"] == "approved"
    assert by_event["approval.resolved"]["channel"] == "terminal"
    assert by_event["call.executed"]["approval_id"] == first["approval_id"]
    assert by_event["call.executed"]["agent_session"] == "conv-1"


# What the hook client says on SIGTERM; hook clients older than the "update" key said
# it under "event", and the daemon still takes that.
@pytest.mark.parametrize("closed_line", [DIALOG_CLOSED_LINE, b'{"event":"dialog_closed"}\n'],
                         ids=["update", "legacy-event"])
def test_no_in_the_dialog_ends_the_hook_and_is_recorded_as_denied_via_terminal(daemon, closed_line: bytes) -> None:
    daemon.start()
    session, token = daemon.session()
    first = ask(daemon, session, token, event(daemon, RISKY, call="toolu_no"))
    request = {"v": 1, "op": "judge", "adapter": "generic", "session": session, "token": token,
               "payload": event(daemon, RISKY, event="PermissionRequest", call="")}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(str(daemon.socket))
        conn.sendall(json.dumps(request).encode() + b"\n")
        with conn.makefile("rb") as reader:
            assert json.loads(reader.readline())["update"] == "pending"
        conn.sendall(closed_line)
    wait_until(lambda: not pending(daemon))
    (resolved,) = [e["details"] for e in audit(daemon) if e["event"] == "approval.resolved"]
    assert resolved["approval_id"] == first["approval_id"]
    assert (resolved["status"], resolved["channel"]) == ("denied", "terminal")
    assert resolved["agent_call_id"] == "toolu_no"


def test_an_answer_typed_in_the_dialog_is_taken_by_its_shown_prefix(daemon) -> None:
    daemon.start()
    session, token = daemon.session()
    first = ask(daemon, session, token, event(daemon, RISKY))
    thread, lines = in_background(daemon, session, token, event(daemon, RISKY, event="PermissionRequest"))
    wait_until(lambda: lines)  # the dialog's PermissionRequest waits on the approval
    answered = daemon.request("approval.resolve", approval_id=first["approval_id"][:12], outcome="deny",
                              channel="terminal", choice="No", session=session, token=token, by="me")
    assert answered["won"] is True and answered["approval"]["channel"] == "terminal"
    thread.join(15)
    # The dialog already has the human's answer: the hook gives no decision of its own.
    assert lines[-1]["decision"] == "ask"
    late = daemon.cli("approvals", "approve", first["approval_id"])
    assert late.returncode != 0 and "too late" in late.stderr and "terminal" in late.stderr


def test_an_unanswered_dialog_approval_expires_to_the_default(daemon) -> None:
    daemon.write_config('[approvals]\ntimeout_seconds = 1\n')
    daemon.start()
    session, token = daemon.session()
    ask(daemon, session, token, event(daemon, RISKY))
    wait_until(lambda: not pending(daemon), timeout=10)
    assert any(e["event"] == "approval.expired" for e in audit(daemon))


def test_a_headless_run_with_only_the_terminal_is_told_nobody_can_be_asked(daemon) -> None:
    daemon.write_config('[approvals]\nchannels = ["terminal"]\n')
    daemon.start()
    created = daemon.request("session.create", agent="test", cwd=str(daemon.project), command="claude -p",
                             interactive=False)
    answer = ask(daemon, created["session"], created["token"], event(daemon, RISKY))
    assert answer["decision"] == "deny" and answer["rule"] == "aegis.no_channel"
    assert "nobody can be asked" in answer["reason"] and "aegis config set approvals.channels" in answer["reason"]
    assert "has been asked" not in answer["reason"]
    assert pending(daemon) == []


@pytest.mark.parametrize("channels", ['["terminal", "cli"]', '["cli"]'])
def test_without_a_dialog_the_call_waits_on_the_other_channels(daemon, channels: str) -> None:
    daemon.write_config(f"[approvals]\nchannels = {channels}\n")
    daemon.start()
    session, token = daemon.session()
    thread, lines = in_background(daemon, session, token, event(daemon, RISKY, terminal=""))
    listed = wait_until(lambda: pending(daemon))
    daemon.cli("approvals", "approve", listed[0]["id"])
    thread.join(15)
    assert lines[0]["update"] == "pending" and lines[-1]["decision"] == "allow"


TWO_PERSON = """
[policy]
default_action = "allow"

[[policy.rules]]
name = "releases need two people"
action = "require_approval"
quorum = 2
match = { tool = ["Bash"], command_pattern = "^release" }
"""


def _two_person_policy(daemon: Any) -> None:
    policy = daemon.home / "policy.toml"
    policy.write_text(TWO_PERSON)
    policy.chmod(0o600)


def test_a_two_person_rule_is_never_handed_to_the_agents_dialog(daemon) -> None:
    """Whoever sits at the agent's terminal (or the agent, claiming the call ran there)
    is one unnamed person: the dialog is not offered, and the call waits for people."""
    _two_person_policy(daemon)
    daemon.start()  # channels: terminal and cli
    session, token = daemon.session()
    thread, lines = in_background(daemon, session, token, event(daemon, "release 1.0"))
    (listed,) = wait_until(lambda: pending(daemon))
    assert listed["quorum"] == 2
    first = daemon.cli("approvals", "approve", listed["id"])
    assert first.returncode == 0 and "1 of 2" in first.stdout, (first.stdout, first.stderr)
    # the relay's answer "at the keyboard" finds nothing to answer
    at_terminal = daemon.request("approval.resolve", approval_id=listed["id"][:12], outcome="approve",
                                 channel="terminal", choice="Yes", session=session, token=token, by="me")
    assert at_terminal.get("won") is not True, at_terminal
    assert not any(line.get("final") for line in lines), lines
    denied = daemon.cli("approvals", "deny", listed["id"], "--reason", "not alone")
    assert denied.returncode == 0, denied.stderr
    thread.join(15)
    assert lines[-1]["decision"] == "deny" and "not alone" in lines[-1]["reason"]


def test_a_two_person_rule_with_only_the_terminal_to_ask_is_denied_saying_why(daemon) -> None:
    _two_person_policy(daemon)
    daemon.write_config('[approvals]\nchannels = ["terminal"]\n')
    daemon.start()
    session, token = daemon.session()
    answer = ask(daemon, session, token, event(daemon, "release 1.0"))
    assert answer["decision"] == "deny" and "2 different people" in answer["reason"], answer
    assert pending(daemon) == []


def test_an_answer_at_the_cli_is_recorded_under_the_account_not_the_name_it_claims(daemon) -> None:
    import os
    import pwd
    import subprocess
    import sys

    daemon.start()
    session, token = daemon.session()
    thread, lines = in_background(daemon, session, token, event(daemon, RISKY, terminal=""))
    (listed,) = wait_until(lambda: pending(daemon))
    spoofed = {**daemon.env, "USER": "mallory", "LOGNAME": "mallory"}
    approved = subprocess.run([sys.executable, "-m", "aegis_core.cli", "approvals", "approve", listed["id"]],
                              env=spoofed, capture_output=True, text=True, timeout=60)
    assert approved.returncode == 0, approved.stderr
    thread.join(15)
    account = pwd.getpwuid(os.getuid()).pw_name
    (resolved,) = [e["details"] for e in audit(daemon) if e["event"] == "approval.resolved"]
    assert resolved["decided_by"] == account and resolved["channel"] == "cli", resolved
    assert "mallory" not in lines[-1]["reason"]
