"""``aegis setup``: the first-run wizard. Creates ``$AEGIS_HOME`` (0700), a commented
config (0600), a short policy for the user's own rules over the built-in packs, and
the database; then walks through each installed channel plugin. Safe to re-run: it
keeps what exists unless told otherwise."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.cli.config import write_private
from aegis_core.config import ensure_home

CONFIG_TEMPLATE = """\
# Aegis configuration. Every key can also be set as AEGIS_<SECTION>_<KEY>
# (lists comma-separated); command-line flags win over both.

[approvals]
timeout_seconds = 300          # deny when nobody answers within this many seconds
default_action = "deny"        # "deny" or "approve" on timeout
# channels = ["terminal", "telegram", "cli"]  # default: the agent's own dialog,
                                  # every configured channel, and cli; first answer wins
max_per_minute = 10            # approval requests per session per minute
max_consecutive_denies = 5     # denies in a row before a session is paused

[policy]
path = "{policy}"

[logging]
level = "INFO"                 # DEBUG, INFO, WARNING, ERROR
format = "text"                # "text" or "json"
"""


@click.command()
@click.option("--non-interactive", is_flag=True, help="Skip prompts; use flags and env vars.")
@click.option("--telegram-token", help="Telegram bot token (configures the Telegram channel).")
@click.option("--allowed-users", help="Comma-separated Telegram user ids allowed to answer.")
@click.option("--config-path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the config here instead of $AEGIS_HOME/config.toml.")
@click.option("--force", is_flag=True, help="Rewrite config.toml and policy.toml (old ones are backed up).")
@click.option("--json", "as_json", is_flag=True, help="Output results as JSON.")
@click.pass_obj
def setup(app: AppContext, non_interactive: bool, telegram_token: str | None, allowed_users: str | None,
          config_path: Path | None, force: bool, as_json: bool) -> None:
    """Set Aegis up: state directory, config, your policy, database, channels."""
    def say(text: str) -> None:
        if not as_json:
            click.echo(text)

    import sys

    from aegis_core.config import aegis_home

    interactive = not non_interactive and not as_json and sys.stdin.isatty()

    home = ensure_home(aegis_home())
    if os.stat(home).st_mode & 0o077:
        os.chmod(home, 0o700)
    report: dict[str, Any] = {"home": str(home), "created": [], "kept": [], "backed_up": [], "channels": {}}
    say(f"Aegis home: {home} (mode 700)")

    config_file = config_path or home / "config.toml"
    policy_file = home / "policy.toml"
    _write_once(config_file, CONFIG_TEMPLATE.format(policy=policy_file), force, report, say)
    _write_once(policy_file, _starter_policy_text(), force, report, say)

    config = app.config() if config_path is None else _config_at(app, config_path)
    from aegis_core.store import Store

    db = config.path("database", "path", "aegis.db")
    Store.open(db).close()
    report["database"] = str(db)
    say(f"Database: {db}")

    options = {"telegram_token": telegram_token, "allowed_users": allowed_users}
    for name, channel in app.plugins.channels().items():
        step = getattr(channel, "setup", None)
        if step is None:
            continue
        wanted = any(v for k, v in options.items() if k.startswith(name)) or (
            interactive and click.confirm(f"Set up the {name} channel now?", default=False))
        if not wanted:
            report["channels"][name] = {"configured": _configured(channel, config)}
            continue
        result = step(config_file, interactive=interactive, options=options, say=say)
        report["channels"][name] = {"configured": True, **(result or {})}

    from aegis_core.daemon import process

    running = process.inspect(config).running
    report["daemon_running"] = running
    if as_json:
        emit_json(report)
        return
    say("\nDone. Next:")
    if running and (report["created"] or any(c.get("configured") for c in report["channels"].values())):
        from aegis_core.cli.config import _has_command

        apply = "aegis reload" if _has_command(app, "reload") else "aegis stop && aegis start"
        say(f"  {apply:<20} # the running daemon still has the old settings")
    elif not running:
        say("  aegis start          # start the daemon")
    say("  aegis wrap claude    # run Claude Code with every tool call checked")
    say("  aegis doctor         # check the installation")


def _write_once(path: Path, text: str, force: bool, report: dict[str, Any], say: Any) -> None:
    if path.exists() and not force:
        report["kept"].append(str(path))
        say(f"Kept:    {path}")
        return
    if path.exists():
        backup = path.with_name(f"{path.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.copy2(path, backup)
        os.chmod(backup, 0o600)
        report["backed_up"].append(str(backup))
        say(f"Backup:  {backup}")
    ensure_home(path.parent)
    write_private(path, text)
    report["created"].append(str(path))
    say(f"Wrote:   {path} (mode 600)")


def _starter_policy_text() -> str:
    from aegis_core.policy.loader import starter_policy_text

    return starter_policy_text()


def _config_at(app: AppContext, path: Path) -> Any:
    from aegis_core.config import load_config

    return load_config(path=path, sections=app.plugins.config_sections())


def _configured(channel: Any, config: Any) -> bool:
    try:
        return bool(channel.is_configured(config))
    except Exception:
        return False
