"""Authority comes from the socket a request arrives on (docs/protocol.md): the
operator socket serves everything; agent sockets serve only what adapters need,
whatever the process that connects, however it was started."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from aegis_core.daemon.protocol import OPERATIONS
from aegis_core.sockets import client_mac, daemon_proof

CLI_CHANNEL = '[approvals]\nchannels = ["cli"]\ntimeout_seconds = 60\n'
HUMAN_OPERATIONS = sorted(name for name, op in OPERATIONS.items() if not op.agent)


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


def pending_ids(daemon: Any) -> list[str]:
    return [a["id"] for a in json.loads(daemon.cli("approvals", "list", "--json").stdout or "[]")]


def audit_events(daemon: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (daemon.home / "audit.log").read_text().splitlines()]


def status_of(daemon: Any, approval_id: str) -> str:
    return json.loads(daemon.cli("approvals", "show", approval_id, "--json").stdout)["status"]


def test_human_operations_are_refused_on_agent_sockets_and_audited(daemon) -> None:
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    session = daemon.open_session()
    thread, _ = daemon.bash_async("pip install requests", session["session"], session["token"],
                                  via=Path(session["agent_socket"]))
    approval_id = wait_for(lambda: pending_ids(daemon))[0]
    fields = {"approval_id": approval_id, "outcome": "approve", "session": session["session"],
              "token": session["token"], "by": "agent", "channel": "telegram"}
    assert HUMAN_OPERATIONS == ["approval.resolve", "network.endpoint", "reload", "sandbox.restored",
                                "session.create", "session.end", "session.note", "session.resume", "session.watch",
                                "status", "stop"]
    for via in (Path(session["agent_socket"]), daemon.agent_socket):
        for op in HUMAN_OPERATIONS:
            answer = daemon.request(op, via=via, **fields)
            assert answer["ok"] is False and answer["code"] == 6, (via, op, answer)
            assert "operator socket" in answer["error"]
    refused = [e for e in audit_events(daemon) if e["event"] == "request.refused"]
    assert sorted({e["details"]["op"] for e in refused}) == HUMAN_OPERATIONS
    assert len(refused) == 2 * len(HUMAN_OPERATIONS)
    # Nothing happened: the approval waits, the daemon runs, the session is open.
    assert status_of(daemon, approval_id) == "pending"
    assert daemon.request("ping", via=Path(session["agent_socket"]), session=session["session"],
                          token=session["token"])["ok"] is True

    # The same through the CLI, as a program inside the agent runs it.
    inside = {**daemon.env, "AEGIS_SOCKET": session["agent_socket"], "AEGIS_SESSION": session["session"],
              "AEGIS_SESSION_TOKEN": session["token"]}
    for args in (("approvals", "approve", approval_id), ("approvals", "deny", approval_id, "--reason", "x"),
                 ("approvals", "resume", session["session"])):
        result = subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=inside,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 6, (args, result.stdout, result.stderr)
        assert "not served on the agent socket" in result.stderr
    assert status_of(daemon, approval_id) == "pending"

    # On the operator socket, the human's answer lands.
    approved = daemon.cli("approvals", "approve", approval_id)
    assert approved.returncode == 0, approved.stderr
    thread.join(20)
    assert status_of(daemon, approval_id) == "approved"
    assert daemon.request("status")["ok"] is True


def test_a_session_socket_speaks_only_for_its_own_session(daemon) -> None:
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    first, second = daemon.open_session(), daemon.open_session()
    thread, lines = daemon.bash_async("pip install requests", first["session"], first["token"],
                                      via=Path(first["agent_socket"]))
    approval_id = wait_for(lambda: pending_ids(daemon))[0]
    other = Path(second["agent_socket"])

    # The second session's socket cannot withdraw (deny) the first session's approval...
    cancel = daemon.request("approval.cancel", via=other, approval_id=approval_id, session=second["session"],
                            token=second["token"])
    assert cancel["ok"] is False and cancel["code"] == 6
    # ...nor speak for the first session, even with its token...
    impersonate = daemon.request("judge", via=other, adapter="generic", session=first["session"],
                                 token=first["token"], payload={"tool": "Bash", "input": {"command": "ls"}})
    assert impersonate["decision"] == "deny" and impersonate["rule"] == "bad-session"
    # ...nor act without the second session's own token.
    anonymous = daemon.request("judge", via=other, adapter="generic",
                               payload={"tool": "Bash", "input": {"command": "ls"}})
    assert anonymous["decision"] == "deny" and anonymous["rule"] == "bad-session"
    assert status_of(daemon, approval_id) == "pending"

    # Its own socket may withdraw it (the hook was interrupted).
    own = daemon.request("approval.cancel", via=Path(first["agent_socket"]), approval_id=approval_id,
                         session=first["session"], token=first["token"], reason="interrupted")
    assert own["ok"] is True and own["won"] is True
    thread.join(20)
    assert lines[-1]["decision"] == "deny" and "cancelled" in lines[-1]["reason"]


def test_the_session_token_never_travels_to_an_agent_socket(daemon) -> None:
    daemon.start()
    session = daemon.open_session()
    nonce = os.urandom(16).hex()
    answer = daemon.request("judge", via=Path(session["agent_socket"]), adapter="generic",
                            session=session["session"], nonce=nonce, mac=client_mac(session["token"], nonce),
                            payload={"tool": "Bash", "input": {"command": "git status"},
                                     "cwd": str(daemon.project)})
    assert answer["decision"] == "allow"
    assert answer["proof"] == daemon_proof(session["token"], nonce)
    forged = daemon.request("judge", via=Path(session["agent_socket"]), adapter="generic",
                            session=session["session"], nonce=nonce, mac=client_mac("not-the-token", nonce),
                            payload={"tool": "Bash", "input": {"command": "git status"}})
    assert forged["decision"] == "deny" and forged["rule"] == "bad-session"


def test_run_directories_live_and_die_with_their_sessions(daemon) -> None:
    daemon.start()
    stale = daemon.home / "run" / "s-left-by-a-dead-daemon"
    session = daemon.open_session()
    run_dir, agent_socket = Path(session["run_dir"]), Path(session["agent_socket"])
    assert run_dir == daemon.home / "run" / session["session"]
    assert agent_socket == run_dir / "agent.sock" and Path(session["proxy_socket"]) == run_dir / "proxy.sock"
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((daemon.home / "run").stat().st_mode) == 0o700
    assert stat.S_ISSOCK(agent_socket.stat().st_mode) and stat.S_IMODE(agent_socket.stat().st_mode) == 0o600
    assert session["daemon_pid"] == daemon.request("ping")["pid"]

    ended = daemon.request("session.end", session=session["session"], token=session["token"], exit_status=0)
    assert ended["ok"] is True
    assert not run_dir.exists()

    # At stop every run directory goes; at start, those a dead daemon left behind.
    kept = daemon.open_session()
    assert daemon.cli("stop").returncode == 0
    assert not Path(kept["run_dir"]).exists()
    ended_at_stop = [e for e in audit_events(daemon) if e["event"] == "session.ended"
                     and e["session"] == kept["session"]]
    assert ended_at_stop and "stopped" in ended_at_stop[0]["details"]["reason"]
    stale.mkdir(parents=True)
    (stale / "agent.sock").write_text("")
    daemon.start()
    assert not stale.exists()
    started = [e for e in audit_events(daemon) if e["event"] == "daemon.started"][-1]
    assert started["details"]["stale_sessions_removed"] == ["s-left-by-a-dead-daemon"]
    # A session of the previous daemon is over: its token no longer opens anything.
    gone = daemon.request("judge", adapter="generic", session=kept["session"], token=kept["token"],
                          payload={"tool": "Bash", "input": {"command": "ls"}})
    assert gone["decision"] == "deny" and "not open" in gone["reason"]


# The attack 1, as an agent would write it: a helper that detaches (double
# fork, setsid), waits for the approval it needs and approves it through every Aegis
# socket it can reach. Inside the sandbox those are its session's agent socket and
# nothing else; here it is also given the shared agent socket.
HELPER = textwrap.dedent("""
    import json, os, socket, subprocess, sys, time
    id_file, report = sys.argv[1], sys.argv[2]
    if os.fork():
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    while not os.path.exists(id_file):
        time.sleep(0.05)
    approval_id = open(id_file).read().strip()
    results = {}
    cli = subprocess.run([sys.executable, "-m", "aegis_core.cli", "approvals", "approve", approval_id],
                         capture_output=True, text=True)
    results["cli"] = [cli.returncode, cli.stderr.strip()]
    for name in ("AEGIS_SOCKET", "SHARED_SOCKET"):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(os.environ[name])
            sock.sendall(json.dumps({"v": 1, "op": "approval.resolve", "approval_id": approval_id,
                                     "outcome": "approve", "by": "someone", "channel": "telegram",
                                     "session": os.environ["AEGIS_SESSION"],
                                     "token": os.environ["AEGIS_SESSION_TOKEN"]}).encode() + b"\\n")
            results[name] = json.loads(sock.makefile().readline())
    with open(report + ".tmp", "w") as out:
        json.dump(results, out)
    os.rename(report + ".tmp", report)
""")


@pytest.mark.parametrize("launch", ["nohup {python} {helper} {args} &", "setsid -f {python} {helper} {args}"])
def test_a_detached_helper_with_only_agent_sockets_cannot_approve(daemon, tmp_path: Path, launch: str) -> None:
    daemon.write_config(CLI_CHANNEL)
    daemon.start()
    session = daemon.open_session(pid=os.getpid())
    helper, id_file, report = tmp_path / "helper.py", tmp_path / "approval-id", tmp_path / "report.json"
    helper.write_text(HELPER)
    agent_env = {**daemon.env, "AEGIS_SOCKET": session["agent_socket"], "AEGIS_SESSION": session["session"],
                 "AEGIS_SESSION_TOKEN": session["token"], "SHARED_SOCKET": str(daemon.agent_socket)}
    command = launch.format(python=sys.executable, helper=helper, args=f"{id_file} {report}")
    subprocess.run(["bash", "-c", command], env=agent_env, cwd=daemon.project, check=True, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    thread, lines = daemon.bash_async("pip install requests", session["session"], session["token"],
                                      via=Path(session["agent_socket"]))
    approval_id = wait_for(lambda: pending_ids(daemon))[0]
    id_file.write_text(approval_id)
    results = json.loads(wait_for(lambda: report.exists() and report.read_text(), timeout=60))

    assert results["cli"][0] == 6, results["cli"]
    assert "not served on the agent socket" in results["cli"][1]
    for name in ("AEGIS_SOCKET", "SHARED_SOCKET"):
        assert results[name]["ok"] is False and results[name]["code"] == 6, results[name]
    assert status_of(daemon, approval_id) == "pending"
    denied = daemon.cli("approvals", "deny", approval_id, "--reason", "not by a helper")
    assert denied.returncode == 0, denied.stderr
    thread.join(20)
    assert lines[-1]["decision"] == "deny"
    refused = [e["details"] for e in audit_events(daemon) if e["event"] == "request.refused"]
    assert {r["op"] for r in refused} == {"approval.resolve"} and len(refused) == 3
