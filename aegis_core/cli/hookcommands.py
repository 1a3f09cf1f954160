"""The shape every hook adapter's commands share: ``aegis <agent> settings`` prints what
to register, ``install``/``uninstall --scope`` put it in (or take it out of) the agent's
settings, keeping everything else. The adapter plugin supplies only what differs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from aegis_core.errors import ConfigError
from aegis_core.hookclient import installed_home
from aegis_core.hooksettings import BACKUP_SUFFIX


@dataclass(frozen=True)
class HookCommands:
    """What one agent's ``aegis <name> ...`` commands do.

    ``show(approval_timeout, home)`` returns the text ``settings`` prints; ``install(scope,
    approval_timeout, home)`` and ``uninstall(scope)`` return the lines to tell the user.
    ``home`` is the Aegis home to write into the hook commands (None: ``~/.aegis``, where
    the hook looks anyway; see aegis_core.hookclient.installed_home).
    ``scopes`` empty: the agent has no settings Aegis edits (``settings`` only).
    ``shared_scopes`` are committed with the project and shared with everyone who clones
    it: install refuses them (the hooks name this machine's paths), uninstall cleans them.
    ``private_scope`` is the one to suggest instead.
    """

    name: str
    agent: str
    show: Callable[[int, str | None], str]
    install: Callable[[str, int, str | None], Sequence[str]] | None = None
    uninstall: Callable[[str], Sequence[str]] | None = None
    scopes: tuple[str, ...] = ()
    scope_help: str = ""
    settings_help: str = ""
    shared_scopes: tuple[str, ...] = ()
    private_scope: str = "user"


def _config(ctx: click.Context) -> Any:
    app = ctx.find_object(object)  # the CLI's AppContext, when run under `aegis`
    make_config = getattr(app, "config", None)
    return make_config() if callable(make_config) else None


def approval_timeout(ctx: click.Context, override: int | None) -> int:
    """``--approval-timeout``, else ``[approvals] timeout_seconds``, else 300."""
    if override is not None:
        return override
    config = _config(ctx)
    return int(config.get("approvals", "timeout_seconds", 300)) if config is not None else 300


def hook_home(ctx: click.Context) -> str | None:
    """The Aegis home the installed hooks must name: this Aegis' own, unless it is
    ``~/.aegis`` (where the hook looks anyway)."""
    config = _config(ctx)
    return installed_home(config) if config is not None else None


timeout_option = click.option(
    "--approval-timeout",
    type=click.IntRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Approval timeout the hook's own timeout must cover (default: [approvals] timeout_seconds).",
)


def hook_command_group(spec: HookCommands) -> click.Group:
    """The click group ``aegis <spec.name>`` with settings, install and uninstall."""

    @click.group(spec.name, help=f"Put {spec.agent} under Aegis through its hooks.")
    def group() -> None:
        pass

    @group.command("settings", help=spec.settings_help or f"Print the hooks {spec.agent} should run (absolute paths).")
    @timeout_option
    @click.pass_context
    def show(ctx: click.Context, **kwargs: Any) -> None:
        click.echo(spec.show(approval_timeout(ctx, kwargs.get("approval_timeout")), hook_home(ctx)))

    if spec.install is None or spec.uninstall is None or not spec.scopes:
        return group
    install, uninstall = spec.install, spec.uninstall
    scope_option = click.option("--scope", type=click.Choice(spec.scopes), default=spec.scopes[0],
                                show_default=True, help=spec.scope_help)

    @group.command("install", help=f"Add Aegis' hooks to {spec.agent}'s settings (idempotent, keeps the rest).")
    @scope_option
    @timeout_option
    @click.pass_context
    def install_command(ctx: click.Context, scope: str, **kwargs: Any) -> None:
        if scope in spec.shared_scopes:
            raise ConfigError(
                f"the {scope} scope is shared with everyone who clones the repository, and Aegis' hooks "
                "name this machine's own paths (its Python and Aegis installation): on any other "
                "machine every tool call would fail",
                hint=f"use {_private_scopes(spec)}; teammates install Aegis and run the same command themselves",
            )
        for line in install(scope, approval_timeout(ctx, kwargs.get("approval_timeout")), hook_home(ctx)):
            click.echo(line)

    @group.command("uninstall", help=f"Remove Aegis' hooks (and only them) from {spec.agent}'s settings.")
    @scope_option
    def uninstall_command(scope: str) -> None:
        for line in uninstall(scope):
            click.echo(line)

    return group


def _private_scopes(spec: HookCommands) -> str:
    if spec.private_scope == "user":
        return "--scope user (all your projects)"
    return f"--scope {spec.private_scope} (this checkout only, not committed) or --scope user (all your projects)"


def install_message(path: Any, changed: bool, backup: Any, agent: str) -> list[str]:
    """What ``install`` tells the user, the same words for every agent."""
    if not changed:
        return [f"Aegis hooks already installed in {path}; nothing changed."]
    return [f"Installed Aegis hooks in {path}" + (f" (backup: {backup})" if backup else "") + ".",
            f"Every {agent} tool call now needs the daemon: start it with `aegis start`."]


def uninstall_message(path: Path, changed: bool, removed: Sequence[Path]) -> list[str]:
    """What ``uninstall`` tells the user: what was removed, backups included."""
    if not changed:
        return [f"No Aegis hooks in {path}; nothing changed."]
    if path in removed:
        lines = [f"Removed Aegis hooks: {path} held nothing else and was deleted."]
    else:
        lines = [f"Removed Aegis hooks from {path}; the rest of it is unchanged."]
    backups = [p for p in removed if p.name.startswith(path.name + BACKUP_SUFFIX)]
    if backups:
        lines.append("Deleted Aegis' backups: " + ", ".join(str(p) for p in backups))
    return lines
