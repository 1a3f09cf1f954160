"""Where a proxied connection goes: the ``host:port`` a ``CONNECT`` or a URL names,
read strictly and normalised (lower case, punycode, compressed IPv6), so that what
the manifest's ``network.allow`` and a human's answer cover is what gets connected."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
# What inet_aton would read as an address although it is not written as one
# (2130706433, 0x7f.1, 0177.0.0.1): refused, since a rule about 127.0.0.1 would not see it.
_NUMERIC_NAME = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$")


class HostError(ValueError):
    """A host, port or allow entry that cannot be used; the message says why."""


@dataclass(frozen=True, order=True)
class Destination:
    """Where a connection goes: a normalised host and a port."""

    host: str
    port: int

    @property
    def is_address(self) -> bool:
        return _address(self.host) is not None

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def normalise_host(text: str) -> str:
    """``text`` as Aegis compares hosts: lower case, IDNA (punycode) for names, no
    trailing dot, IPv6 without brackets and in its compressed form."""
    host = text.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        raise HostError("the host is empty")
    address = _address(host)
    if address is not None:
        return str(address)
    host = host.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise HostError(f"{text!r} is not a valid host name") from exc
    if _NUMERIC_NAME.match(host):
        raise HostError(f"{text!r} is an unusual spelling of an IP address; write the address itself")
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise HostError(f"{text!r} is not a valid host name")
    return host


def parse_port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise HostError(f"{text!r} is not a port (1-65535)")
    return int(text)


def parse_authority(text: str, default_port: int | None = None) -> Destination:
    """``host:port`` (as in ``CONNECT host:port``, or a URL's authority) as a
    Destination; ``default_port`` when the port is left out (None: it is required)."""
    host, port = _split_port(text.strip())
    if port is None:
        if default_port is None:
            raise HostError(f"{text!r} names no port")
        return Destination(normalise_host(host), default_port)
    return Destination(normalise_host(host), parse_port(port))


def _split_port(text: str) -> tuple[str, str | None]:
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise HostError(f"{text!r}: an IPv6 address opened with [ is not closed")
        rest = text[end + 1:]
        if rest and not rest.startswith(":"):
            raise HostError(f"{text!r}: expected :PORT after the IPv6 address")
        return text[: end + 1], (rest[1:] if rest else None)
    if text.count(":") > 1:  # a bare IPv6 address, no port
        return text, None
    host, sep, port = text.partition(":")
    return host, (port if sep else None)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
