"""Who is on the other end of a daemon socket: the peer's credentials from the kernel.

Only the UID decides anything here (another user is refused on every socket). What
a same-user peer may do is decided by the socket it connected to
(``aegis_core/daemon/protocol.py``), never by its process ancestry, which a double
fork and ``setsid`` escape.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from aegis_core.daemon.process import alive
from aegis_core.sockets import peer_credentials

__all__ = ["Peer", "alive", "peer_of"]


@dataclass(frozen=True)
class Peer:
    pid: int | None
    uid: int | None


def peer_of(raw: socket.socket | None) -> Peer:
    credentials = peer_credentials(raw) if raw is not None else None
    return Peer(*credentials) if credentials else Peer(None, None)
