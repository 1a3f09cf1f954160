"""The daemon's own TCP listeners (a channel's webhook, say) are never a destination:
the egress proxy runs in the daemon, so a sandboxed agent asking it for
``127.0.0.1:<that port>`` would talk to Aegis from the host's side. No manifest entry
and no human answer lets such a connection through; a human asked "the agent wants to
reach 127.0.0.1:8443" could not know that port is Aegis' own.

Which ports: the listening sockets among this process's open files (Linux's
``/proc/self/net/tcp{,6}`` joined with ``/proc/self/fd``), read at each check so a
listener opened later counts too. Which addresses: loopback, the unspecified address
(which reaches the local host), and any address of this machine's interfaces (a
listener on 0.0.0.0 answers there too).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterable

LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's st column
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def listening_ports(proc: str = "/proc/self") -> set[int]:
    """The TCP ports this process listens on (empty where /proc cannot tell)."""
    inodes: set[str] = set()
    try:
        for fd in os.listdir(f"{proc}/fd"):
            try:
                target = os.readlink(f"{proc}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    except OSError:
        return set()
    ports: set[int] = set()
    for table in ("tcp", "tcp6"):
        try:
            with open(f"{proc}/net/{table}", encoding="ascii") as handle:
                lines = handle.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == LISTEN and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def is_this_machine(address: str) -> bool:
    """Whether a connection to ``address`` ends on this machine."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address.lower().rstrip(".") in LOCAL_NAMES
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:
        return True
    # An address one of this machine's interfaces holds is one it can bind to.
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(ip), 0))
    except OSError:
        return False
    return True


def own_listener(addresses: Iterable[str], port: int) -> str | None:
    """Why connecting to ``port`` at any of ``addresses`` is refused (it is one of the
    daemon's own listeners), or None."""
    if port not in listening_ports():
        return None
    for address in addresses:
        if is_this_machine(address):
            return (f"{address}:{port} is where the Aegis daemon itself listens (e.g. a channel's webhook); "
                    "nothing in the sandbox may connect to Aegis from the host's side")
    return None
