"""``aegis config``: read, change and check ``config.toml``; secrets stay masked."""

from __future__ import annotations

from typing import Any

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.config import REDACTED, Config, coerce, update_config_file, write_private  # noqa: F401 (re-exported)
from aegis_core.errors import ConfigError


@click.group()
def config() -> None:
    """Read and write Aegis configuration."""


def _split(key: str, cfg: Config) -> tuple[str, str]:
    section, _, name = key.partition(".")
    declared = cfg.sections.get(section)
    if not name or declared is None or declared.setting(name) is None:
        known = ", ".join(sorted(cfg.flat()))
        raise ConfigError(f"unknown key {key!r}", hint=f"keys look like section.key; known: {known}")
    return section, name


@config.command("get")
@click.argument("key")
@click.option("--show-secrets", is_flag=True, help="Print secret values in clear.")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def get(app: AppContext, key: str, show_secrets: bool, as_json: bool) -> None:
    """Print the effective value of KEY (section.key)."""
    cfg = app.config()
    section, name = _split(key, cfg)
    value = cfg.get(section, name)
    if not show_secrets:
        value = cfg.masked(section, name, value)
    if as_json:
        emit_json({"key": key, "value": value, "source": cfg.source(section, name)})
    else:
        click.echo("" if value is None else _show(value))


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@config.command("list")
@click.option("--show-secrets", is_flag=True, help="Print secret values in clear.")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def list_(app: AppContext, show_secrets: bool, as_json: bool) -> None:
    """Print every setting with its effective value and where it came from."""
    cfg = app.config()
    flat = cfg.flat(show_secrets=show_secrets)
    if as_json:
        emit_json({k: {"value": v, "source": cfg.source(*k.split(".", 1))} for k, v in flat.items()})
        return
    for key, value in flat.items():
        source = cfg.source(*key.split(".", 1))
        click.echo(f"{key} = {'' if value is None else _show(value)}  ({source})")


@config.command("set", context_settings={"ignore_unknown_options": True})
@click.argument("key")
@click.argument("value", type=click.UNPROCESSED)
@click.pass_obj
def set_(app: AppContext, key: str, value: str) -> None:
    """Set KEY to VALUE in config.toml, keeping the file's comments and layout.

    VALUE is checked against the key's type and limits first (a value such as -5 is
    taken as a value, not an option); nothing is written when it is invalid.
    """
    cfg = app.config()
    section, name = _split(key, cfg)
    setting = cfg.sections[section].setting(name)
    assert setting is not None
    parsed = coerce(setting, _parse_value(value, setting.type), name=key)
    path = cfg.file or cfg.home / "config.toml"
    update_config_file(path, section, {name: parsed})
    shown = _show(cfg.masked(section, name, parsed))
    click.echo(f"{key} = {shown}  (written to {path})")
    _say_what_next(app, cfg, section, name)


@config.command("unset")
@click.argument("key")
@click.pass_obj
def unset(app: AppContext, key: str) -> None:
    """Remove KEY from config.toml, so its default (or environment) value applies."""
    from aegis_core.config import remove_config_key

    cfg = app.config()
    section, name = _split(key, cfg)
    path = cfg.file or cfg.home / "config.toml"
    if not remove_config_key(path, section, name):
        click.echo(f"{key} is not set in {path}; nothing to do")
        return
    default = cfg.sections[section].setting(name)
    shown = "" if default is None or default.default is None else f" (default: {_show(default.default)})"
    click.echo(f"{key} removed from {path}{shown}")
    _say_what_next(app, cfg, section, name)


def _say_what_next(app: AppContext, cfg: Config, section: str, name: str) -> None:
    """A running daemon keeps the settings it started with: say how the change takes
    effect, and when the environment overrides the file anyway."""
    from aegis_core.config import env_name
    from aegis_core.daemon import process

    if cfg.source(section, name) == "env":
        click.echo(f"note: {env_name(section, name)} is set in your environment and overrides the file")
    if not process.inspect(cfg).running:
        click.echo("The daemon is not running; it takes effect at the next: aegis start")
    elif _has_command(app, "reload"):
        click.echo("The running daemon still uses the old value; apply it with: aegis reload")
    else:
        click.echo("The running daemon still uses the old value; restart it: aegis stop && aegis start")


def _has_command(app: AppContext, name: str) -> bool:
    """Whether ``aegis NAME`` exists (``aegis reload`` comes with the socket work)."""
    ctx = click.get_current_context()
    root = ctx.find_root()
    group = root.command
    return isinstance(group, click.Group) and group.get_command(root, name) is not None


def _parse_value(value: str, kind: str) -> Any:
    if kind.startswith("list[") and value.startswith("["):
        import json

        try:
            return json.loads(value)
        except ValueError as exc:
            raise ConfigError(f"{value!r} is not a list; write it as a,b,c or [\"a\",\"b\"]") from exc
    return value


@config.command("validate")
@click.option("--json", "as_json", is_flag=True, help="Output as JSON.")
@click.pass_obj
def validate(app: AppContext, as_json: bool) -> None:
    """Check config.toml: types, choices and unknown keys."""
    cfg = app.config()
    if as_json:
        emit_json({"valid": True, "file": str(cfg.file), "warnings": list(cfg.warnings)})
    else:
        click.echo(f"{cfg.file}: valid" + (f" ({len(cfg.warnings)} warnings)" if cfg.warnings else ""))


@config.command("path")
@click.pass_obj
def path(app: AppContext) -> None:
    """Print the path of config.toml."""
    click.echo(str(app.config().file))
