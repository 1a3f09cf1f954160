"""A real Aegis home for end-to-end tests: a short temporary directory (Unix socket
paths stay under 108 bytes), the real CLI run as a subprocess, the daemon's socket
spoken to directly, and a cleanup that stops the daemon even when a test failed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aegis_core.daemon.process import pid_locked
from aegis_core.testing import daemon_stream

WAIT = 60.0  # seconds before a wait is declared failed (a hang guard, not a timing assertion)


class AegisHome:
    """One user's machine in miniature: ``root/home`` is HOME, ``root/ah`` AEGIS_HOME."""

    def __init__(self, prefix: str = "ae2e-") -> None:
        self.root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
        self.home = self.root / "home"
        self.aegis_home = self.root / "ah"
        for path in (self.home, self.aegis_home):
            path.mkdir(mode=0o700)
        # Nothing of the developer's own Aegis setup may leak in (AEGIS_SOCKET above all).
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")}
        self.env.update({"HOME": str(self.home), "AEGIS_HOME": str(self.aegis_home)})

    @property
    def socket(self) -> Path:
        return self.aegis_home / "aegis.sock"

    @property
    def cli_argv(self) -> list[str]:
        return [sys.executable, "-m", "aegis_core.cli"]

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.cli_argv, *args], env=self.env, text=True, capture_output=True, timeout=timeout, cwd=self.root
        )

    def cli_with(self, env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """The CLI with extra environment variables (e.g. AEGIS_SOCKET)."""
        return subprocess.run([*self.cli_argv, *args], env={**self.env, **env}, text=True, capture_output=True,
                              timeout=timeout, cwd=self.root)

    def configure(self, config: str | None = None, policy: str | None = None) -> None:
        for name, content in (("config.toml", config), ("policy.toml", policy)):
            if content is not None:
                path = self.aegis_home / name
                path.write_text(content)
                path.chmod(0o600)

    def start(self) -> None:
        started = self.cli("start")
        assert started.returncode == 0, started.stdout + started.stderr

    def status(self) -> dict[str, Any]:
        result = self.cli("status", "--json")
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)

    def close(self) -> None:
        """Stop the daemon (politely, then by its pid) and remove the directory."""
        try:
            self.cli("stop", "--force", "--timeout", "5", timeout=30)
        except subprocess.TimeoutExpired:
            pass
        pid_file = self.aegis_home / "aegis.pid"
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            pid = None
        # Only a daemon that still holds its pid file's lock is ours to kill.
        if pid is not None and pid_locked(pid_file) and _alive(pid):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- the socket, as an adapter speaks it (docs/protocol.md) -----------------------

    def stream(
        self, op: str, *, timeout: float = WAIT, into: list[dict[str, Any]] | None = None, **fields: Any
    ) -> list[dict[str, Any]]:
        """Send one request; every line the daemon sent, the final one last (appended
        to ``into`` as each arrives, for a caller watching from another thread)."""
        return daemon_stream(self.socket, op, timeout=timeout, into=into, **fields)

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        return self.stream(op, **fields)[-1]

    # -- what the daemon wrote -----------------------------------------------------------

    def audit_events(self, name: str | None = None) -> list[dict[str, Any]]:
        log = self.aegis_home / "audit.log"
        events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return [e for e in events if name is None or e["event"] == name]

    def pending(self) -> list[dict[str, Any]]:
        listed = self.cli("approvals", "list", "--json")
        assert listed.returncode == 0, listed.stdout + listed.stderr
        return json.loads(listed.stdout or "[]")

    def wait_for_pending(self, timeout: float = WAIT) -> dict[str, Any]:
        """The first pending approval, once there is one."""
        return wait_until(lambda: next(iter(self.pending()), None), timeout, "no approval became pending")

    def verify_audit(self) -> None:
        verify = self.cli("audit", "verify", "--json")
        assert verify.returncode == 0, verify.stdout + verify.stderr


def wait_until(condition: Callable[[], Any], timeout: float = WAIT, what: str = "condition not met") -> Any:
    """Poll ``condition`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:g} s")
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
