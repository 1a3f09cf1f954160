"""A small client of the daemon socket (docs/protocol.md) for the CLI: one request,
read lines until the final one. Standard library only, and the built-in ``_socket``
rather than ``socket``, whose enum conversions cost more than `aegis status` itself."""

from __future__ import annotations

import _socket
import json
import os
from pathlib import Path
from typing import Any

from aegis_core.errors import AegisEnvironmentError

MAX_LINE = 1 << 20


class DaemonUnavailable(AegisEnvironmentError):
    """Nothing listens on the socket: the daemon is not running."""


def socket_path(configured: str | os.PathLike[str] | None = None) -> Path:
    """``$AEGIS_SOCKET``, else the ``[daemon] socket`` setting, else ``$AEGIS_HOME/aegis.sock``."""
    if os.environ.get("AEGIS_SOCKET"):
        return Path(os.environ["AEGIS_SOCKET"])
    if configured:
        return Path(os.path.expanduser(str(configured)))
    from aegis_core.config import aegis_home

    return aegis_home() / "aegis.sock"


def daemon_socket(config: Any) -> Path:
    """Where the daemon of ``config`` listens: ``$AEGIS_SOCKET``, else ``[daemon] socket``,
    else ``<home>/aegis.sock``. Light on purpose: quick commands use it without
    importing the daemon."""
    if os.environ.get("AEGIS_SOCKET"):
        return Path(os.environ["AEGIS_SOCKET"])
    configured = config.get("daemon", "socket")
    return Path(os.path.expanduser(str(configured))) if configured else config.home / "aegis.sock"


def request(
    op: str, *, socket: str | os.PathLike[str] | None = None, timeout: float = 30.0, **fields: Any
) -> dict[str, Any]:
    """Send ``{"v": 1, "op": op, **fields}`` and return the daemon's final line.

    Raises DaemonUnavailable when no daemon listens (callers may fall back to the
    database) and AegisEnvironmentError when it answers badly or not in time.
    """
    path = socket_path(socket)
    hint = "start it with: aegis start"
    if not path.exists():
        raise DaemonUnavailable(f"the Aegis daemon is not running (no socket at {path})", hint=hint)
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise DaemonUnavailable(
                f"the Aegis daemon is not running ({path}: {exc.strerror})", hint=hint
            ) from exc
        sock.sendall(json.dumps({"v": 1, "op": op, **fields}).encode("utf-8") + b"\n")
        return _read_final(sock, path)
    except TimeoutError as exc:
        raise AegisEnvironmentError(
            f"the Aegis daemon did not answer {op} within {timeout:g}s",
            hint="check it with: aegis status",
        ) from exc
    except OSError as exc:
        raise AegisEnvironmentError(
            f"talking to the Aegis daemon failed: {exc}", hint="check it with: aegis status"
        ) from exc
    finally:
        sock.close()


def _read_final(sock: Any, path: Path) -> dict[str, Any]:
    buffer = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise AegisEnvironmentError(
                f"the Aegis daemon at {path} closed the connection without an answer",
                hint="see `aegis logs` for what went wrong",
            )
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            try:
                message = json.loads(line)
            except ValueError as exc:
                raise AegisEnvironmentError(
                    "the Aegis daemon sent a malformed line", hint="see `aegis logs`"
                ) from exc
            if isinstance(message, dict) and message.get("final") is True:
                return message
        if len(buffer) > MAX_LINE:
            raise AegisEnvironmentError(
                "the Aegis daemon sent an over-long line", hint="see `aegis logs`"
            )
