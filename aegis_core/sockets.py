"""Where Aegis' sockets are, one rule for every program, and how each end of a
connection proves who it is (docs/protocol.md, "Sockets" and "Is it the daemon?").

The daemon listens on the *operator socket* (every operation; ``[daemon] socket``
moves it), the shared *agent socket* ``$AEGIS_HOME/agent.sock`` (hooks installed
without ``aegis wrap``) and one agent socket per wrapped session in that session's
run directory ``$AEGIS_HOME/run/<session>/``. A client connects to ``$AEGIS_SOCKET``
when it is set (inside a wrapped agent: its session's agent socket), else the CLI to
the operator socket and a hook to the shared agent socket. The hook client repeats
this rule in plain standard-library code; a test keeps the two in step.
"""

from __future__ import annotations

import _socket  # not `socket`: the quick CLI commands must not pay for its imports
import os

# Not `from typing import TYPE_CHECKING`, nor `collections.abc`, `contextlib` or
# `pathlib` but on demand: loading them costs the quick commands (aegis status, aegis
# approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from aegis_core.config import Config

OPERATOR_SOCKET = "aegis.sock"
AGENT_SOCKET = "agent.sock"
PROXY_SOCKET = "proxy.sock"
RUN_DIR = "run"
# sockaddr_un holds 108 bytes; longer paths are reached through /proc/self/fd.
MAX_SOCKET_PATH = 100


def operator_socket(config: Config) -> Path:
    """Where the daemon serves every operation: ``[daemon] socket`` (config file or
    ``AEGIS_DAEMON_SOCKET``), else ``$AEGIS_HOME/aegis.sock``."""
    from pathlib import Path

    return Path(operator_socket_name(config))


def operator_socket_name(config: Config) -> str:
    """:func:`operator_socket` as a string, without building a Path."""
    from aegis_core.home import path_text

    configured = config.get("daemon", "socket")
    if configured:
        name = os.path.expanduser(str(configured))
        return path_text(name if name.startswith("/") else os.getcwd() + "/" + name)
    return path_text(config.home_dir + "/" + OPERATOR_SOCKET)


def shared_agent_socket(home: Path) -> Path:
    """The agent socket for hooks installed without ``aegis wrap``. Always in the Aegis
    home, wherever ``[daemon] socket`` puts the operator socket: a hook cannot read
    config.toml on every call, but it knows the home."""
    return home / AGENT_SOCKET


def client_socket(config: Config, env: Mapping[str, str] | None = None) -> Path:
    """Where the CLI sends its requests: ``$AEGIS_SOCKET``, else the operator socket."""
    from pathlib import Path

    env = os.environ if env is None else env
    explicit = env.get("AEGIS_SOCKET")
    return Path(explicit) if explicit else operator_socket(config)


def hook_socket(home: Path, env: Mapping[str, str] | None = None) -> Path:
    """Where an agent's hook sends its calls: ``$AEGIS_SOCKET``, else the shared agent
    socket (``aegis_claude_hook/hookclient.py`` follows the same rule)."""
    from pathlib import Path

    env = os.environ if env is None else env
    explicit = env.get("AEGIS_SOCKET")
    return Path(explicit) if explicit else shared_agent_socket(home)


def run_root(home: Path) -> Path:
    return home / RUN_DIR


def run_dir(home: Path, session: str) -> Path:
    """A wrapped session's directory: its agent socket and proxy socket (0700)."""
    if not session or "/" in session or session.startswith("."):
        raise ValueError(f"unusable session id {session!r}")
    return run_root(home) / session


def reachable(path: str | os.PathLike[str]) -> tuple[str, int | None]:
    """A path ``connect``/``bind`` accept, and a directory descriptor to close after
    use when the real path is too long for a socket address (``None`` otherwise)."""
    text = os.fspath(path)
    if len(os.fsencode(text)) <= MAX_SOCKET_PATH:
        return text, None
    directory = os.open(os.path.dirname(text) or ".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    return f"/proc/self/fd/{directory}/{os.path.basename(text)}", directory


def connect(path: str | os.PathLike[str], timeout: float | None) -> _socket.socket:
    """A connected stream socket to ``path`` (OSError when nothing listens)."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    address, directory = None, None
    try:
        sock.settimeout(timeout)
        address, directory = reachable(path)
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    finally:
        if directory is not None:
            os.close(directory)
    return sock


# -- who is on the other end ---------------------------------------------------------


def peer_credentials(sock: _socket.socket) -> tuple[int, int] | None:
    """(pid, uid) of the process at the other end, from the kernel (``SO_PEERCRED``).
    For a connecting client that is the process that created the listener. The pid
    is 0 when that process lives outside this process's PID namespace (e.g. the
    daemon, seen from inside the sandbox). None where the platform has no
    ``SO_PEERCRED``."""
    if not hasattr(_socket, "SO_PEERCRED"):
        return None
    import struct

    raw = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", raw)
    return int(pid), int(uid)


def process_start(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks since boot (``/proc/PID/stat`` field 22):
    with the pid, it names one process for the whole uptime, even after its pid is
    reused."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            # The command name may hold spaces and parentheses: count after the last ')'.
            return int(handle.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


# -- proving a session's secret without sending it --------------------------------------
# The session token never travels to an agent socket: a client proves it holds the
# token with a MAC over a fresh nonce, and the daemon proves the same with a
# different label, so a listener that is not the daemon learns nothing it could
# answer with. Keyed BLAKE2b is a MAC on its own (no HMAC construction needed) and
# the hook client can compute it with the built-in ``_blake2`` alone.


def _mac(label: bytes, token: str, nonce: str) -> str:
    import hashlib  # here: quick commands (`aegis status`) never need it

    # BLAKE2b takes keys of up to 64 bytes; session tokens are 32 characters.
    key = token.encode("utf-8")[:64]
    return hashlib.blake2b(label + nonce.encode("utf-8", "replace"), key=key, digest_size=32).hexdigest()


def client_mac(token: str, nonce: str) -> str:
    """What a client sends to prove it holds the session ``token``."""
    return _mac(b"aegis-client:", token, nonce)


def daemon_proof(token: str, nonce: str) -> str:
    """What the daemon answers to prove it knows the session ``token``."""
    return _mac(b"aegis-daemon:", token, nonce)


def same(given: object, expected: str) -> bool:
    import hmac

    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def new_nonce() -> str:
    return os.urandom(16).hex()
