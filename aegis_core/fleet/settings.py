"""What fleet mode needs from the configuration: the store URL, this machine's name
and the fleet key, checked once so that a daemon never runs half in a fleet."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aegis_core.errors import ConfigError, PermissionDenied
from aegis_core.store.url import check_url, is_postgres

if TYPE_CHECKING:
    from aegis_core.config import Config

MIN_KEY_CHARS = 32


@dataclass(frozen=True)
class FleetSettings:
    url: str
    machine: str
    key: bytes = b""
    # How long calls already waiting for an approval wait for a lost store to come back.
    outage_grace_s: float = 10.0

    @property
    def key_id(self) -> str:
        """Names the key in seals (a rotated key tells "sealed before" from "forged")."""
        return hashlib.sha256(b"aegis-fleet-key-id\x00" + self.key).hexdigest()[:12]


def machine_name(config: Config) -> str:
    name = str(config.get("fleet", "machine") or "").strip()
    if not name:
        import socket  # only here: quick commands must not pay for it

        name = socket.gethostname() or "localhost"
    if len(name) > 100 or any(c.isspace() for c in name):
        raise ConfigError(f"[fleet] machine must be a short name without spaces, got {name!r}")
    return name


def fleet_settings(config: Config, *, need_key: bool = True) -> FleetSettings | None:
    """The fleet settings, or None when ``[store] url`` is not a PostgreSQL URL (this
    machine keeps its own SQLite). ``need_key``: the daemon refuses to run without the
    fleet key; commands that only read (``aegis fleet status``) do not need it."""
    url = config.get("store", "url")
    if not url:
        return None
    if not is_postgres(url):
        raise ConfigError("[store] url must be a postgresql://user:password@host:port/database URL",
                          hint="or remove it to keep this machine's SQLite store")
    check_url(str(url))
    key = _key(config) if need_key else b""
    return FleetSettings(url=str(url), machine=machine_name(config), key=key,
                         outage_grace_s=float(config.get("fleet", "outage_grace_seconds", 10)))


def _key(config: Config) -> bytes:
    text = config.get("fleet", "key")
    source = "[fleet] key"
    if not text and config.get("fleet", "key_file"):
        path = Path(os.path.expanduser(str(config.get("fleet", "key_file"))))
        source = str(path)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            raise ConfigError(f"cannot read the fleet key file {path}: {exc.strerror}",
                              hint="check [fleet] key_file") from exc
        with os.fdopen(fd, "r", encoding="utf-8") as handle:
            if os.fstat(handle.fileno()).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise PermissionDenied(f"the fleet key file {path} is readable or writable by other users",
                                       hint=f"run: chmod 600 {path}")
            text = handle.read().strip()
    if not text:
        raise ConfigError("fleet mode ([store] url is PostgreSQL) needs the fleet key every daemon seals "
                          "shared approvals with",
                          hint="make one with `aegis fleet key`, and set the same [fleet] key (or key_file) on "
                               "every machine of the fleet")
    if len(str(text)) < MIN_KEY_CHARS:
        raise ConfigError(f"the fleet key ({source}) is too short: at least {MIN_KEY_CHARS} characters",
                          hint="make one with `aegis fleet key`")
    return str(text).encode("utf-8")
