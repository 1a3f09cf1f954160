"""A blocking client of the daemon's Unix socket protocol (docs/protocol.md): one
request per connection, interim lines, then one line with ``"final": true``."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aegis_core.errors import NetworkError

MAX_LINE = 1 << 20


class DaemonUnavailable(NetworkError):
    """The daemon could not be reached or answered something unusable."""


def request(path: Path, message: Mapping[str, Any], *, timeout: float | None,
            on_interim: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Send ``message`` and return the final answer; interim lines go to ``on_interim``.

    ``timeout`` bounds each wait for a line (None: wait as long as a human takes).
    Raises :class:`DaemonUnavailable` for every failure, so callers fail closed.
    """
    hint = "start it with `aegis start`, or answer at the keyboard"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(5.0 if timeout is None else min(timeout, 5.0))
            conn.connect(str(path))
            conn.settimeout(timeout)
            conn.sendall(json.dumps(message, separators=(",", ":")).encode() + b"\n")
            reader = conn.makefile("rb")
            while True:
                line = reader.readline(MAX_LINE + 1)
                if not line:
                    raise DaemonUnavailable(
                        "the Aegis daemon closed the connection without an answer", hint=hint)
                if len(line) > MAX_LINE:
                    raise DaemonUnavailable("the Aegis daemon sent an oversized line", hint=hint)
                try:
                    answer = json.loads(line)
                except ValueError:
                    raise DaemonUnavailable("the Aegis daemon sent malformed JSON",
                                            hint=hint) from None
                if not isinstance(answer, dict):
                    raise DaemonUnavailable("the Aegis daemon sent a malformed answer", hint=hint)
                if answer.get("final") is True:
                    return answer
                if on_interim is not None:
                    on_interim(answer)
    except (OSError, TimeoutError) as exc:
        reason = f"{exc.__class__.__name__}: {exc}"
        raise DaemonUnavailable(f"cannot reach the Aegis daemon at {path} ({reason})",
                                hint=hint) from exc
