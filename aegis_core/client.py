"""The one client of the daemon's sockets (docs/protocol.md) for every program that
may import aegis_core: the CLI and the adapters' relays. One request per connection;
interim lines go to a callback, the final line is returned.

Before a request leaves, the listener must be the Aegis daemon: the kernel names
the process that bound the socket (``SO_PEERCRED``) and it must be the daemon's
pid; where that pid cannot be seen (the client is inside the sandbox's PID
namespace) the daemon must prove it knows the session's token. The hook client
(``aegis_claude_hook/hookclient.py``) does the same in plain standard library.
"""

from __future__ import annotations

import os

from aegis_core.errors import EXIT_CODES, AegisEnvironmentError, AegisError, SecurityViolation
from aegis_core.frozen import Frozen
from aegis_core.sockets import (
    client_mac,
    client_socket,
    connect,
    daemon_proof,
    new_nonce,
    peer_credentials,
    process_start,
    same,
)

# Not `from typing import TYPE_CHECKING`: loading typing costs the quick commands
# (aegis status, aegis approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:  # nor collections.abc, json, pathlib: `aegis status` never needs them all
    import _socket
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path
    from typing import Any

    from aegis_core.config import Config

MAX_LINE = 1 << 20


# Interim lines (before the final one) say what happened meanwhile under "update":
# {"update": "pending", ...} from the daemon, {"update": "dialog_closed"} from a hook
# client. Older daemons and hook clients used "event", which in Aegis names an audit
# record's kind: readers accept both, writers send "update".
UPDATE = "update"
LEGACY_UPDATE = "event"


def update_of(line: Mapping[str, Any]) -> str | None:
    """What an interim line says happened (``pending``, ``resolved``...), else None."""
    said = line.get(UPDATE, line.get(LEGACY_UPDATE))
    return said if isinstance(said, str) else None


class DaemonUnavailable(AegisEnvironmentError):
    """Nothing listens on the socket: the daemon is not running."""


class NotTheDaemon(SecurityViolation):
    """Something listens on Aegis' socket, but it is not the Aegis daemon."""

    def __init__(self, message: str, *, hint: str | None = None, listener: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.listener = listener  # the pid that bound the socket, when known


class Identity(Frozen):
    """What the listener is checked against: the daemon's pid (and start time, when
    pinned) and, in a wrapped session, the session's token it must prove it knows."""

    __match_args__ = ("pid", "start", "source", "session", "token")
    __slots__ = __match_args__
    pid: int | None
    start: int | None
    source: str
    session: str | None
    token: str | None

    def __init__(self, pid: int | None, start: int | None = None, source: str = "",
                 session: str | None = None, token: str | None = None) -> None:
        self._set(pid, start, source, session, token)


def expected(config: Config | None = None, env: Mapping[str, str] | None = None) -> Identity:
    """The identity this process expects: ``AEGIS_DAEMON_PID``/``AEGIS_DAEMON_START``
    (set by ``aegis wrap`` for the agent, from the daemon it checked), else the
    process holding the lock on ``$AEGIS_HOME/aegis.pid``."""
    env = os.environ if env is None else env
    session, token = env.get("AEGIS_SESSION") or None, env.get("AEGIS_SESSION_TOKEN") or None
    pinned = env.get("AEGIS_DAEMON_PID", "")
    if pinned.isdigit():
        start = env.get("AEGIS_DAEMON_START", "")
        return Identity(int(pinned), int(start) if start.isdigit() else None, "AEGIS_DAEMON_PID", session, token)
    from aegis_core.config import aegis_home
    from aegis_core.daemon.process import daemon_pid

    pid_file = (config.home if config is not None else aegis_home(env)) / "aegis.pid"
    return Identity(daemon_pid(pid_file), None, str(pid_file), session, token)


def request(
    op: str,
    *,
    config: Config | None = None,
    socket: str | os.PathLike[str] | None = None,
    identity: Identity | None = None,
    timeout: float | None = 30.0,
    on_interim: Callable[[dict[str, Any]], None] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """Send ``{"v": 1, "op": op, **fields}`` and return the daemon's final line.

    :param socket: exactly this socket; default ``$AEGIS_SOCKET``, else the operator
        socket of ``config`` (aegis_core.sockets).
    :param identity: what the listener must be; default :func:`expected`.
    :param timeout: bounds each wait for a line (None: as long as a human takes).

    Raises DaemonUnavailable when no daemon listens (callers may fall back to the
    database), NotTheDaemon when the listener is not the daemon, and
    AegisEnvironmentError when it answers badly or not in time.
    """
    from aegis_core import quickjson

    path: str | Path
    if socket is not None:
        from aegis_core.home import path_text

        path = path_text(os.fspath(socket))  # as Path(socket) prints, without pathlib
    else:
        if config is None:
            from aegis_core.config import load_config

            config = load_config()
        path = client_socket(config)
    hint = "start it with: aegis start"
    if not os.path.exists(path):
        raise DaemonUnavailable(f"the Aegis daemon is not running (no socket at {path})", hint=hint)
    try:
        sock = connect(path, 5.0 if timeout is None else min(timeout, 5.0))
    except (FileNotFoundError, ConnectionRefusedError) as exc:
        raise DaemonUnavailable(f"the Aegis daemon is not running ({path}: {exc.strerror})", hint=hint) from exc
    except OSError as exc:
        raise AegisEnvironmentError(f"cannot reach the Aegis daemon at {path}: {exc}",
                                    hint="check it with: aegis status") from exc
    try:
        identity = identity or expected(config)
        needs_proof = check_listener(sock, path, identity)
        message: dict[str, Any] = {"v": 1, "op": op, **fields}
        nonce = None
        if identity.session and identity.token and message.get("session") in (None, identity.session):
            message["session"] = identity.session
            message.pop("token", None)
            if needs_proof:  # the listener is unconfirmed: never send it the token itself
                nonce = new_nonce()
                message.update(nonce=nonce, mac=client_mac(identity.token, nonce))
            else:
                message["token"] = identity.token
        sock.settimeout(timeout)
        sock.sendall(quickjson.dumps(message).encode("utf-8") + b"\n")
        final = _read_final(sock, path, on_interim)
    except TimeoutError as exc:
        raise AegisEnvironmentError(f"the Aegis daemon did not answer {op} within {timeout:g}s",
                                    hint="check it with: aegis status") from exc
    except OSError as exc:
        raise AegisEnvironmentError(f"talking to the Aegis daemon failed: {exc}",
                                    hint="check it with: aegis status") from exc
    finally:
        sock.close()
    if needs_proof and not (nonce and identity.token and same(final.get("proof"), daemon_proof(identity.token, nonce))):
        raise NotTheDaemon(f"the program answering on {path} did not prove it is the Aegis daemon of this session",
                           hint="something may have replaced Aegis' socket; tell the user to run `aegis status`")
    return final


def refusal(response: Mapping[str, Any], what: str) -> AegisError:
    """The error for a reply with ``"ok": false``, carrying the daemon's exit code."""
    code = response.get("code")
    error = AegisError(f"the daemon refused {what}: {response.get('error') or 'no reason given'}",
                       hint="see `aegis logs`")
    if isinstance(code, int) and code in EXIT_CODES:
        error.exit_code = code
    return error


def check_listener(sock: _socket.socket, path: str | Path, identity: Identity) -> bool:
    """Raise NotTheDaemon unless the process that bound ``sock``'s listener is the
    daemon. Returns True when only a proof of the session token can tell (the
    listener is outside this process's PID namespace)."""
    credentials = peer_credentials(sock)
    if credentials is None:
        return False  # no SO_PEERCRED on this platform: nothing to check against
    pid = credentials[0]
    if pid == 0:
        if identity.session and identity.token:
            return True
        raise NotTheDaemon(f"cannot tell whether {path} is the Aegis daemon: its owner is outside this "
                           "process's PID namespace and there is no session token to check it with",
                           hint="run this outside the sandbox, from your own terminal")
    if identity.pid is None:
        raise NotTheDaemon(f"process {pid} listens on {path}, but no Aegis daemon is running "
                           f"({identity.source} names none): something took Aegis' socket",
                           hint=f"stop process {pid}, then start Aegis with `aegis start`", listener=pid)
    if pid != identity.pid or (identity.start is not None and process_start(pid) != identity.start):
        raise NotTheDaemon(f"process {pid} listens on {path}, but the Aegis daemon is process "
                           f"{identity.pid} ({identity.source}): something replaced Aegis' socket",
                           hint=f"stop process {pid}, then run `aegis stop` and `aegis start`", listener=pid)
    return False


def _read_final(sock: _socket.socket, path: str | Path,
                on_interim: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
    from aegis_core import quickjson

    for line in _lines(sock):
        if len(line) > MAX_LINE:
            raise AegisEnvironmentError("the Aegis daemon sent an over-long line", hint="see `aegis logs`")
        try:
            message = quickjson.loads(line)
        except ValueError as exc:
            raise AegisEnvironmentError("the Aegis daemon sent a malformed line", hint="see `aegis logs`") from exc
        if not isinstance(message, dict):
            raise AegisEnvironmentError("the Aegis daemon sent a malformed line", hint="see `aegis logs`")
        if message.get("final") is True:
            return message
        if on_interim is not None:
            on_interim(message)
    raise AegisEnvironmentError(f"the Aegis daemon at {path} closed the connection without an answer",
                                hint="see `aegis logs` for what went wrong")


def _lines(sock: _socket.socket) -> Iterator[bytes]:
    """The lines the daemon sends, as they arrive (a bare ``_socket`` has no makefile);
    a line longer than MAX_LINE is yielded as soon as it is known to be, unfinished."""
    buffer = b""
    while True:
        newline = buffer.find(b"\n")
        if newline >= 0:
            yield buffer[:newline]
            buffer = buffer[newline + 1:]
            continue
        if len(buffer) > MAX_LINE:
            yield buffer
            return
        chunk = sock.recv(65536)
        if not chunk:
            return
        buffer += chunk
