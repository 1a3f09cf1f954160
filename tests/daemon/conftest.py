"""A real daemon in a temporary AEGIS_HOME, started and stopped through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aegis_core.testing import daemon_stream


def aegis(*args: str, env: dict[str, str] | None = None, input: str | None = None,
          timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], capture_output=True, text=True,
                          env=env, input=input, timeout=timeout)


class Daemon:
    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.env = env
        self.socket = home / "aegis.sock"
        # The agent's work tree: never $AEGIS_HOME, which the policy keeps off limits.
        self.project = home.parent / "project"
        self.project.mkdir(exist_ok=True)

    def cli(self, *args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return aegis(*args, env=self.env, input=input, timeout=timeout)

    def write_config(self, text: str) -> None:
        path = self.home / "config.toml"
        path.write_text(text)
        path.chmod(0o600)

    def start(self) -> subprocess.CompletedProcess[str]:
        result = self.cli("start")
        assert result.returncode == 0, result.stderr
        return result

    def stop(self) -> None:
        self.cli("stop", "--force", "--timeout", "5")

    def request(self, op: str, *, via: Path | None = None, **fields: Any) -> dict[str, Any]:
        return self.stream(op, via=via, **fields)[-1]

    def stream(self, op: str, *, via: Path | None = None, timeout: float = 30,
               **fields: Any) -> list[dict[str, Any]]:
        """Send one request (to the operator socket, or ``via`` another) and return every
        line the daemon sent, the final one last."""
        return daemon_stream(via or self.socket, op, timeout=timeout, **fields)

    @property
    def agent_socket(self) -> Path:
        """The shared agent socket (hooks installed without `aegis wrap`)."""
        return self.home / "agent.sock"

    def open_session(self, **fields: Any) -> dict[str, Any]:
        """session.create on the operator socket: session, token, run_dir, agent_socket..."""
        created = self.request("session.create", **{"agent": "test", "cwd": str(self.project),
                                                    "command": "test", **fields})
        assert created["ok"], created
        return created

    def session(self) -> tuple[str, str]:
        created = self.request("session.create", agent="test", cwd=str(self.home), command="test")
        return created["session"], created["token"]

    def bash(self, command: str, session: str, token: str, cwd: str | None = None) -> dict[str, Any]:
        return self.request("judge", adapter="generic", session=session, token=token,
                            payload=hook_payload(command, cwd or str(self.project)))

    def bash_async(self, command: str, session: str, token: str,
                   via: Path | None = None) -> tuple[threading.Thread, list[Any]]:
        out: list[Any] = []

        def run() -> None:
            out.extend(self.stream("judge", via=via, adapter="generic", session=session, token=token,
                                   payload=hook_payload(command, str(self.project))))

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread, out


def hook_payload(command: str, cwd: str) -> dict[str, Any]:
    return {"tool": "Bash", "input": {"command": command}, "cwd": cwd}


@pytest.fixture
def daemon(aegis_home: Path) -> Iterator[Daemon]:
    # Core tests see no installed plugin: the daemon runs on its built-ins only.
    env = {**os.environ, "AEGIS_HOME": str(aegis_home), "AEGIS_LOAD_PLUGINS": ""}
    instance = Daemon(aegis_home, env)
    yield instance
    instance.stop()
