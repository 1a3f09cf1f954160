"""The sandbox manifest (seed 001): what a wrapped agent may read, write and reach, and
the resources it may use. It is the ``[sandbox]`` section of ``policy.toml``: one file
says what the agent may do, the daemon already holds it, and a changed file takes effect
only when a human confirms it, for the boundary as for the rules.

```toml
[sandbox]
include_defaults = true          # keep the built-in lists below, add these
required = false                 # true: refuse to run an agent unsandboxed

[sandbox.fs]
read_deny = ["~/work/secret"]    # unreadable inside (masked with an empty folder/file)
write = ["~/src/other-repo"]     # writable besides the project, temp, caches, agent state
read = ["/srv/data"]             # visible read-only besides the system and the home

[sandbox.network]
allow = ["pypi.org", "files.pythonhosted.org:443", "*.github.com", "localhost:8000-8010"]

[sandbox.limits]
wall_time = "4h"                 # seconds, or 90s / 30m / 4h / 1d
memory = "8GiB"                  # bytes, or K/M/G/T (binary), KB/MB/GB (decimal), KiB/MiB/GiB
cpu = 1.5                        # CPUs' worth of time (0.5 = half of one core)
processes = 1024
```
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aegis_core.errors import ConfigError
from aegis_core.sandbox import defaults
from aegis_core.sandbox.units import format_duration, format_size, parse_duration, parse_size

SANDBOX_KEYS = {"include_defaults", "required", "fs", "network", "limits"}
FS_KEYS = {"read_deny", "write", "read"}
NETWORK_KEYS = {"allow"}
LIMIT_KEYS = {"wall_time", "memory", "cpu", "processes"}
WEB_PORTS: tuple[tuple[int, int], ...] = ((80, 80), (443, 443))
ANY_PORT: tuple[tuple[int, int], ...] = ((1, 65535),)

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class ManifestIssue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ManifestError(ConfigError):
    """An invalid ``[sandbox]`` section; ``issues`` lists every problem found."""

    def __init__(self, issues: list[ManifestIssue]) -> None:
        self.issues = issues
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"invalid sandbox manifest: {issues[0]}{more}",
                         hint="fix the line it names; `aegis sandbox show` lists every error")


@dataclass(frozen=True)
class HostRule:
    """One ``network.allow`` entry: a host (exact, ``*.domain`` for its subdomains,
    ``.domain`` for the domain and its subdomains, an IP address) and its ports."""

    host: str
    ports: tuple[tuple[int, int], ...]
    text: str = ""

    def matches(self, host: str, port: int) -> bool:
        """Whether a connection to ``host:port`` is allowed by this entry."""
        if not any(low <= port <= high for low, high in self.ports):
            return False
        host = _normal_host(host)
        if self.host.startswith("*."):
            return host.endswith(self.host[1:]) and host != self.host[2:]
        if self.host.startswith("."):
            return host == self.host[1:] or host.endswith(self.host)
        return host == self.host

    def __str__(self) -> str:
        return self.text or f"{self.host}:{_ports_text(self.ports)}"


@dataclass(frozen=True)
class Limits:
    """Resource limits; None means no limit."""

    wall_time: float | None = None  # seconds
    memory: int | None = None  # bytes
    cpu: float | None = None  # CPUs' worth of time
    processes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"wall_time": self.wall_time, "memory": self.memory, "cpu": self.cpu,
                "processes": self.processes}

    def describe(self) -> dict[str, str]:
        """The limits in words, for people: ``{"memory": "8 GiB", ...}``."""
        out: dict[str, str] = {}
        if self.wall_time is not None:
            out["wall_time"] = format_duration(self.wall_time)
        if self.memory is not None:
            out["memory"] = format_size(self.memory)
        if self.cpu is not None:
            out["cpu"] = f"{self.cpu:g} CPU"
        if self.processes is not None:
            out["processes"] = str(self.processes)
        return out


@dataclass(frozen=True)
class Manifest:
    """The effective manifest: the built-in lists (unless ``include_defaults = false``)
    plus what ``[sandbox]`` adds. Paths are kept as written (``~/...``, absolute, or
    relative to the project) and resolved when a sandbox is built."""

    read_deny: tuple[str, ...] = defaults.READ_DENY
    write: tuple[str, ...] = defaults.WRITE
    read: tuple[str, ...] = ()
    network_allow: tuple[HostRule, ...] = ()
    limits: Limits = field(default_factory=lambda: Limits(processes=defaults.PROCESSES))
    include_defaults: bool = True
    required: bool = False
    source: str = "built-in defaults"

    def allows(self, host: str, port: int) -> bool:
        """Whether ``network.allow`` lets a connection to ``host:port`` through."""
        return any(rule.matches(host, port) for rule in self.network_allow)

    def with_network(self, entries: list[str] | tuple[str, ...]) -> Manifest:
        """This manifest with more ``network.allow`` entries (an adapter's API endpoint)."""
        from dataclasses import replace

        added = tuple(parse_host_rule(entry) for entry in entries)
        known = {str(rule) for rule in self.network_allow}
        return replace(self, network_allow=(*self.network_allow,
                                            *(rule for rule in added if str(rule) not in known)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "include_defaults": self.include_defaults,
            "required": self.required,
            "fs": {"read_deny": list(self.read_deny), "write": list(self.write), "read": list(self.read)},
            "network": {"allow": [str(rule) for rule in self.network_allow]},
            "limits": self.limits.to_dict(),
        }


# -- parsing -----------------------------------------------------------------------------


def parse_manifest(text: str, file: str = "<policy>") -> Manifest:
    """The manifest of a ``policy.toml`` text (built-in defaults when it has no
    ``[sandbox]``). Raises ManifestError naming the line of every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+)", str(exc))
        raise ManifestError([ManifestIssue(file, int(where.group(1)) if where else 1,
                                           f"invalid TOML: {exc}")]) from exc
    return manifest_from_data(data.get("sandbox"), text, file)


def manifest_from_data(section: Any, text: str = "", file: str = "<policy>") -> Manifest:
    if section is None:
        return Manifest(source=file)
    lines = _Lines(text)
    issues: list[ManifestIssue] = []

    def problem(table: str, key: str | None, message: str) -> None:
        issues.append(ManifestIssue(file, lines.find(table, key), message))

    if not isinstance(section, dict):
        raise ManifestError([ManifestIssue(file, lines.find("sandbox", None),
                                           "sandbox must be a table: [sandbox]")])
    for key in section:
        if key not in SANDBOX_KEYS:
            problem("sandbox", key, f"unknown key [sandbox] {key}; expected one of "
                                    f"{', '.join(sorted(SANDBOX_KEYS))}")
    include_defaults = _bool(section, "include_defaults", True, problem)
    required = _bool(section, "required", False, problem)
    fs = _table(section, "fs", FS_KEYS, problem)
    network = _table(section, "network", NETWORK_KEYS, problem)
    limits_table = _table(section, "limits", LIMIT_KEYS, problem)

    paths = {key: _paths(fs, key, problem) for key in FS_KEYS}
    rules: list[HostRule] = []
    for entry in _strings(network, "allow", "sandbox.network", problem):
        try:
            rules.append(parse_host_rule(entry))
        except ValueError as exc:
            problem("sandbox.network", "allow", f"network.allow entry {entry!r}: {exc}")
    limits = _limits(limits_table, include_defaults, problem)
    if issues:
        raise ManifestError(issues)
    base_deny = defaults.READ_DENY if include_defaults else ()
    base_write = defaults.WRITE if include_defaults else ()
    return Manifest(
        read_deny=_unique((*base_deny, *paths["read_deny"])),
        write=_unique((*base_write, *paths["write"])),
        read=_unique(paths["read"]),
        network_allow=tuple(rules),
        limits=limits,
        include_defaults=include_defaults,
        required=required,
        source=file,
    )


def parse_host_rule(entry: str) -> HostRule:
    """``host``, ``host:443``, ``host:8000-8100``, ``host:*``, ``[::1]:8080``; no port
    means the web ports, 80 and 443. Raises ValueError saying what is wrong."""
    text = entry.strip()
    if not text:
        raise ValueError("empty host")
    if "://" in text or "/" in text:
        raise ValueError("give a host and port, not a URL (e.g. pypi.org:443)")
    port_text = None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError("expected [address]:port")
            port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host = text  # a bare IPv6 address, or a name without a port
    host = _normal_host(host)
    _check_host(host)
    ports = WEB_PORTS if port_text is None else _ports(port_text)
    canonical_host = f"[{host}]" if ":" in host else host
    return HostRule(host, ports, f"{canonical_host}:{_ports_text(ports)}")


def _normal_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def _check_host(host: str) -> None:
    if not host:
        raise ValueError("empty host")
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    name = host[2:] if host.startswith("*.") else host[1:] if host.startswith(".") else host
    if "*" in name:
        raise ValueError("a wildcard may only start the name, as in *.example.com")
    labels = name.split(".")
    if not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(f"{host!r} is not a host name")
    if name != host and len(labels) < 2:
        raise ValueError(f"{host!r} would match a whole top-level domain")


def _ports(text: str) -> tuple[tuple[int, int], ...]:
    if text.strip() == "*":
        return ANY_PORT
    ranges = []
    for part in text.split(","):
        low_text, _, high_text = part.strip().partition("-")
        try:
            low = int(low_text)
            high = int(high_text) if high_text else low
        except ValueError:
            raise ValueError(f"port {part.strip()!r} is not a number, a range (8000-8100) or *") from None
        if not 1 <= low <= high <= 65535:
            raise ValueError(f"port {part.strip()!r} is outside 1-65535")
        ranges.append((low, high))
    return tuple(ranges)


def _ports_text(ports: tuple[tuple[int, int], ...]) -> str:
    if ports == ANY_PORT:
        return "*"
    return ",".join(str(low) if low == high else f"{low}-{high}" for low, high in ports)


# -- helpers ---------------------------------------------------------------------------------


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _bool(table: dict[str, Any], key: str, default: bool, problem: Any) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        problem("sandbox", key, f"{key} must be true or false")
        return default
    return value


def _table(section: dict[str, Any], key: str, allowed: set[str], problem: Any) -> dict[str, Any]:
    value = section.get(key, {})
    name = f"sandbox.{key}"
    if not isinstance(value, dict):
        problem("sandbox", key, f"{key} must be a table: [{name}]")
        return {}
    for inner in value:
        if inner not in allowed:
            problem(name, inner, f"unknown key [{name}] {inner}; expected one of {', '.join(sorted(allowed))}")
    return value


def _strings(table: dict[str, Any], key: str, where: str, problem: Any) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problem(where, key, f"{key} must be a list of strings")
        return []
    return value


def _paths(fs: dict[str, Any], key: str, problem: Any) -> tuple[str, ...]:
    out = []
    for entry in _strings(fs, key, "sandbox.fs", problem):
        text = entry.strip()
        if not text:
            problem("sandbox.fs", key, f"fs.{key}: empty path")
        elif text.startswith("~") and not (text == "~" or text.startswith("~/")):
            problem("sandbox.fs", key, f"fs.{key}: {entry!r}: only your own home (~/...) can be named")
        elif "\0" in text:
            problem("sandbox.fs", key, f"fs.{key}: {entry!r} holds a NUL byte")
        elif key == "write" and _is_everything(text):
            problem("sandbox.fs", key, f"fs.write: {entry!r} would make the whole "
                                        f"{'home' if text.startswith('~') else 'system'} writable")
        else:
            out.append(text)
    return tuple(out)


def _is_everything(path: str) -> bool:
    """``/``, ``~`` or ``$HOME``-like roots: writable, they would undo the sandbox."""
    stripped = path.rstrip("/") or "/"
    return stripped in ("/", "~", "/home", "/root", "/Users", "/etc", "/usr")


def _limits(table: dict[str, Any], include_defaults: bool, problem: Any) -> Limits:
    values: dict[str, Any] = {"processes": defaults.PROCESSES if include_defaults else None}
    for key, parse in (("wall_time", parse_duration), ("memory", parse_size)):
        if key in table:
            try:
                values[key] = parse(table[key])
            except ValueError as exc:
                problem("sandbox.limits", key, f"limits.{key}: {exc}")
    if "cpu" in table:
        cpu = table["cpu"]
        if isinstance(cpu, bool) or not isinstance(cpu, int | float) or not 0.01 <= cpu <= 4096:
            problem("sandbox.limits", "cpu", "limits.cpu must be a number of CPUs, e.g. 0.5 or 2")
        else:
            values["cpu"] = float(cpu)
    if "processes" in table:
        count = table["processes"]
        if isinstance(count, bool) or not isinstance(count, int) or not 8 <= count <= 1 << 22:
            problem("sandbox.limits", "processes", "limits.processes must be a whole number from 8")
        else:
            values["processes"] = count
    return Limits(**values)


class _Lines:
    """Finds the line of a key in the TOML text (tomllib gives no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def find(self, table: str, key: str | None) -> int:
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, table.split("."))) + r"\s*\]")
        any_header = re.compile(r"^\s*\[")
        start = next((i for i, line in enumerate(self.lines) if header.match(line)), None)
        if start is None:
            # Perhaps written inline under its parent: [sandbox] fs = { ... }
            parent, _, leaf = table.rpartition(".")
            if parent:
                return self.find(parent, leaf)
            return 1
        if key is None:
            return start + 1
        pattern = re.compile(rf"(^|[\s{{,]){re.escape(key)}\s*=")
        for number in range(start + 1, len(self.lines)):
            line = self.lines[number]
            if any_header.match(line):
                break
            if pattern.search(line):
                return number + 1
        return start + 1


def load_manifest_file(path: Path | None) -> Manifest:
    """The manifest of the policy file at ``path`` (built-in defaults when it has none
    or there is no file)."""
    if path is None or not path.exists():
        return Manifest()
    from aegis_core.policy.loader import read_policy_text

    return parse_manifest(read_policy_text(path), str(path))
