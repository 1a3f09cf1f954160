"""Who is on the other end of a daemon socket: the peer's credentials from the kernel.

Only the UID decides anything here (another user is refused on every socket). What
a same-user peer may do is decided by the socket it connected to
(``aegis_core/daemon/protocol.py``), never by its process ancestry, which a double
fork and ``setsid`` escape.
"""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass

from anyio.abc import SocketAttribute, SocketStream

from aegis_core.sockets import peer_credentials


@dataclass(frozen=True)
class Peer:
    pid: int | None
    uid: int | None


def peer_of(stream: SocketStream) -> Peer:
    raw = stream.extra(SocketAttribute.raw_socket, None)  # noqa: S610 (anyio, not Django)
    credentials = peer_credentials(raw) if raw is not None else None
    return Peer(*credentials) if credentials else Peer(None, None)


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, e.g. a test's finished child, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with suppress(OSError, IndexError), open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    return True
