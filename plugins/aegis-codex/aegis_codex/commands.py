"""``aegis codex settings|install|uninstall``: print the hooks (and their trust entries),
or put them in (or take them out of) Codex's ``hooks.json``, trusted in the user's
``config.toml`` (the shared shape, aegis_core.cli.hookcommands)."""

from __future__ import annotations

import json
from pathlib import Path

from aegis_codex import settings as codex_settings
from aegis_core.cli.hookcommands import HookCommands, hook_command_group, install_message, uninstall_message


def _show(approval_timeout: int, home: str | None) -> str:
    block = codex_settings.default_hooks_block(approval_timeout, home=home)
    path = codex_settings.hooks_file("user")
    trust = codex_settings.trust_entries(block, str(path))
    lines = [f"# {path} (hooks.json):", json.dumps(block, indent=2), "",
             f"# {codex_settings.config_file()}: Codex skips a hook it has no trust entry for",
             *(f'[hooks.state."{key}"]\ntrusted_hash = "{value}"' for key, value in trust.items()), "",
             "# `aegis codex install` writes both; `aegis wrap codex` passes them as -c overrides instead."]
    return "\n".join(lines)


def _install(scope: str, approval_timeout: int, home: str | None) -> list[str]:
    path = codex_settings.hooks_file(scope, cwd=Path.cwd())
    config = codex_settings.config_file()
    changed, backup = codex_settings.install(path, codex_settings.default_hooks_block(approval_timeout, home=home),
                                             config)
    lines = install_message(path, changed, backup, "Codex CLI")
    if changed:
        lines.insert(1, f"Trusted them in {config} (Codex skips untrusted hooks without a word).")
    return lines


def _uninstall(scope: str) -> list[str]:
    path = codex_settings.hooks_file(scope, cwd=Path.cwd())
    changed, removed = codex_settings.uninstall(path, codex_settings.config_file())
    return uninstall_message(path, changed, removed)


codex = hook_command_group(HookCommands(
    name="codex", agent="Codex CLI", show=_show, install=_install, uninstall=_uninstall,
    scopes=codex_settings.SCOPES, scope_help=codex_settings.SCOPE_HELP, shared_scopes=codex_settings.SHARED_SCOPES,
    settings_help="Print the hooks (hooks.json) and the trust entries (config.toml) Codex needs.",
))
