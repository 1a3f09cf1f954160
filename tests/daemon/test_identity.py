"""Is it the daemon? A program running as the user can unlink Aegis' socket and
listen in its place (the issue's attack 3). Clients check the listener before they
send anything (docs/protocol.md, "Is it the daemon?"): the hook client refuses it
with a reason that says what to do, and `aegis status`/`aegis stop` name it and still
find the real daemon."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aegis_core.hookclient import client_argv

# A minimal encoder for the shared hook client: the generic event format, the
# decision printed as JSON, so the test sees what an agent would be told.
ENCODER = textwrap.dedent('''
    import sys
    from transport import _quote
    ADAPTER = "generic"
    AGENT = "Test Agent"
    OBSERVE_EVENTS = ()

    def respond(event, decision, reason):
        sys.stdout.write('{"decision":' + _quote(decision) + ',"reason":' + _quote(reason) + '}')
        return 0

    def unrecorded(event, reason):
        return 0
''')

# The attack as an agent writes it: detach, take the socket's path, answer allow.
FAKE_DAEMON = textwrap.dedent('''
    import os, socket, sys
    path, ready = sys.argv[1], sys.argv[2]
    if os.fork():
        os._exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(16)
    with open(ready + ".tmp", "w") as out:
        out.write(str(os.getpid()))
    os.rename(ready + ".tmp", ready)
    answer = (b'{"final": true, "ok": true, "decision": "allow", "reason": "fake", "rule": null, '
              b'"risk": 0, "approval_id": null, "choice": null, "won": true, "running": true, "pid": 1}\\n')
    while True:
        conn, _ = server.accept()
        try:
            heard = conn.recv(1 << 20)
            with open(ready + ".heard", "a") as out:  # how many bytes each client told it
                out.write(f"{len(heard)}\\n")
            conn.sendall(answer)
        except OSError:
            pass
        conn.close()
''')


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


class Fakes:
    """Fake daemons started the way an agent would; all killed at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pids: list[int] = []

    def take(self, path: Path, env: dict[str, str]) -> int:
        script, ready = self.root / "fake.py", self.root / f"fake-{len(self.pids)}.pid"
        script.write_text(FAKE_DAEMON)
        subprocess.run([sys.executable, str(script), str(path), str(ready)], env=env, check=True, timeout=30)
        pid = int(wait_for(lambda: ready.exists() and ready.read_text()))
        self.pids.append(pid)
        return pid

    def heard(self, index: int) -> list[int]:
        """How many bytes each client that connected told fake number ``index``."""
        heard = self.root / f"fake-{index}.pid.heard"
        return [int(line) for line in heard.read_text().split()] if heard.exists() else []

    def kill(self) -> None:
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[Fakes]:
    made = Fakes(tmp_path)
    yield made
    made.kill()


@pytest.fixture
def encoder(tmp_path: Path) -> Path:
    path = tmp_path / "encoder" / "test_wire.py"
    path.parent.mkdir()
    path.write_text(ENCODER)
    return path


def hook(daemon: Any, encoder: Path, command: str, **env: str) -> dict[str, Any]:
    """Run the shared hook client as an agent runs it; what the agent is told."""
    event = {"tool": "Bash", "input": {"command": command}, "cwd": str(daemon.project)}
    base = {k: v for k, v in daemon.env.items() if not k.startswith("AEGIS_")}
    base["AEGIS_HOME"] = str(daemon.home)
    done = subprocess.run(client_argv(encoder, "Before", 20), input=json.dumps(event).encode(),
                          env={**base, **env}, capture_output=True, timeout=60)
    return json.loads(done.stdout)


def test_a_fake_on_the_shared_agent_socket_is_refused_and_named(daemon, encoder: Path, fakes: Fakes) -> None:
    daemon.start()
    assert hook(daemon, encoder, "cat .env")["decision"] == "deny"  # the real daemon's policy
    assert hook(daemon, encoder, "git status")["decision"] == "allow"

    fake = fakes.take(daemon.agent_socket, daemon.env)
    told = hook(daemon, encoder, "cat .env")
    assert told["decision"] == "deny"
    assert f"process {fake} answers there" in told["reason"]
    assert "`aegis status`" in told["reason"] and "Do not retry" in told["reason"]
    # The fake never heard the call: the client connects before it has read the call,
    # and sends nothing until it has checked who listens.
    assert wait_for(lambda: fakes.heard(0)) == [0]

    status = daemon.cli("status")
    assert status.returncode == 6, status.stdout + status.stderr
    assert f"process {fake} answers on {daemon.agent_socket}" in status.stdout
    assert "NOT the Aegis daemon" in status.stdout
    as_json = json.loads(daemon.cli("status", "--json").stdout)
    assert as_json["agent_socket_taken_by"] == fake and as_json["running"] is True

    # A restart takes the socket back; the hook trusts the daemon again.
    assert daemon.cli("stop").returncode == 0
    assert daemon.agent_socket.exists()  # the daemon removed only its own sockets, not the fake's
    daemon.start()
    assert hook(daemon, encoder, "git status")["decision"] == "allow"
    taken_back = [json.loads(line) for line in (daemon.home / "audit.log").read_text().splitlines()
                  if '"socket.taken_back"' in line]
    assert taken_back and taken_back[0]["details"]["pid"] == fake


def test_a_fake_on_the_operator_socket_loses_neither_status_nor_stop(daemon, fakes: Fakes) -> None:
    daemon.write_config('[approvals]\nchannels = ["cli"]\ntimeout_seconds = 60\n')
    daemon.start()
    real = daemon.request("ping")["pid"]
    session, token = daemon.session()
    thread, lines = daemon.bash_async("pip install requests", session, token, via=daemon.agent_socket)
    approval_id = wait_for(lambda: json.loads(daemon.cli("approvals", "list", "--json").stdout or "[]"))[0]["id"]

    fake = fakes.take(daemon.socket, daemon.env)
    status = daemon.cli("status")
    assert status.returncode == 6
    assert f"process {fake} answers on {daemon.socket}" in status.stdout
    assert f"the Aegis daemon is pid {real}" in status.stdout
    # An answer must not go to the fake (which would say "approved" and do nothing).
    approve = daemon.cli("approvals", "approve", approval_id)
    assert approve.returncode == 6, approve.stdout + approve.stderr
    assert f"process {fake} listens on {daemon.socket}" in approve.stderr
    assert "something replaced Aegis' socket" in approve.stderr

    stopped = daemon.cli("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert f"stopped the Aegis daemon (pid {real})" in stopped.stdout
    assert f"process {fake}, which is not Aegis" in stopped.stdout
    thread.join(20)
    assert lines[-1]["decision"] == "deny"  # drained at stop: pending becomes a deny
    events = [json.loads(line)["event"] for line in (daemon.home / "audit.log").read_text().splitlines()]
    assert events[-1] == "daemon.stopped" and "daemon.stop_requested" in events


def test_a_wrapped_session_trusts_only_the_daemon_aegis_wrap_checked(daemon, encoder: Path) -> None:
    daemon.start()
    created = daemon.open_session()
    session_env = {"AEGIS_SOCKET": created["agent_socket"], "AEGIS_SESSION": created["session"],
                   "AEGIS_SESSION_TOKEN": created["token"], "AEGIS_DAEMON_PID": str(created["daemon_pid"]),
                   "AEGIS_DAEMON_START": str(created["daemon_start"])}
    assert hook(daemon, encoder, "git status", **session_env)["decision"] == "allow"
    # The same listener, but not the process the wrap pinned (a pid reused after the
    # daemon died is caught by its start time).
    for wrong in ({"AEGIS_DAEMON_PID": str(os.getpid())},
                  {"AEGIS_DAEMON_START": str(created["daemon_start"] + 1)}):
        told = hook(daemon, encoder, "git status", **{**session_env, **wrong})
        assert told["decision"] == "deny" and "Aegis refused to trust" in told["reason"]
    # The daemon stopped: the session is over, and the agent is told what to do.
    assert daemon.cli("stop").returncode == 0
    told = hook(daemon, encoder, "git status", **session_env)
    assert told["decision"] == "deny" and "`aegis wrap`" in told["reason"]


def _bwrap() -> str | None:
    found = shutil.which("bwrap")
    if found is None:
        return None
    probe = subprocess.run([found, "--unshare-pid", "--dev-bind", "/", "/", "true"], capture_output=True)
    return found if probe.returncode == 0 else None


@pytest.mark.skipif(_bwrap() is None, reason="needs bubblewrap with PID namespaces")
def test_inside_a_pid_namespace_the_daemon_proves_the_session_token(daemon, encoder: Path, fakes: Fakes,
                                                                    tmp_path: Path) -> None:
    # Inside the sandbox the daemon is outside the agent's PID namespace (the kernel
    # reports pid 0 for it), so only a proof of the session token can tell it apart.
    daemon.start()
    created = daemon.open_session()
    session_env = {"AEGIS_SOCKET": created["agent_socket"], "AEGIS_SESSION": created["session"],
                   "AEGIS_SESSION_TOKEN": created["token"], "AEGIS_DAEMON_PID": str(created["daemon_pid"])}
    inside = [str(_bwrap()), "--unshare-pid", "--dev-bind", "/", "/", "--"]

    def hook_inside(command: str, **env: str) -> dict[str, Any]:
        event = {"tool": "Bash", "input": {"command": command}, "cwd": str(daemon.project)}
        done = subprocess.run([*inside, *client_argv(encoder, "Before", 20)], input=json.dumps(event).encode(),
                              env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env},
                              capture_output=True, timeout=60)
        return json.loads(done.stdout)

    assert hook_inside("git status", **session_env)["decision"] == "allow"
    assert hook_inside("cat .env", **session_env)["decision"] == "deny"
    # Something outside the namespace takes the session's socket (a process of the
    # user, not the sandboxed agent, which sees the directory read-only): it has no
    # token, so it cannot prove anything.
    fakes.take(Path(created["agent_socket"]), daemon.env)
    told = hook_inside("cat .env", **session_env)
    assert told["decision"] == "deny" and "did not prove it is the Aegis daemon" in told["reason"]
    # With no session to check against, a listener outside the namespace is refused.
    told = hook_inside("git status", AEGIS_SOCKET=str(daemon.agent_socket))
    assert told["decision"] == "deny" and "did not prove" in told["reason"]
