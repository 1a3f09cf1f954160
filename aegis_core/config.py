"""Aegis configuration: ``$AEGIS_HOME/config.toml`` in the seed README's format, layered
as CLI flags > ``AEGIS_<SECTION>_<KEY>`` environment > file > defaults.

Sections are declared (core ones here, plugins' through ``register_config_sections``),
so every value is validated against its declared type and every error names the key.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from aegis_core.errors import ConfigError, PermissionDenied
from aegis_core.frozen import Frozen
from aegis_core.home import DEFAULT_HOME, home_path
from aegis_core.tomlsubset import parse as parse_simple_toml

# Not `from typing import ...`: loading typing costs the quick commands (aegis
# status, aegis approvals list) a visible share of their start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

REDACTED = "***REDACTED***"


def aegis_home(env: Mapping[str, str] | None = None) -> Path:
    """The state directory: ``$AEGIS_HOME`` or ``~/.aegis`` (``~`` is ``env``'s HOME)."""
    return Path(home_path(env))


def ensure_home(home: Path) -> Path:
    """Create the state directory owner-only (0700) if it does not exist yet."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home


class Setting(Frozen):
    """One key of a section: its type, default, and whether it is a secret."""

    __match_args__ = ("key", "type", "default", "secret", "help", "choices", "minimum")
    __slots__ = __match_args__
    key: str
    type: str  # "str", "int", "float", "bool", "path", "list[str]", "list[int]"
    default: Any
    secret: bool
    help: str
    choices: tuple[str, ...]
    minimum: float | None

    def __init__(self, key: str, type: str, default: Any = None, secret: bool = False,
                 help: str = "", choices: tuple[str, ...] = (), minimum: float | None = None) -> None:
        self._set(key, type, default, secret, help, choices, minimum)


class ConfigSection(Frozen):
    __match_args__ = ("name", "settings", "help")
    __slots__ = __match_args__
    name: str
    settings: tuple[Setting, ...]
    help: str

    def __init__(self, name: str, settings: tuple[Setting, ...], help: str = "") -> None:
        self._set(name, settings, help)

    def setting(self, key: str) -> Setting | None:
        return next((s for s in self.settings if s.key == key), None)


CORE_SECTIONS: tuple[ConfigSection, ...] = (
    ConfigSection(
        "approvals",
        (
            Setting("timeout_seconds", "int", 300, help="auto-resolve after this many seconds", minimum=1),
            Setting("default_action", "str", "deny", choices=("deny", "approve"),
                    help="what a timed-out approval becomes"),
            Setting("channels", "list[str]", None,
                    help="channels to ask; default: terminal, every configured one, and cli"),
            Setting("max_per_minute", "int", 10, help="approval requests per session per minute", minimum=1),
            Setting("max_consecutive_denies", "int", 5,
                    help="denies in a row before a session is paused", minimum=1),
        ),
    ),
    ConfigSection("policy", (Setting("path", "path", "~/.aegis/policy.toml", help="policy rules file"),)),
    ConfigSection(
        "daemon",
        (
            Setting("socket", "path", None,
                    help="the operator socket; default $AEGIS_HOME/aegis.sock (agent sockets stay in $AEGIS_HOME)"),
        ),
    ),
    ConfigSection(
        "logging",
        (
            Setting("level", "str", "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
            Setting("format", "str", "text", choices=("text", "json")),
        ),
    ),
    ConfigSection("database", (Setting("path", "path", "~/.aegis/aegis.db", help="SQLite state file"),)),
    ConfigSection(
        "store",
        (
            Setting("retain_days", "int", 90, minimum=0,
                    help="days tool calls stay in the database (0: forever); the audit log keeps everything"),
            Setting("url", "str", None, secret=True,
                    help="postgresql://user:password@host:port/db shares approvals with a fleet (docs/fleet.md); "
                         "unset: this machine's SQLite only"),
        ),
    ),
    ConfigSection(
        "fleet",
        (
            Setting("machine", "str", None, help="this machine's name in the fleet (default: the host name)"),
            Setting("key", "str", None, secret=True,
                    help="the fleet key every daemon seals shared rows with (`aegis fleet key` makes one)"),
            Setting("key_file", "path", None, help="a file (0600) holding the fleet key instead of [fleet] key"),
            Setting("outage_grace_seconds", "int", 10, minimum=0,
                    help="how long calls already waiting for an approval wait for a lost fleet store to come "
                         "back (a restart, a failover) before they are denied"),
        ),
        help="fleet mode: many machines sharing one PostgreSQL ([store] url)",
    ),
    ConfigSection(
        "team",
        (
            Setting("members", "list[str]", None,
                    help='who may answer which approvals: "IDENTITY ROLE [machine=GLOB] [project=GLOB]", '
                         "ROLE admin, approver or viewer; unset: every channel's own users"),
        ),
    ),
)


class Config(Frozen):
    """Validated settings, by section and key, with where each value came from."""

    __match_args__ = ("home", "values", "sources", "sections", "file", "warnings")
    __slots__ = __match_args__
    home: Path
    values: Mapping[str, Mapping[str, Any]]
    sources: Mapping[tuple[str, str], str]
    sections: Mapping[str, ConfigSection]
    file: Path | None
    warnings: tuple[str, ...]

    def __init__(self, home: Path, values: Mapping[str, Mapping[str, Any]],
                 sources: Mapping[tuple[str, str], str] | None = None,
                 sections: Mapping[str, ConfigSection] | None = None,
                 file: Path | None = None, warnings: tuple[str, ...] = ()) -> None:
        self._set(home, values, {} if sources is None else sources, {} if sections is None else sections,
                  file, warnings)

    def __hash__(self) -> int:  # its mappings are not hashable
        return id(self)

    def get(self, section: str, key: str, default: Any = None) -> Any:
        value = self.values.get(section, {}).get(key)
        return default if value is None else value

    def section(self, name: str) -> Mapping[str, Any]:
        return self.values.get(name, {})

    def source(self, section: str, key: str) -> str:
        return self.sources.get((section, key), "default")

    def is_secret(self, section: str, key: str) -> bool:
        declared = self.sections.get(section)
        setting = declared.setting(key) if declared else None
        return bool(setting and setting.secret) or _looks_secret(key)

    def path(self, section: str, key: str, default_name: str) -> Path:
        """A path setting resolved against ``$AEGIS_HOME`` when left at its default."""
        if self.source(section, key) == "default":
            return self.home / default_name
        return Path(os.path.expanduser(str(self.get(section, key)))).absolute()

    def masked(self, section: str, key: str, value: Any) -> Any:
        """``value`` as it may be shown: a secret is ``***REDACTED***``; a store URL
        keeps everything but its password."""
        if value is None or not self.is_secret(section, key):
            return value
        if (section, key) == ("store", "url") and isinstance(value, str):
            from aegis_core.store.url import redact_url

            return redact_url(value)
        return REDACTED

    def flat(self, *, show_secrets: bool = False) -> dict[str, Any]:
        """``section.key -> value`` for every known key, secrets masked unless asked."""
        out: dict[str, Any] = {}
        for section, values in sorted(self.values.items()):
            for key, value in sorted(values.items()):
                if not show_secrets:
                    value = self.masked(section, key, value)
                out[f"{section}.{key}"] = value
        return out


# Keys the seed README documented that Aegis does not use: a file that still has them
# gets a warning saying why, not an "unknown key".
RETIRED_KEYS: dict[tuple[str, str], str] = {
    ("daemon", "port"): "the daemon listens on a Unix socket, not a port ([daemon] socket sets "
                        "its path); remove the line",
}


def _looks_secret(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in ("token", "secret", "password", "api_key"))


def _default_under(home: Path, setting: Setting) -> Any:
    """A default path written as ``~/.aegis/...`` means "in the Aegis home": under
    another ``AEGIS_HOME`` it is shown (and used) there."""
    default = setting.default
    prefix = DEFAULT_HOME + "/"
    if setting.type == "path" and isinstance(default, str) and default.startswith(prefix):
        return str(home / default[len(prefix):])
    return default


def env_name(section: str, key: str) -> str:
    return f"AEGIS_{section}_{key}".upper()


def read_config_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    """Read and parse ``config.toml`` without following a symlink.

    A symlinked file is refused (someone could point it at a file they control);
    a file other users may write is refused; one they may read is a warning.
    """
    warnings: list[str] = []
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return {}, warnings
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PermissionDenied(
                f"{path} is a symbolic link; Aegis refuses to read a linked config",
                hint=f"replace it with a regular file: cp --remove-destination \"$(readlink -f {path})\" {path}",
            ) from exc
        raise PermissionDenied(f"cannot read {path}: {exc.strerror}",
                               hint=f"check its owner and mode (chmod 600 {path})") from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise PermissionDenied(
                f"{path} is writable by other users, who could change your policy or channels",
                hint=f"run: chmod 600 {path}",
            )
        if mode & (stat.S_IRGRP | stat.S_IROTH):
            warnings.append(f"{path} is readable by other users and may hold tokens; run: chmod 600 {path}")
        raw = handle.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start})",
                          hint="save it as UTF-8") from exc
    data = parse_simple_toml(text)
    if data is not None:
        return data, warnings
    import tomllib

    try:
        return tomllib.loads(text), warnings
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}", hint="fix the line it names") from exc


def coerce(setting: Setting, value: Any, *, name: str) -> Any:
    """Convert ``value`` (from TOML, an env var or a flag) to the setting's type.

    :param name: how the user wrote the key (``[approvals] timeout_seconds``,
        ``AEGIS_APPROVALS_TIMEOUT_SECONDS``), for the error message.
    """
    kind = setting.type
    original = value
    try:
        if value is None:
            return None
        if kind in ("str", "path"):
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise TypeError
            result: Any = str(value)
        elif kind == "int":
            if isinstance(value, bool) or isinstance(value, float):
                raise TypeError
            result = int(value)
        elif kind == "float":
            if isinstance(value, bool):
                raise TypeError
            result = float(value)
        elif kind == "bool":
            if isinstance(value, bool):
                result = value
            elif isinstance(value, str) and value.lower() in ("1", "true", "yes", "on"):
                result = True
            elif isinstance(value, str) and value.lower() in ("0", "false", "no", "off", ""):
                result = False
            else:
                raise TypeError
        elif kind.startswith("list["):
            item = kind[5:-1]
            if isinstance(value, str):
                value = [part.strip() for part in value.split(",") if part.strip()]
            if not isinstance(value, list | tuple):
                raise TypeError
            try:
                result = [coerce(Setting(setting.key, item), v, name=name) for v in value]
            except ConfigError as exc:
                # Name the list's type, not just the bad item's.
                raise ValueError(str(exc)) from exc
        else:  # pragma: no cover - declared types are fixed above
            raise TypeError
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{name} must be {_describe(kind)}, got {original!r}",
            hint="fix it in config.toml or the environment",
        ) from exc
    if setting.choices and result not in setting.choices:
        raise ConfigError(f"{name} must be one of {', '.join(setting.choices)}, got {result!r}")
    if setting.minimum is not None and isinstance(result, int | float) and result < setting.minimum:
        raise ConfigError(f"{name} must be at least {setting.minimum:g}, got {result!r}")
    return result


def _describe(kind: str) -> str:
    return {
        "str": "a string",
        "path": "a path (string)",
        "int": "an integer",
        "float": "a number",
        "bool": "true or false",
        "list[str]": "a list of strings (comma-separated in the environment)",
        "list[int]": "a list of integers (comma-separated in the environment)",
    }.get(kind, kind)


def load_config(
    *,
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
    sections: Iterable[ConfigSection] = (),
    path: Path | None = None,
    plugin_sections_unknown: bool = False,
) -> Config:
    """Build the effective configuration.

    :param flags: ``{"section.key": value}`` from the command line; None values are
        ignored (flag not given).
    :param sections: extra sections declared by plugins.
    :param path: the config file; default ``$AEGIS_HOME/config.toml``.
    :param plugin_sections_unknown: the plugins were not loaded (a quick command), so
        a section the core does not declare is kept as written, without a warning.
    """
    env = os.environ if env is None else env
    home = home or aegis_home(env)
    declared = {s.name: s for s in (*CORE_SECTIONS, *sections)}
    file = path or Path(os.path.expanduser(env.get("AEGIS_CONFIG") or home / "config.toml"))
    data, warnings = read_config_file(file)

    values: dict[str, dict[str, Any]] = {}
    sources: dict[tuple[str, str], str] = {}
    for name, section in declared.items():
        out = values.setdefault(name, {})
        for setting in section.settings:
            out[setting.key] = _default_under(home, setting)
            sources[(name, setting.key)] = "default"

    for name, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: '{name}' must be a [section] table, got {type(table).__name__}")
        file_section = declared.get(name)
        if file_section is None:
            if not plugin_sections_unknown:
                warnings.append(f"{file}: unknown section [{name}] ignored "
                                "(is the plugin that reads it installed?)")
            values[name] = dict(table)
            sources.update(((name, key), "file") for key in table)
            continue
        for key, value in table.items():
            file_setting = file_section.setting(key)
            if file_setting is None:
                retired = RETIRED_KEYS.get((name, key))
                warnings.append(f"{file}: [{name}] {key} is ignored: {retired}" if retired
                                else f"{file}: unknown key [{name}] {key} ignored")
                continue
            values[name][key] = coerce(file_setting, value, name=f"{file}: [{name}] {key}")
            sources[(name, key)] = "file"

    for name, section in declared.items():
        for setting in section.settings:
            variable = env_name(name, setting.key)
            if variable in env:
                values[name][setting.key] = coerce(setting, env[variable], name=variable)
                sources[(name, setting.key)] = "env"

    for dotted, value in (flags or {}).items():
        if value is None:
            continue
        name, _, key = dotted.partition(".")
        flag_setting = declared[name].setting(key) if name in declared else None
        if flag_setting is None:
            raise ConfigError(f"unknown setting {dotted}")
        values[name][key] = coerce(flag_setting, value, name=dotted)
        sources[(name, key)] = "flag"

    return Config(home=home, values=values, sources=sources, sections=declared,
                  file=file, warnings=tuple(warnings))


def write_private(path: Path, text: str) -> None:
    """Write a file owner-only (0600), atomically, so a crash never leaves half a config."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def remove_config_key(path: Path, section: str, key: str) -> bool:
    """Remove ``key`` from ``[section]`` of config.toml (and the section when it is left
    empty), keeping everything else; False when it was not there."""
    import tomlkit

    if not path.exists():
        return False
    read_config_file(path)
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = document.get(section)
    if table is None or key not in table:
        return False
    del table[key]
    if not table:
        del document[section]
    write_private(path, tomlkit.dumps(document))
    return True


def update_config_file(path: Path, section: str, values: Mapping[str, Any]) -> None:
    """Set ``values`` in ``[section]`` of config.toml, keeping every other key, comment
    and layout (tomlkit); 0600, atomically. A symlinked or other-writable file is
    refused first, as when reading it."""
    import tomlkit

    ensure_home(path.parent)
    read_config_file(path)
    document = tomlkit.parse(path.read_text(encoding="utf-8") if path.exists() else "")
    table = document.get(section)
    if table is None:
        table = tomlkit.table()
        document[section] = table
    for key, value in values.items():
        table[key] = value
    write_private(path, tomlkit.dumps(document))

