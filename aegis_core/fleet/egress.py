"""The fleet store is never a destination for the agent: the egress proxy refuses any
connection to the PostgreSQL server of ``[store] url`` (its name, every address it
resolves to, and on loopback every loopback address), whatever the manifest allows
and whoever approves. Only daemons, outside the sandbox, talk to it."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import parse_qs, urlsplit

import anyio

from aegis_core.network.hosts import Destination

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class FleetStoreGuard:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname or parse_qs(parts.query).get("host", [""])[0]
        self.port = parts.port or int(parse_qs(parts.query).get("port", ["5432"])[0])
        self.host = host.lower()
        self.addresses = _resolve(self.host, self.port) if self.host and not self.host.startswith("/") else set()
        self.on_loopback = self.host in LOOPBACK_NAMES or any(_loopback(a) for a in self.addresses)

    async def blocks(self, destination: Destination) -> bool:
        if destination.port != self.port:
            return False
        host = destination.host.lower().strip("[]")
        if host == self.host or (self.on_loopback and (host in LOOPBACK_NAMES or _loopback(host))):
            return True
        addresses = {host} if _address(host) else await anyio.to_thread.run_sync(_resolve, host, destination.port)
        return bool(addresses & self.addresses) or (self.on_loopback and any(_loopback(a) for a in addresses))

    def reason(self, destination: Destination) -> str:
        return (f"{destination} is the fleet's database, which only Aegis daemons may reach; the sandbox never "
                "connects to it, whatever is approved")


def _address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _loopback(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or address.is_unspecified or bool(mapped and mapped.is_loopback)


def _resolve(host: str, port: int) -> set[str]:
    try:
        return {str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
    except OSError:
        return set()
