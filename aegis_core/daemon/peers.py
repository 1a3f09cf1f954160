"""Who is on the other end of the socket: the peer's credentials, and whether it runs
inside a wrapped agent. An agent shares its user's UID, so the UID check alone would
let it answer its own approval (`aegis approvals approve ID` from its shell); any
process descended from a wrapped agent is refused the human-only operations."""

from __future__ import annotations

import socket
import struct
from contextlib import suppress
from dataclasses import dataclass

from anyio.abc import SocketAttribute, SocketStream

MAX_DEPTH = 64


@dataclass(frozen=True)
class Peer:
    pid: int | None
    uid: int | None


def peer_of(stream: SocketStream) -> Peer:
    raw = stream.extra(SocketAttribute.raw_socket, None)  # noqa: S610 (anyio, not Django)
    if raw is None or not hasattr(socket, "SO_PEERCRED"):
        return Peer(None, None)
    creds = raw.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _gid = struct.unpack("3i", creds)
    return Peer(int(pid), int(uid))


def parent_of(pid: int) -> int | None:
    with suppress(OSError, ValueError, IndexError), open(f"/proc/{pid}/stat") as handle:
        # The command name may hold spaces and parentheses: parse after the last ')'.
        return int(handle.read().rsplit(")", 1)[1].split()[1])
    return None


def ancestors(pid: int) -> list[int]:
    """The pid's parents, nearest first, up to init."""
    chain: list[int] = []
    current: int | None = pid
    for _ in range(MAX_DEPTH):
        current = parent_of(current) if current else None
        if not current or current in chain:
            break
        chain.append(current)
        if current == 1:
            break
    return chain


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, e.g. a test's finished child, counts as gone)."""
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with suppress(OSError, IndexError), open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def inside_agent(pid: int | None, agent_roots: set[int]) -> bool:
    """Whether ``pid`` descends from a wrapper process (the ``aegis wrap`` that runs
    an agent). The wrapper itself is not inside: it relays keyboard answers."""
    if pid is None or not agent_roots:
        return False
    return any(parent in agent_roots for parent in ancestors(pid))
