"""``aegis claude settings|install|uninstall``: print the hooks block, or put it in (or
take it out of) Claude Code's user or local settings file (the shared shape,
aegis_core.cli.hookcommands)."""

from __future__ import annotations

import json
from pathlib import Path

from aegis_claude_hook import settings as hook_settings
from aegis_core.cli.hookcommands import HookCommands, hook_command_group, install_message, uninstall_message

SCOPE_HELP = (
    "user: ~/.claude/settings.json; local: .claude/settings.local.json (this checkout, "
    "not committed); project: .claude/settings.json (shared: install refuses it, since the "
    "hooks name this machine's paths; uninstall cleans it)"
)


def _show(approval_timeout: int, home: str | None) -> str:
    return json.dumps(hook_settings.default_hooks_settings(approval_timeout, home=home), indent=2)


def _install(scope: str, approval_timeout: int, home: str | None) -> list[str]:
    path = hook_settings.settings_file(scope, cwd=Path.cwd())
    changed, backup = hook_settings.install(path, hook_settings.default_hooks_settings(approval_timeout, home=home))
    return install_message(path, changed, backup, "Claude Code")


def _uninstall(scope: str) -> list[str]:
    path = hook_settings.settings_file(scope, cwd=Path.cwd())
    changed, removed = hook_settings.uninstall(path)
    return uninstall_message(path, changed, removed)


claude = hook_command_group(HookCommands(
    name="claude", agent="Claude Code", show=_show, install=_install, uninstall=_uninstall,
    scopes=hook_settings.SCOPES, scope_help=SCOPE_HELP, shared_scopes=hook_settings.SHARED_SCOPES,
    private_scope="local",
    settings_help="Print the hooks block (absolute paths) for `claude --settings`.",
))
