"""Machines of a test fleet, for Aegis' tests and plugins' alike: daemons with homes
of their own (separate ``AEGIS_HOME``s) sharing one PostgreSQL database (see the
``fleet_database`` fixture), driven through the real CLI and sockets."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from aegis_core.testing import daemon_stream

FLEET_KEY = secrets.token_urlsafe(32)

POLICY = """
[policy]
default_action = "allow"

[[policy.rules]]
name = "deploys need a human"
action = "require_approval"
match = { tool = ["Bash"], command_pattern = "^deploy" }

[[policy.rules]]
name = "production needs two people"
action = "require_approval"
quorum = 2
match = { tool = ["Bash"], command_pattern = "^release" }
"""


class Machine:
    """One machine: ``start()`` runs its daemon and opens a session; ``bash`` asks
    about a shell command through that session; ``cli`` runs ``aegis`` in its home."""

    def __init__(self, root: Path, name: str, url: str, *, extra_config: str = "", fleet_config: str = "",
                 env: dict[str, str] | None = None, load_plugins: str = "", channels: str = '["cli"]') -> None:
        self.name = name
        self.home = root / name / "aegis"
        self.home.mkdir(parents=True, mode=0o700)
        self.project = root / name / "project"
        self.project.mkdir()
        self.socket = self.home / "aegis.sock"
        base = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")}
        self.env = {**base, "AEGIS_HOME": str(self.home), "AEGIS_LOAD_PLUGINS": load_plugins, **(env or {})}
        config = self.home / "config.toml"
        config.write_text(f'[store]\nurl = "{url}"\n\n[fleet]\nmachine = "{name}"\nkey = "{FLEET_KEY}"\n'
                          f'{fleet_config}\n'
                          f'[approvals]\nchannels = {channels}\ntimeout_seconds = 120\n{extra_config}')
        config.chmod(0o600)
        (self.home / "policy.toml").write_text(POLICY)
        (self.home / "policy.toml").chmod(0o600)
        self.session: tuple[str, str] | None = None

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], capture_output=True, text=True,
                              env=self.env, timeout=timeout)

    def start(self) -> None:
        result = self.cli("start")
        assert result.returncode == 0, result.stderr
        created = self.request("session.create", agent="test", cwd=str(self.project), command="test")
        assert created["ok"], created
        self.session = created["session"], created["token"]

    def stop(self) -> None:
        self.cli("stop", "--force", "--timeout", "5")

    def status(self) -> dict[str, Any]:
        return json.loads(self.cli("status", "--json").stdout)

    def pid(self) -> int:
        return int(self.status()["pid"])

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        return daemon_stream(self.socket, op, **fields)[-1]

    def bash(self, command: str) -> dict[str, Any]:
        assert self.session is not None
        session, token = self.session
        return self.request("judge", adapter="generic", session=session, token=token,
                            payload={"tool": "Bash", "input": {"command": command}, "cwd": str(self.project)})

    def bash_async(self, command: str) -> Waiting:
        return Waiting(self, command)


class Waiting:
    """A hook waiting on its answer in a thread: ``approval_id`` once pending, ``answer`` at the end."""

    def __init__(self, machine: Machine, command: str) -> None:
        assert machine.session is not None
        self.lines: list[dict[str, Any]] = []
        session, token = machine.session

        def run() -> None:
            daemon_stream(machine.socket, "judge", timeout=180, into=self.lines, adapter="generic",
                          session=session, token=token,
                          payload={"tool": "Bash", "input": {"command": command}, "cwd": str(machine.project)})

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def approval_id(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if line.get("approval_id") and not line.get("final"):
                    return str(line["approval_id"])
                if line.get("final"):
                    raise AssertionError(f"answered without asking: {line}")
            time.sleep(0.02)
        raise AssertionError("no approval was requested")

    def answer(self, timeout: float = 60) -> dict[str, Any]:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the hook is still waiting"
        return self.lines[-1]

    @property
    def done(self) -> bool:
        return bool(self.lines) and bool(self.lines[-1].get("final"))


def wait_until(predicate: Any, timeout: float = 30, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(every)
