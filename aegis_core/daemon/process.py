"""Starting, finding and stopping the daemon process: the pid file (held under an
exclusive lock for the daemon's life, so a stale one is recognisable), the detached
start that returns only once the socket answers, and a draining stop."""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from aegis_core.config import Config, ensure_home
from aegis_core.errors import AegisEnvironmentError, AegisError

START_TIMEOUT = 15.0


@dataclass(frozen=True)
class DaemonState:
    running: bool
    pid: int | None
    stale: list[str]
    info: dict[str, Any] | None = None


def paths(config: Config) -> tuple[Path, Path, Path]:
    from aegis_core.client import daemon_socket

    return config.home / "aegis.pid", daemon_socket(config), config.home / "aegis.log"


def ping(sock: Path, timeout: float = 2.0) -> dict[str, Any] | None:
    """The daemon's status if it answers on ``sock``, else None."""
    from aegis_core.client import request

    try:
        return request("status", socket=sock, timeout=timeout)
    except AegisError:
        return None


def pid_locked(pid_file: Path) -> bool:
    """Whether a live daemon holds the pid file's lock."""
    try:
        fd = os.open(pid_file, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def read_pid(pid_file: Path) -> int | None:
    with suppress(OSError, ValueError):
        return int(pid_file.read_text().strip())
    return None


def inspect(config: Config) -> DaemonState:
    pid_file, sock, _ = paths(config)
    info = ping(sock) if sock.exists() else None
    pid = read_pid(pid_file)
    if info is not None:
        return DaemonState(True, int(info.get("pid") or pid or 0) or None, [], info)
    stale = []
    if pid_file.exists() and not pid_locked(pid_file):
        stale.append(str(pid_file))
    if sock.exists():
        stale.append(str(sock))
    return DaemonState(False, pid, stale)


def clean_stale(state: DaemonState) -> list[str]:
    removed = []
    for name in state.stale:
        with suppress(FileNotFoundError):
            os.unlink(name)
            removed.append(name)
    return removed


class PidFile:
    """Created and locked by the daemon itself; released by the OS when it dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise AegisEnvironmentError(
                f"another Aegis daemon is running (pid {read_pid(self.path)})",
                hint="stop it with: aegis stop") from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            with suppress(FileNotFoundError):
                self.path.unlink()
            os.close(self.fd)
            self.fd = None


def run_foreground(config: Config, *, log_stream: TextIO | None = None) -> None:
    """Run the daemon in this process until SIGTERM/SIGINT."""
    import anyio

    from aegis_core.daemon.server import Daemon
    from aegis_core.logconfig import configure_logging

    ensure_home(config.home)
    configure_logging(str(config.get("logging", "level", "INFO")),
                      fmt=None if log_stream is None else "json", stream=log_stream)
    pid_file, _, _ = paths(config)
    state = inspect(config)
    if state.running:
        raise AegisEnvironmentError(f"the Aegis daemon is already running (pid {state.pid})",
                                    hint="stop it with: aegis stop")
    clean_stale(state)
    lock = PidFile(pid_file)
    lock.acquire()
    try:
        daemon = Daemon(config)
        anyio.run(daemon.serve)
    finally:
        lock.release()


def start_background(config: Config, *, timeout: float = START_TIMEOUT,
                     extra_env: dict[str, str] | None = None) -> DaemonState:
    """Spawn a detached daemon and return once its socket answers."""
    ensure_home(config.home)
    state = inspect(config)
    if state.running:
        return state
    clean_stale(state)
    _, sock, log_file = paths(config)
    env = {**os.environ, "AEGIS_HOME": str(config.home), **(extra_env or {})}
    log_fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    offset = os.lseek(log_fd, 0, os.SEEK_END)
    try:
        import subprocess  # here, not at the top: `aegis status` never starts anything

        process = subprocess.Popen(
            [sys.executable, "-m", "aegis_core.daemon", "--log-file", str(log_file)],
            stdin=subprocess.DEVNULL, stdout=log_fd, stderr=log_fd, env=env,
            start_new_session=True, close_fds=True,
        )
    finally:
        os.close(log_fd)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        info = ping(sock, timeout=1.0) if sock.exists() else None
        if info is not None:
            return DaemonState(True, info.get("pid"), [], info)
        time.sleep(0.05)
    if process.poll() is None:
        process.terminate()
    raise AegisError(
        f"the Aegis daemon did not come up (exit status {process.poll()}); its log said:\n"
        + _tail(log_file, offset),
        hint="fix the problem above, or run `aegis start --foreground` to watch it start",
    )


def _tail(log_file: Path, offset: int, lines: int = 15) -> str:
    with suppress(OSError), open(log_file, "rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8", "replace").strip().splitlines()
        return "\n".join(text[-lines:]) or "(nothing)"
    return "(no log)"


def stop(config: Config, *, timeout: float = 10.0, force: bool = False) -> tuple[bool, str]:
    """Ask the daemon to drain and exit; with ``force``, kill it if it does not in time."""
    state = inspect(config)
    pid = state.pid
    if not state.running:
        removed = clean_stale(state)
        if pid and state.stale and force:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return False, "the Aegis daemon is not running" + (f" (removed stale {', '.join(removed)})" if removed else "")
    assert pid is not None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        from aegis_core.daemon.peers import alive

        if not alive(pid):
            return True, f"stopped the Aegis daemon (pid {pid})"
        time.sleep(0.05)
    if not force:
        raise AegisEnvironmentError(f"the Aegis daemon (pid {pid}) did not stop within {timeout:g} s",
                                    hint="use: aegis stop --force")
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    clean_stale(inspect(config))
    return True, f"killed the Aegis daemon (pid {pid}) after {timeout:g} s"
