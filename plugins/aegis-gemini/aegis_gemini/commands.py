"""``aegis gemini settings|install|uninstall``: print the hooks block, or put it in (or
take it out of) Gemini CLI's user or project settings (the shared shape,
aegis_core.cli.hookcommands)."""

from __future__ import annotations

import json
from pathlib import Path

from aegis_core.cli.hookcommands import HookCommands, hook_command_group, install_message, uninstall_message
from aegis_gemini import settings as gemini_settings


def _show(approval_timeout: int, home: str | None) -> str:
    return json.dumps(gemini_settings.default_hooks_block(approval_timeout, home=home), indent=2)


def _install(scope: str, approval_timeout: int, home: str | None) -> list[str]:
    path = gemini_settings.settings_file(scope, cwd=Path.cwd())
    changed, backup = gemini_settings.install(path, gemini_settings.default_hooks_block(approval_timeout, home=home))
    return install_message(path, changed, backup, "Gemini CLI")


def _uninstall(scope: str) -> list[str]:
    path = gemini_settings.settings_file(scope, cwd=Path.cwd())
    changed, removed = gemini_settings.uninstall(path)
    return uninstall_message(path, changed, removed)


gemini = hook_command_group(HookCommands(
    name="gemini", agent="Gemini CLI", show=_show, install=_install, uninstall=_uninstall,
    scopes=gemini_settings.SCOPES, scope_help=gemini_settings.SCOPE_HELP,
    shared_scopes=gemini_settings.SHARED_SCOPES,
    settings_help="Print the settings.json block (hooks, absolute paths) Gemini CLI should load.",
))
