"""The daemon as users and adapters meet it: a real process on a real socket, driven
through the real CLI and the documented protocol."""

from __future__ import annotations

import json
import os
import socket
import stat
import time
from pathlib import Path
from typing import Any

CLI_CHANNEL = '[approvals]\nchannels = ["cli"]\ntimeout_seconds = 30\n'


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


def pending_id(daemon: Any) -> str:
    def find() -> str | None:
        listed = json.loads(daemon.cli("approvals", "list", "--json").stdout or "[]")
        return listed[0]["id"] if listed else None

    return wait_for(find)


def test_start_status_stop_lifecycle(daemon) -> None:
    first = daemon.start()
    assert "started" in first.stdout
    assert stat.S_IMODE(daemon.socket.stat().st_mode) == 0o600
    assert stat.S_IMODE(daemon.home.stat().st_mode) == 0o700

    again = daemon.cli("start")
    assert again.returncode == 0 and "already running" in again.stdout

    status = daemon.cli("status", "--json")
    assert status.returncode == 0
    info = json.loads(status.stdout)
    assert info["running"] is True and info["pid"] > 0
    assert list(info["channels"]) == ["terminal", "cli"]  # the keyboard and any terminal

    stopped = daemon.cli("stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert not daemon.socket.exists()
    after = daemon.cli("status", "--json")
    assert after.returncode == 3
    assert json.loads(after.stdout)["running"] is False


def test_stale_pid_and_socket_are_cleaned_up(daemon) -> None:
    (daemon.home / "aegis.pid").write_text("999999\n")
    leftover = socket.socket(socket.AF_UNIX)
    leftover.bind(str(daemon.socket))
    leftover.close()  # a socket file nobody listens on any more
    status = json.loads(daemon.cli("status", "--json").stdout)
    assert status["running"] is False and len(status["stale_files"]) == 2
    daemon.start()
    assert daemon.request("ping")["ok"] is True


def test_routine_call_allowed_and_destructive_denied(daemon) -> None:
    daemon.start()
    session, token = daemon.session()
    allowed = daemon.bash("git status", session, token)
    assert allowed["decision"] == "allow"
    denied = daemon.bash("rm -rf /", session, token)
    assert denied["decision"] == "deny"
    assert "Aegis" in denied["reason"] and denied["rule"]


def test_wrong_session_token_is_refused(daemon) -> None:
    daemon.start()
    session, _token = daemon.session()
    answer = daemon.bash("git status", session, "not-the-token")
    assert answer["decision"] == "deny" and answer["rule"] == "bad-session"


def test_a_call_without_a_dialog_waits_on_the_cli_by_default(daemon) -> None:
    daemon.start()
    session, token = daemon.session()
    thread, lines = daemon.bash_async("pip install requests", session, token)
    daemon.cli("approvals", "deny", pending_id(daemon), "--reason", "no")
    thread.join(15)
    assert lines[0]["update"] == "pending" and lines[-1]["decision"] == "deny"


def test_cli_channel_approve_and_deny(daemon) -> None:
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    session, token = daemon.session()

    thread, lines = daemon.bash_async("pip install requests", session, token)
    approved = daemon.cli("approvals", "approve", pending_id(daemon))
    assert approved.returncode == 0, approved.stderr
    thread.join(15)
    assert lines[0]["update"] == "pending"
    assert lines[-1]["decision"] == "allow"

    thread, lines = daemon.bash_async("npm install -g left-pad", session, token)
    denied = daemon.cli("approvals", "deny", pending_id(daemon), "--reason", "not today")
    assert denied.returncode == 0, denied.stderr
    thread.join(15)
    assert lines[-1]["decision"] == "deny" and "not today" in lines[-1]["reason"]

    # watch offers each new approval and answers it through the daemon too
    thread, lines = daemon.bash_async("cargo install ripgrep", session, token)
    pending_id(daemon)
    watched = daemon.cli("approvals", "watch", "--once", input="d\nnot that either\n")
    assert watched.returncode == 0, watched.stderr
    thread.join(15)
    assert lines[-1]["decision"] == "deny" and "not that either" in lines[-1]["reason"]
    resolved = [json.loads(line) for line in (daemon.home / "audit.log").read_text().splitlines()
                if '"approval.resolved"' in line]
    assert [r["details"]["status"] for r in resolved] == ["approved", "denied", "denied"]
    assert {r["details"]["channel"] for r in resolved} == {"cli"}


def test_unanswered_approval_expires_to_deny(daemon) -> None:
    daemon.write_config('[approvals]\nchannels = ["cli"]\ntimeout_seconds = 1\n')
    daemon.start()
    session, token = daemon.session()
    answer = daemon.bash("pip install requests", session, token)
    assert answer["decision"] == "deny" and "Nobody answered" in answer["reason"]
    history = json.loads(daemon.cli("approvals", "list", "--all", "--json").stdout)
    assert history[0]["status"] == "expired"


def test_hanging_up_cancels_the_approval(daemon) -> None:
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    session, token = daemon.session()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(daemon.socket))
        payload = {"tool": "Bash", "input": {"command": "pip install requests"}, "cwd": "/tmp"}
        sock.sendall(json.dumps({"v": 1, "op": "judge", "adapter": "generic", "session": session,
                                 "token": token, "payload": payload}).encode() + b"\n")
        assert json.loads(sock.makefile().readline())["update"] == "pending"
    listed = wait_for(lambda: [a for a in json.loads(daemon.cli("approvals", "list", "--all", "--json").stdout)
                               if a["status"] == "cancelled"])
    assert listed[0]["summary"] == "pip install requests"


def test_hanging_up_before_the_approval_is_asked_still_cancels_it(daemon) -> None:
    # The client is gone before the daemon has even created the approval: nobody waits
    # for it, so it must not stay pending until its deadline.
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    session, token = daemon.session()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(daemon.socket))
        payload = {"tool": "Bash", "input": {"command": "pip install left-pad"}, "cwd": "/tmp"}
        sock.sendall(json.dumps({"v": 1, "op": "judge", "adapter": "generic", "session": session,
                                 "token": token, "payload": payload}).encode() + b"\n")
    listed = wait_for(lambda: [a for a in json.loads(daemon.cli("approvals", "list", "--all", "--json").stdout)
                               if a["status"] == "cancelled"])
    assert listed[0]["summary"] == "pip install left-pad"
    assert json.loads(daemon.cli("approvals", "list", "--json").stdout) == []  # nothing left pending


def test_stop_drains_pending_approvals_to_deny(daemon) -> None:
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    session, token = daemon.session()
    thread, lines = daemon.bash_async("pip install requests", session, token)
    pending_id(daemon)
    assert daemon.cli("stop", "--timeout", "10").returncode == 0
    thread.join(15)
    assert lines[-1]["decision"] == "deny"


def test_circuit_breaker_pauses_until_resumed(daemon) -> None:
    daemon.write_config("[approvals]\nmax_consecutive_denies = 3\n")
    daemon.start()
    session, token = daemon.session()
    for _ in range(3):
        assert daemon.bash("rm -rf /", session, token)["decision"] == "deny"
    paused = daemon.bash("git status", session, token)
    assert paused["decision"] == "deny" and paused["rule"] == "aegis.circuit_breaker"
    assert f"aegis approvals resume {session}" in paused["reason"]
    assert daemon.cli("approvals", "resume", session).returncode == 0
    assert daemon.bash("git status", session, token)["decision"] == "allow"


def test_connection_from_another_user_is_refused(daemon) -> None:
    if os.getuid() != 0:
        import pytest

        pytest.skip("needs root to connect as another user")
    # Put the socket where another user can reach it and take the first wall (the
    # 0600 socket in a 0700 directory) down, to test the second: the peer check.
    import uuid

    daemon.socket = Path(f"/tmp/aegis-peer-test-{uuid.uuid4().hex[:8]}.sock")
    daemon.env["AEGIS_DAEMON_SOCKET"] = str(daemon.socket)
    daemon.start()
    daemon.socket.chmod(0o666)
    script = ("import json,os,socket;os.setgid(65534);os.setuid(65534);"
              f"s=socket.socket(socket.AF_UNIX);s.connect({str(daemon.socket)!r});"
              "s.sendall(b'{\"v\":1,\"op\":\"ping\"}\\n');print(s.makefile().readline())")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["ok"] is False and answer["code"] == 6
    assert "connection.refused" in (daemon.home / "audit.log").read_text()


def test_start_refuses_an_invalid_policy_before_starting(daemon) -> None:
    (daemon.home / "policy.toml").write_text("[policy\n")
    result = daemon.cli("start")
    assert result.returncode == 2, result.stderr
    assert "policy.toml:1" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (daemon.home / "aegis.sock").exists()


def test_start_failure_reports_the_log(daemon) -> None:
    # A failure only the daemon process meets (its database path is a folder) is
    # reported with the last lines of its log.
    (daemon.home / "aegis.db").mkdir()
    result = daemon.cli("start")
    assert result.returncode != 0
    assert "did not come up" in result.stderr and "aegis.db" in result.stderr


def test_every_step_is_audited_and_chain_verifies(daemon) -> None:
    daemon.start()
    session, token = daemon.session()
    daemon.bash("git status", session, token)
    daemon.bash("rm -rf /", session, token)
    stopped = daemon.cli("stop")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    events = [json.loads(line)["event"] for line in (daemon.home / "audit.log").read_text().splitlines()]
    for expected in ("daemon.started", "session.created", "call.decided", "daemon.stopped"):
        assert expected in events
    verify = daemon.cli("audit", "verify", "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_malformed_requests_get_explicit_errors(daemon) -> None:
    daemon.start()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(daemon.socket))
        sock.sendall(b"this is not json\n")
        answer = json.loads(sock.makefile().readline())
    assert answer["ok"] is False and "JSON" in answer["error"]
    bad = daemon.request("judge", adapter="generic", payload={"tool": 5})
    assert bad["decision"] == "deny" and bad["rule"] == "malformed-call"
    assert daemon.request("nonsense")["ok"] is False
    assert Path(daemon.socket).exists()  # the daemon survived all of it


def test_unknown_channel_is_a_config_error_named_in_the_start_failure(daemon) -> None:
    daemon.write_config('[approvals]\nchannels = ["carrier-pigeon"]\n')
    result = daemon.cli("start")
    assert result.returncode == 1
    assert "carrier-pigeon" in result.stderr and "aegis plugins list" in result.stderr
