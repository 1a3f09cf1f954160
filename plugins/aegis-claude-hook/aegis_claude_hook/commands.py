"""``aegis claude settings|install|uninstall``: print the hooks block, or put it in (or
take it out of) Claude Code's user, project or local settings file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from aegis_claude_hook import settings as hook_settings
from aegis_core.errors import ConfigError
from aegis_core.hookclient import installed_home

SCOPE_HELP = (
    "user: ~/.claude/settings.json; local: .claude/settings.local.json (this checkout, "
    "not committed); project: .claude/settings.json (shared: install refuses it, since the "
    "hooks name this machine's paths; uninstall cleans it)"
)


def _block(ctx: click.Context, override: int | None) -> dict[str, Any]:
    """The hooks block for this Aegis: its approval timeout, and its home when the
    hook would not find it on its own."""
    app = ctx.find_object(object)  # the CLI's AppContext, when run under `aegis`
    make_config = getattr(app, "config", None)
    config = make_config() if callable(make_config) else None
    timeout = override
    if timeout is None:
        timeout = int(config.get("approvals", "timeout_seconds", 300)) if config is not None else 300
    home = installed_home(config) if config is not None else None
    return hook_settings.default_hooks_settings(timeout, home=home)


timeout_option = click.option(
    "--approval-timeout",
    type=click.IntRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Approval timeout to cover (default: [approvals] timeout_seconds).",
)


@click.group("claude")
def claude() -> None:
    """Put Claude Code under Aegis through its hooks."""


@claude.command("settings")
@timeout_option
@click.pass_context
def show_settings(ctx: click.Context, approval_timeout: int | None) -> None:
    """Print the hooks block (absolute paths) for `claude --settings`."""
    click.echo(json.dumps(_block(ctx, approval_timeout), indent=2))


@claude.command("install")
@click.option(
    "--scope",
    type=click.Choice(hook_settings.SCOPES),
    default="user",
    show_default=True,
    help=SCOPE_HELP,
)
@timeout_option
@click.pass_context
def install_command(ctx: click.Context, scope: str, approval_timeout: int | None) -> None:
    """Add Aegis' hooks to a Claude Code settings file (idempotent, keeps the rest).

    The project scope is refused: that file is committed and shared, and the hooks
    name this machine's interpreter and Aegis installation, so on every other
    checkout Claude Code would fail (and block) every tool call.
    """
    if scope == "project":
        raise ConfigError(
            "the project scope is shared with everyone who clones the repository, and Aegis' "
            "hooks name this machine's own paths (its Python and Aegis installation): on any "
            "other machine every tool call would fail",
            hint="use --scope local (this checkout only, not committed) or --scope user (all "
                 "your projects); teammates install Aegis and run the same command themselves",
        )
    path = hook_settings.settings_file(scope, cwd=Path.cwd())
    block = _block(ctx, approval_timeout)
    changed, backup = hook_settings.install(path, block)
    if not changed:
        click.echo(f"Aegis hooks already installed in {path}; nothing changed.")
        return
    click.echo(
        f"Installed Aegis hooks in {path}" + (f" (backup: {backup})" if backup else "") + "."
    )
    click.echo("Every Claude Code tool call now needs the daemon: start it with `aegis start`.")


@claude.command("uninstall")
@click.option(
    "--scope",
    type=click.Choice(hook_settings.SCOPES),
    default="user",
    show_default=True,
    help=SCOPE_HELP,
)
def uninstall_command(scope: str) -> None:
    """Remove Aegis' hooks (and only them) from a Claude Code settings file."""
    path = hook_settings.settings_file(scope, cwd=Path.cwd())
    changed, removed = hook_settings.uninstall(path)
    if not changed:
        click.echo(f"No Aegis hooks in {path}; nothing changed.")
        return
    if path in removed:
        click.echo(f"Removed Aegis hooks: {path} held nothing else and was deleted.")
    else:
        click.echo(f"Removed Aegis hooks from {path}; the rest of it is unchanged.")
    backups = [p for p in removed if p.name.startswith(path.name + hook_settings.BACKUP_SUFFIX)]
    if backups:
        click.echo("Deleted Aegis' backups: " + ", ".join(str(p) for p in backups))
