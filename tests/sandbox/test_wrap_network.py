"""Network through Aegis, end to end under `aegis wrap` (the PTY adapter around a plain
program, the real bubblewrap sandbox, a real daemon), as root and as an ordinary user:
a script the agent runs connects to an HTTP server on the host's loopback (an
ephemeral port no manifest names). An approval request of kind network appears;
approving lets the request through, denying returns the proxy's error; a host in
network.allow passes unasked; every connection is audited."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sandbox_support import Machine, as_uid, identities, needs_bwrap, uid_for, user_python

pytest.importorskip("aegis_pty")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "network"))
from network_support import package_index  # the network tests' package index

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

WAIT = 90.0  # a hang guard, not a timing assertion

FETCH = """
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=80) as r:
        print("STATUS", r.status, r.read().decode().strip())
except urllib.error.HTTPError as exc:
    print("STATUS", exc.code, exc.reason)
    print(exc.read().decode())
"""


class Origin:
    def __init__(self) -> None:
        self.paths: list[str] = []
        seen = self.paths

        class Hello(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                body = b"hello from outside\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class World:
    def __init__(self, uid: int) -> None:
        self.machine = Machine(uid)
        self.python, extra = user_python(uid)
        self.env = {**self.machine.env, **extra, "TERM": "dumb"}
        self.origin = Origin()

    def aegis(self, *args: str, timeout: float = WAIT) -> subprocess.CompletedProcess[str]:
        argv = as_uid(self.machine.uid, [*self.python, "-m", "aegis_core.cli", *args])
        return subprocess.run(argv, env=self.env, cwd=self.machine.project, text=True, capture_output=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def policy(self, text: str) -> None:
        path = self.machine.aegis_home / "policy.toml"
        path.write_text(text)
        path.chmod(0o600)
        self.machine.chown()

    def fetch_wrapped(self, path: str, answer: str | None = None) -> subprocess.CompletedProcess[str]:
        """`aegis wrap -- python3 -c FETCH URL`; a human answers the first network
        approval with `aegis approvals <answer>` from outside, if asked to."""
        script = self.machine.project / "fetch.py"
        script.write_text(FETCH)
        self.machine.chown()
        started = self.aegis("start")
        assert started.returncode == 0, started.stderr
        answering = threading.Thread(target=self._answer, args=(answer,), daemon=True) if answer else None
        if answering:
            answering.start()
        # The system interpreter: a version manager's shim in the home may not work inside.
        done = self.aegis("wrap", "--", "/usr/bin/python3", str(script), f"http://127.0.0.1:{self.origin.port}{path}")
        if answering:
            answering.join(WAIT)
        return done

    def _answer(self, verb: str) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            listed = self.aegis("approvals", "list", "--json")
            pending = json.loads(listed.stdout or "[]") if listed.returncode == 0 else []
            if pending:
                self.aegis("approvals", verb, pending[0]["id"])
                return
            time.sleep(0.2)

    def audit(self, event: str) -> list[dict[str, Any]]:
        log = self.machine.aegis_home / "audit.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [r for r in map(json.loads, lines) if r["event"] == event]

    def close(self) -> None:
        self.aegis("stop", "--force", "--timeout", "5", timeout=60)
        self.origin.close()
        self.machine.close()


@pytest.fixture(params=identities())
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    needs_bwrap()
    made = World(uid_for(request.param))
    yield made
    made.close()


def test_an_unlisted_host_waits_for_a_human_and_passes_when_approved(world: World) -> None:
    done = world.fetch_wrapped("/approved", answer="approve")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "STATUS 200 hello from outside" in done.stdout, done.stdout + done.stderr
    (requested,) = world.audit("approval.requested")
    assert requested["details"]["tool"] == "network"
    assert requested["details"]["summary"] == f"the agent wants to reach 127.0.0.1:{world.origin.port}"
    (connection,) = [c["details"] for c in world.audit("network.connection")
                     if c["details"]["port"] == world.origin.port]
    assert connection["decision"] == "allow" and connection["approval_id"] == requested["details"]["approval_id"]
    assert connection["bytes_in"] > 0 and world.origin.paths == ["/approved"]
    assert world.aegis("audit", "verify").returncode == 0


def test_a_denied_host_gets_the_proxys_error(world: World) -> None:
    done = world.fetch_wrapped("/denied", answer="deny")
    assert "STATUS 403" in done.stdout, done.stdout + done.stderr
    assert "Aegis blocked the connection" in done.stdout and "ask the user" in done.stdout
    assert world.origin.paths == []
    (connection,) = world.audit("network.connection")
    assert connection["details"]["decision"] == "deny"


def test_a_host_in_network_allow_passes_without_a_question(world: World) -> None:
    world.policy('[policy]\ninclude_defaults = true\n\n[sandbox.network]\n'
                 f'allow = ["127.0.0.1:{world.origin.port}"]\n')
    done = world.fetch_wrapped("/listed")
    assert "STATUS 200 hello from outside" in done.stdout, done.stdout + done.stderr
    assert world.audit("approval.requested") == []
    (connection,) = world.audit("network.connection")
    assert connection["details"]["rule"] == "network.allow"


def test_pip_installs_into_a_project_venv_from_an_allowed_index(world: World, tmp_path: Path) -> None:
    """Routine work: a venv in the project and `pip install` from an index the manifest
    allows (on the host's loopback), through the egress proxy, no human asked."""
    # This test's interpreter (its venv module has pip), shown inside as a user shows
    # one that lives outside the system folders (pyenv in root's home): fs.read.
    python = os.path.realpath(getattr(sys, "_base_executable", sys.executable)) \
        if world.python == [sys.executable] else world.python[0]
    prefix = os.path.realpath(sys.base_prefix) if world.python == [sys.executable] else "/usr"
    with package_index(tmp_path / "index") as (port, _):
        world.policy(f'[policy]\ninclude_defaults = true\n\n[sandbox.fs]\nread = ["{prefix}"]\n\n'
                     f'[sandbox.network]\nallow = ["127.0.0.1:{port}"]\n')
        world.env.update({"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
        assert world.aegis("start").returncode == 0
        script = (f"{python} -m venv .venv && .venv/bin/pip install -q --index-url http://127.0.0.1:{port}/simple/ "
                  "--trusted-host 127.0.0.1 aegis-demo-pkg && "
                  ".venv/bin/python -c 'import aegis_demo_pkg; print(aegis_demo_pkg.GREETING)'")
        done = world.aegis("wrap", "--", "bash", "-c", script, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installed through Aegis" in done.stdout and "UNSANDBOXED" not in done.stderr
    assert (world.machine.project / ".venv" / "lib").is_dir()
    assert world.audit("approval.requested") == []
    connections = [c["details"] for c in world.audit("network.connection")]
    assert connections and all(c["port"] == port and c["rule"] == "network.allow" for c in connections)
    (created,) = world.audit("session.created")
    assert created["details"]["sandbox"]["sandboxed"] is True
