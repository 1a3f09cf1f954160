"""Starting, finding and stopping the daemon process: the pid file (held under an
exclusive lock for the daemon's life, so a stale one is recognisable, and whoever
holds the lock *is* the daemon), the detached start that returns only once the
socket answers, and a draining stop. A socket answered by anything but the lock's
holder is reported, never trusted."""

from __future__ import annotations

import fcntl
import os
import sys
import time

from aegis_core.errors import AegisEnvironmentError, AegisError
from aegis_core.frozen import Frozen

# Not `from typing import TYPE_CHECKING`: loading typing costs the quick commands
# (aegis status, aegis approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TextIO

    from aegis_core.config import Config

START_TIMEOUT = 15.0


class DaemonState(Frozen):
    """``running``: a daemon holds the pid file's lock (``pid``). ``info``: its status,
    when its operator socket answered. ``impostor``: the pid of something else
    answering on that socket."""

    __match_args__ = ("running", "pid", "stale", "info", "impostor", "socket")
    __slots__ = __match_args__
    running: bool
    pid: int | None
    stale: list[str]
    info: dict[str, Any] | None
    impostor: int | None
    socket: str

    def __init__(self, running: bool, pid: int | None, stale: list[str], info: dict[str, Any] | None = None,
                 impostor: int | None = None, socket: str = "") -> None:
        self._set(running, pid, stale, info, impostor, socket)


def paths(config: Config) -> tuple[Path, Path, Path]:
    from aegis_core.sockets import operator_socket

    return config.home / "aegis.pid", operator_socket(config), config.home / "aegis.log"


def pid_file_name(config: Config) -> str:
    """``paths(config)[0]`` as a string (the quick ``aegis status`` builds no Path)."""
    return config.home_dir + "/aegis.pid"


def ping(sock: Path, pid_file: Path, timeout: float = 2.0) -> dict[str, Any] | None:
    """The daemon's status if the daemon answers on ``sock``, else None."""
    from aegis_core.client import Identity, request

    try:
        return request("status", socket=sock, timeout=timeout,
                       identity=Identity(daemon_pid(pid_file), source=str(pid_file)))
    except AegisError:
        return None


def lock_holder(path: str | os.PathLike[str]) -> int | None:
    """The pid holding a ``flock`` on ``path`` (None: nobody), from ``/proc/locks``.
    Raises OSError where that file cannot be read."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    device = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    with open("/proc/locks") as locks:
        for line in locks:
            # "1: FLOCK  ADVISORY  WRITE 1234 fe:00:5678 0 EOF" ("->" marks a waiter)
            fields = line.split()
            if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == device and fields[4].isdigit():
                return int(fields[4])
    return None


def listener_pid(path: str | os.PathLike[str]) -> int | None:
    """The pid of the process that bound the socket at ``path`` (None: nothing
    listens). Connects and hangs up without a request."""
    from aegis_core.sockets import connect, peer_credentials

    try:
        sock = connect(path, 2.0)
    except OSError:
        return None
    try:
        credentials = peer_credentials(sock)
    except OSError:
        return None
    finally:
        sock.close()
    return credentials[0] if credentials else None


def daemon_pid(pid_file: str | os.PathLike[str]) -> int | None:
    """The running daemon's pid: the holder of the pid file's lock (None: none runs).
    The file's content is only a fallback where ``/proc/locks`` is unreadable."""
    try:
        holder = lock_holder(pid_file)
    except OSError:
        return read_pid(pid_file) if pid_locked(pid_file) else None
    return holder if holder and alive(holder) else None


def pid_locked(pid_file: str | os.PathLike[str]) -> bool:
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


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, e.g. a test's finished child, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def read_pid(pid_file: str | os.PathLike[str]) -> int | None:
    try:
        with open(pid_file) as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def inspect(config: Config) -> DaemonState:
    from aegis_core.sockets import operator_socket_name

    # Strings, not paths(): `aegis status` runs this without loading pathlib.
    pid_file, sock = pid_file_name(config), operator_socket_name(config)
    pid = daemon_pid(pid_file)
    info, impostor = None, None
    if os.path.exists(sock):
        from aegis_core.client import Identity, NotTheDaemon, request

        try:
            info = request("status", socket=sock, timeout=2.0, identity=Identity(pid, source=pid_file))
        except NotTheDaemon as exc:
            impostor = exc.listener
        except AegisError:
            info = None
    stale = []
    if pid is None:
        if os.path.exists(pid_file):
            stale.append(pid_file)
        if os.path.exists(sock):
            stale.append(sock)
    return DaemonState(pid is not None, pid, stale, info, impostor, sock)


def clean_stale(state: DaemonState) -> list[str]:
    from contextlib import suppress

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
        from contextlib import suppress

        if self.fd is not None:
            with suppress(FileNotFoundError):
                self.path.unlink()
            os.close(self.fd)
            self.fd = None


def run_foreground(config: Config, *, log_stream: TextIO | None = None) -> None:
    """Run the daemon in this process until SIGTERM/SIGINT."""
    import anyio

    from aegis_core.config import ensure_home
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
    from aegis_core.config import ensure_home

    ensure_home(config.home)
    state = inspect(config)
    if state.running:
        if state.impostor is not None:
            raise taken_over(state)
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
    pid_file = config.home / "aegis.pid"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        info = ping(sock, pid_file, timeout=1.0) if sock.exists() else None
        if info is not None:
            return DaemonState(True, info.get("pid"), [], info, socket=str(sock))
        time.sleep(0.05)
    if process.poll() is None:
        process.terminate()
    raise AegisError(
        f"the Aegis daemon did not come up (exit status {process.poll()}); its log said:\n"
        + _tail(log_file, offset),
        hint="fix the problem above, or run `aegis start --foreground` to watch it start",
    )


def _tail(log_file: Path, offset: int, lines: int = 15) -> str:
    from contextlib import suppress

    with suppress(OSError), open(log_file, "rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8", "replace").strip().splitlines()
        return "\n".join(text[-lines:]) or "(nothing)"
    return "(no log)"


def taken_over(state: DaemonState) -> AegisError:
    from aegis_core.client import NotTheDaemon

    return NotTheDaemon(
        f"the Aegis daemon runs (pid {state.pid}), but process {state.impostor} answers on its socket "
        f"{state.socket}: something replaced Aegis' socket",
        hint=f"stop process {state.impostor}, then run `aegis stop` and `aegis start`", listener=state.impostor)


def impostor_note(state: DaemonState) -> str:
    if state.impostor is None:
        return ""
    return (f"; process {state.impostor}, which is not Aegis, was answering on {state.socket} and still runs: "
            f"stop it (kill {state.impostor})")


def stop(config: Config, *, timeout: float = 10.0, force: bool = False) -> tuple[bool, str]:
    """Ask the daemon to drain and exit; with ``force``, kill it if it does not in time.
    The request goes to the operator socket; when that is not the daemon's (or does
    not answer), the daemon found by the pid file's lock gets SIGTERM instead."""
    import signal
    from contextlib import suppress

    from aegis_core.client import Identity, request

    state = inspect(config)
    pid = state.pid
    if not state.running:
        removed = clean_stale(state)
        return False, ("the Aegis daemon is not running" + (f" (removed stale {', '.join(removed)})" if removed else "")
                       + impostor_note(state))
    assert pid is not None
    asked = False
    if state.info is not None:
        with suppress(AegisError):
            pid_file, sock, _ = paths(config)
            asked = bool(request("stop", socket=sock, timeout=5.0, by=_user(),
                                 identity=Identity(pid, source=str(pid_file))).get("ok"))
    if not asked:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True, f"stopped the Aegis daemon (pid {pid})" + impostor_note(state)
        time.sleep(0.05)
    if not force:
        raise AegisEnvironmentError(f"the Aegis daemon (pid {pid}) did not stop within {timeout:g} s",
                                    hint="use: aegis stop --force")
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    clean_stale(inspect(config))
    return True, f"killed the Aegis daemon (pid {pid}) after {timeout:g} s" + impostor_note(state)


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"
