"""Opening the proxy's side of a connection: resolve once, refuse a name that points
back at this machine, connect to the address that was checked (no second lookup a
rebinding DNS server could answer differently), and speak TLS to a model API."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable
from functools import cache

import anyio
from anyio.abc import ByteStream
from anyio.streams.tls import TLSStream

from aegis_core.network.hosts import Destination

CONNECT_TIMEOUT = 15.0
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class UpstreamError(Exception):
    """The destination could not be reached; the message is for the agent."""


def special_address(address: str) -> str | None:
    """Why connecting to ``address`` by a name would be a surprise: it is this
    machine, a link-local (cloud metadata) address, or no address at all."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_link_local:
        return "a link-local address (e.g. a cloud metadata service)"
    if ip.is_unspecified or ip.is_multicast:
        return "not a host address"
    return None


async def resolve(destination: Destination) -> list[str]:
    """The addresses to try, checked: a name (other than localhost) that resolves to a
    special address is refused, since whoever allowed the name did not allow that."""
    if destination.is_address:
        return [destination.host]
    try:
        infos = await anyio.getaddrinfo(destination.host, destination.port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UpstreamError(f"{destination.host} could not be resolved ({exc})") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if destination.host not in LOCAL_NAMES:
        for address in addresses:
            why = special_address(address)
            if why:
                raise UpstreamError(
                    f"{destination.host} resolves to {address}, {why}; Aegis does not connect a name to it. "
                    f"If that is intended, allow the address itself ({address}:{destination.port})")
    if not addresses:
        raise UpstreamError(f"{destination.host} has no address")
    return addresses


async def open_upstream(destination: Destination, *, tls: bool = False,
                        screen: Callable[[list[str], int], str | None] | None = None) -> ByteStream:
    """A connected stream to ``destination`` (over TLS, verified, when ``tls``).

    :param screen: says why the addresses found must not be connected to (the
        daemon's own listeners, however the name was allowed), or None.
    """
    addresses = await resolve(destination)
    refused = screen(addresses, destination.port) if screen is not None else None
    if refused is not None:
        raise UpstreamError(f"Aegis refused the connection to {destination}: {refused}")
    errors: list[str] = []
    stream: ByteStream | None = None
    with anyio.move_on_after(CONNECT_TIMEOUT):
        for address in addresses:
            try:
                stream = await anyio.connect_tcp(address, destination.port)
                break
            except OSError as exc:
                errors.append(f"{address}: {exc.strerror or exc}")
    if stream is None:
        detail = "; ".join(errors) or f"no answer within {CONNECT_TIMEOUT:g} s"
        raise UpstreamError(f"could not connect to {destination} ({detail})")
    if not tls:
        return stream
    try:
        with anyio.fail_after(CONNECT_TIMEOUT):
            return await TLSStream.wrap(stream, hostname=destination.host, ssl_context=_tls_context(),
                                        standard_compatible=False)
    except (OSError, ssl.SSLError, TimeoutError) as exc:
        await stream.aclose()
        raise UpstreamError(f"TLS with {destination} failed ({exc})") from exc


@cache
def _tls_context() -> ssl.SSLContext:
    # The system's trust store (SSL_CERT_FILE / SSL_CERT_DIR honoured), as httpx would use.
    return ssl.create_default_context()
