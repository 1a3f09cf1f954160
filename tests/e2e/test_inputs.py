"""Inputs that used to fail badly, through the real daemon and the real Claude Code hook
client (run as Claude Code runs it: a process reading the hook JSON on stdin): each
gets the right answer with a reason, and an audit record.

- a 5 MB Write inside the project is judged (allowed) and audited with its digest;
- a 10 MB command is judged (never allowed without a human) and audited with its digest;
- a lone surrogate, truncated JSON and wrong types are denied as malformed and audited.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_aegis import AegisHome

pytest.importorskip("aegis_claude_hook")
from aegis_claude_hook.settings import CLIENT

from aegis_core.hookclient import client_argv


@pytest.fixture(scope="module")
def machine() -> Iterator[AegisHome]:
    home = AegisHome("ae2e-in-")
    (home.home / "project").mkdir()
    home.start()
    yield home
    home.close()


def hook(machine: AegisHome, text: str | bytes) -> dict[str, Any]:
    """Run the hook client on ``text`` and return Claude Code's answer."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    done = subprocess.run(client_argv(CLIENT, "PreToolUse", 60), input=data,
                          capture_output=True, env=machine.env, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["hookSpecificOutput"]


def hook_input(machine: AegisHome, tool: str, tool_input: Any, session: str) -> str:
    return json.dumps({"session_id": session, "transcript_path": "/dev/null", "cwd": str(machine.home / "project"),
                       "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input})


def records_of(machine: AegisHome, session: str) -> list[dict[str, Any]]:
    return [e for e in machine.audit_events() if e["session"] == session]


def test_a_5_mb_write_inside_the_project_is_judged_and_audited_with_its_digest(machine: AegisHome) -> None:
    tool_input = {"file_path": str(machine.home / "project" / "data.csv"), "content": "a,b,c\n" * 900_000}
    text = hook_input(machine, "Write", tool_input, "big-write")
    answer = hook(machine, text)
    assert answer["permissionDecision"] == "allow", answer
    [decided] = [e for e in records_of(machine, "big-write") if e["event"] == "call.decided"]
    digest = hashlib.sha256(json.dumps(tool_input, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    assert decided["details"]["input_sha256"] == digest
    assert decided["details"]["input_bytes"] > 5_000_000
    assert len(json.dumps(decided)) < 20_000  # the log keeps a digest, not 5 MB
    machine.verify_audit()


def test_a_10_mb_command_is_judged_never_allowed_and_audited(machine: AegisHome) -> None:
    command = "echo " + "x" * 10_000_000
    answer = hook(machine, hook_input(machine, "Bash", {"command": command}, "big-command"))
    # Too long to judge line by line: it needs a human (the terminal channel: the
    # agent's own prompt), never an allow.
    assert answer["permissionDecision"] in ("ask", "deny"), answer
    assert answer["permissionDecisionReason"]
    events = records_of(machine, "big-command")
    assert any(e["details"].get("input_bytes", 0) > 10_000_000 and e["details"].get("input_sha256")
               for e in events), events
    machine.verify_audit()


@pytest.mark.parametrize(("name", "text", "why"), [
    ("lone-surrogate", '{"session_id": "lone-surrogate", "cwd": "/tmp", "hook_event_name": "PreToolUse", '
                       '"tool_name": "Bash", "tool_input": {"command": "echo \\ud800"}}', "not valid Unicode"),
    ("truncated", '{"session_id": "truncated", "cwd": "/tmp", "hook_event_name": "PreToolUse", '
                  '"tool_name": "Bash", "tool_input": {"comm', "not valid JSON"),
])
def test_unreadable_input_is_denied_with_the_bad_input_message_and_audited(
        machine: AegisHome, name: str, text: str, why: str) -> None:
    answer = hook(machine, text)
    assert answer["permissionDecision"] == "deny"
    assert why in answer["permissionDecisionReason"] and "Traceback" not in answer["permissionDecisionReason"]
    assert "report the problem" not in answer["permissionDecisionReason"]
    malformed = [e for e in machine.audit_events("call.malformed") if name in json.dumps(e)]
    assert malformed, "the malformed call must be in the audit log"
    machine.verify_audit()


@pytest.mark.parametrize(("tool", "tool_input"), [
    ("Read", {"file_path": ["/root/.ssh/id_rsa"]}),
    ("Read", {"file_path": 5}),
    ("Write", {"file_path": None, "content": "x"}),
    ("Edit", {"file_path": {"path": "/etc/passwd"}, "old_string": "a", "new_string": "b"}),
    ("Bash", {"command": ["rm", "-rf", "/"]}),
    ("WebFetch", {"url": 7, "prompt": "x"}),
])
def test_a_wrong_type_never_allows(machine: AegisHome, tool: str, tool_input: dict[str, Any]) -> None:
    session = f"wrong-type-{tool}-{len(machine.audit_events())}"
    answer = hook(machine, hook_input(machine, tool, tool_input, session))
    assert answer["permissionDecision"] == "deny", answer
    assert "must be a string" in answer["permissionDecisionReason"]
    [record] = [e for e in records_of(machine, session) if e["event"] == "call.malformed"]
    assert record["details"]["tool"] == tool and "must be a string" in record["details"]["problem"]


def test_the_audit_log_masks_secret_values_and_keeps_ordinary_words(machine: AegisHome) -> None:
    """Redaction through the real hook client, daemon and `aegis audit show`: a value
    that looks like a secret is masked; words next to "secret" or "token" are not."""
    token = "ghp_" + "Z7q" * 12
    prose = "ask the user for the one non-secret token you need, then the secret key names"
    command = f"echo '{prose}' && echo {token} > /dev/null"
    hook(machine, hook_input(machine, "Bash", {"command": command}, "redaction"))
    shown = machine.cli("audit", "show", "--json", "--session", "redaction")
    assert shown.returncode == 0, shown.stderr
    assert token not in shown.stdout and "ghp_" + "Z7q" not in shown.stdout
    records = [json.loads(line) for line in shown.stdout.splitlines() if line.strip()]
    assert records and any(prose in json.dumps(r["details"]) and "REDACTED" in json.dumps(r["details"])
                           for r in records), records
    machine.verify_audit()
