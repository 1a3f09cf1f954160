"""Changes to the machine made by programs that are otherwise only looked through:
``ip``/``ifconfig``/``route`` changing the network, ``date -s`` and ``hostname NAME``
setting the clock and the name, ``journalctl --vacuum-*`` deleting the system's logs,
``chmod u+s``/``4755`` making a set-user-ID program, ``kill`` of PID 1. Their read-only
uses (``ip addr``, ``date``, ``journalctl -u x``) stay routine."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from aegis_core.policy.words import operands

if TYPE_CHECKING:
    from aegis_core.policy.facts import Subject
    from aegis_core.policy.shell import Segment

_IP_CHANGES = frozenset({"add", "del", "delete", "change", "replace", "set", "flush", "append", "prepend", "exec",
                         "attach", "detach", "save", "restore", "up", "down"})
_IP_VALUES = frozenset({"-n", "-netns", "-b", "-batch", "-f", "-family", "-l", "-loops", "-rc", "-rcvbuf"})
_IFCONFIG_CHANGES = frozenset({"up", "down", "add", "del", "netmask", "broadcast", "mtu", "hw", "promisc",
                               "-promisc", "arp", "-arp", "pointopoint", "dstaddr", "tunnel", "txqueuelen", "alias",
                               "-alias", "inet", "inet6", "ether", "lladdr", "destroy", "create"})
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}(/\d+)?$")
_JOURNAL_CHANGES = ("--vacuum-size", "--vacuum-time", "--vacuum-files", "--rotate", "--flush", "--relinquish-var",
                    "--setup-keys", "--sync")
_HOSTNAME_READS = frozenset({"-a", "--alias", "-A", "--all-fqdns", "-d", "--domain", "-f", "--fqdn", "--long",
                             "-i", "--ip-address", "-I", "--all-ip-addresses", "-s", "--short", "-y", "--yp",
                             "--nis", "-V", "--version", "-h", "--help"})
# chmod modes that set the set-user-ID or set-group-ID bit: u+s, g=rwxs, +s, 4755, 2775.
_SETID_SYMBOLIC = re.compile(r"^[ugoa]*[+=][rwxXtugo]*s")
_SETID_NUMERIC = re.compile(r"^[0-7]?[2467][0-7]{3}$")


def _ip(texts: list[str]) -> str | None:
    words = operands(texts, _IP_VALUES)
    if len(words) >= 2 and words[1] in _IP_CHANGES:
        return f"ip {words[0]} {words[1]} changes the machine's network"
    if len(words) >= 3 and words[0] in ("link", "l") and words[1] == "set":
        return "ip link set changes a network interface"
    return None


def _ifconfig(texts: list[str]) -> str | None:
    operands = [t for t in texts if t not in ("-a", "-s", "-v", "-l", "-u", "-d")]
    if len(operands) >= 2 and (operands[1] in _IFCONFIG_CHANGES or _IPV4.match(operands[1])):
        return f"ifconfig {operands[0]} {operands[1]} changes a network interface"
    return None


def _date(texts: list[str]) -> str | None:
    for text in texts:
        if text in ("-s", "--set") or text.startswith("--set=") or (text.startswith("-s") and text[2:3] != "-"):
            return "date -s sets the system clock"
        if re.fullmatch(r"\d{8}(\d{2}(\d{2})?)?(\.\d{2})?", text):
            return "date MMDDhhmm sets the system clock"
    return None


def _chmod_setid(texts: list[str]) -> str | None:
    for text in texts:
        if text.startswith("-") and not text.startswith(("-s", "-g", "-u")):
            continue
        for mode in text.split(","):
            if _SETID_SYMBOLIC.match(mode) or _SETID_NUMERIC.match(mode):
                return f"chmod {text} makes a set-user-ID or set-group-ID program"
        break  # the mode comes first
    return None


def system_change(seg: Segment) -> str | None:
    """Why this command changes the machine itself, or None."""
    program = seg.program
    texts = list(seg.argv[1:])
    if program == "ip":
        return _ip(texts)
    if program == "ifconfig":
        return _ifconfig(texts)
    if program == "route":
        words = [t for t in texts if not t.startswith("-")]
        return f"route {words[0]} changes the routing table" if words[:1] and words[0] in (
            "add", "del", "delete", "change", "flush") else None
    if program in ("date", "gdate"):
        return _date(texts)
    if program == "hostname":
        if "-F" in texts or "--file" in texts:
            return "hostname -F sets the machine's name"
        names = [t for t in texts if not t.startswith("-")]
        return "hostname NAME sets the machine's name" if names and not set(texts) & _HOSTNAME_READS else None
    if program == "journalctl":
        found = [t for t in texts if t.startswith(_JOURNAL_CHANGES)]
        return f"journalctl {found[0]} deletes or moves the system's logs" if found else None
    if program in ("chmod", "install"):
        if program == "install":
            modes = [texts[i + 1] for i, t in enumerate(texts[:-1]) if t in ("-m", "--mode")]
            modes += [t.split("=", 1)[1] for t in texts if t.startswith("--mode=")]
            return "install -m makes a set-user-ID program" if any(
                _SETID_NUMERIC.match(m) or _SETID_SYMBOLIC.match(m) for m in modes) else None
        return _chmod_setid(texts)
    if program == "kill":
        targets = [t for t in texts if not t.startswith("-") or t.lstrip("-").isdigit()]
        signalled = [t for t in targets if t not in ("-s", "-n")]
        if "1" in signalled or ("--" in texts and "1" in texts[texts.index("--") + 1:]):
            return "kill of PID 1 (init) takes the machine or the container down"
    return None


PROGRAMS = ("ip", "ifconfig", "route", "date", "gdate", "hostname", "journalctl", "chmod", "install", "kill")


def register(check: Callable) -> None:
    @check("system-change", 40, "changes the machine itself: network (ip/ifconfig/route), clock (date -s), host "
           "name, system logs deleted (journalctl --vacuum), set-user-ID programs (chmod u+s), kill of PID 1",
           programs=PROGRAMS)
    def _system(subject: Subject) -> str | None:
        seg = subject.segment
        return system_change(seg) if seg is not None and seg.program in PROGRAMS else None
