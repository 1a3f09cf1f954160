"""The Claude Code ``hooks`` block that routes every tool call through Aegis, and the
idempotent install/uninstall of that block into Claude Code's settings files (the
machinery is aegis_core.hooksettings, shared by every hook adapter)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aegis_core import hooksettings
from aegis_core.errors import ConfigError
from aegis_core.hooksettings import (
    BACKUP_SUFFIX,
    backup_path,
    client_deadline,
    hook_timeout,
    read_settings,
    write_settings,
)

# The encoder the shared hook client (aegis_core/hookclient) writes Claude Code's answers with.
CLIENT = Path(__file__).resolve().with_name("wire.py")
# PermissionRequest: sent while Claude Code shows its own dialog, which races the other
# channels; the hook closes the dialog when another channel answers first.
GUARDED_EVENTS = ("PreToolUse", "PermissionRequest")
OBSERVED_EVENTS = ("PostToolUse", "PostToolUseFailure")
SCOPES = ("user", "project", "local")
# Committed and shared with everyone who clones the project: install refuses it (the
# hooks name this machine's paths), uninstall cleans it.
SHARED_SCOPES = ("project",)
# A hook is Aegis' own if its command runs one of these files: how uninstall tells ours
# apart (client.py: the launcher of earlier versions).
OWNER = hooksettings.HookOwner(("aegis_claude_hook/wire.py", "aegis_claude_hook/client.py"))


def hook_command(python: str, client: str, event: str, timeout_s: int, runner: str | None = None,
                 home: str | None = None) -> str:
    return hooksettings.hook_command(client, event, timeout_s, python=python, runner=runner, home=home)


def hooks_settings(python: str, client: str, timeout_s: int, *, runner: str | None = None,
                   home: str | None = None) -> dict[str, Any]:
    """The settings object for ``claude --settings`` (or to merge into a settings file).

    :param python: absolute path of the interpreter that runs the client.
    :param client: absolute path of ``aegis_claude_hook/wire.py`` (the encoder).
    :param timeout_s: the hook timeout Claude Code enforces, in seconds.
    :param runner: the shared client's run.py (default: this installation's).
    :param home: the Aegis home, when not ``~/.aegis`` (``AEGIS_HOME`` still wins at run
        time, and ``AEGIS_SOCKET`` over both: a wrapped session's own socket).
    """
    hooks: dict[str, Any] = {}
    for event in (*GUARDED_EVENTS, *OBSERVED_EVENTS):
        hooks[event] = [
            {
                "matcher": "*",
                "hooks": [
                    {
                        "type": "command",
                        "command": hook_command(python, client, event, timeout_s, runner, home),
                        "timeout": int(timeout_s),
                        # Without it Claude Code runs the tool when the hook crashes or times out.
                        "onFailure": "block",
                    }
                ],
            }
        ]
    return {"hooks": hooks}


def default_hooks_settings(approval_timeout_s: int, *, home: str | None = None) -> dict[str, Any]:
    """``hooks_settings`` for this interpreter and this installed client."""
    return hooks_settings(
        os.path.abspath(sys.executable), str(CLIENT), hook_timeout(approval_timeout_s), home=home
    )


def settings_file(
    scope: str, *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The settings file of a scope: user, project (shared) or local (not committed)."""
    env = os.environ if env is None else env
    cwd = cwd or Path.cwd()
    if scope == "user":
        config_dir = env.get("CLAUDE_CONFIG_DIR")
        base = (
            Path(config_dir).expanduser()
            if config_dir
            else Path(env.get("HOME") or Path.home()) / ".claude"
        )
        return base / "settings.json"
    if scope == "project":
        return cwd / ".claude" / "settings.json"
    if scope == "local":
        return cwd / ".claude" / "settings.local.json"
    raise ConfigError(f"unknown scope {scope!r}", hint=f"use one of {', '.join(SCOPES)}")


def is_aegis_hook(hook: Any) -> bool:
    return OWNER.owns(hook)


def without_aegis(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``settings`` with every Aegis hook removed; everything else kept."""
    return hooksettings.without_ours(settings, OWNER)


def merged(settings: Mapping[str, Any], block: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` with Aegis' hooks replaced by those of ``block``."""
    return hooksettings.merged(settings, block, OWNER)


def install(path: Path, block: Mapping[str, Any]) -> tuple[bool, Path | None]:
    """Merge Aegis' hooks into the settings file. Returns (changed, backup path)."""
    return hooksettings.install(path, block, OWNER)


def uninstall(path: Path) -> tuple[bool, list[Path]]:
    """Remove Aegis' hooks (only those) from the settings file, and every trace of Aegis
    with them (see aegis_core.hooksettings.uninstall). Returns (changed, paths removed)."""
    return hooksettings.uninstall(path, OWNER)


__all__ = ["BACKUP_SUFFIX", "CLIENT", "OWNER", "SCOPES", "SHARED_SCOPES", "backup_path", "client_deadline",
           "default_hooks_settings", "hook_timeout", "hooks_settings", "install", "merged", "read_settings",
           "settings_file", "uninstall", "without_aegis", "write_settings"]
