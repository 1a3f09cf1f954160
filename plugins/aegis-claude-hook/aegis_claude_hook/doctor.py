"""``aegis doctor`` checks for Claude Code: is the CLI there, and do the installed
hooks point at an interpreter and a client that still exist (a deleted virtualenv
leaves hooks that fail, and without ``onFailure: block`` a failed hook is an allow).
The check itself is the shared one (aegis_core.hooksettings); this says where to look."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aegis_claude_hook import settings
from aegis_core.config import Config
from aegis_core.doctor import AgentCliCheck
from aegis_core.hooksettings import InstalledHooksCheck

NAME = "claude.hooks"


def _files() -> list[tuple[str, Path]]:
    return [(scope, settings.settings_file(scope)) for scope in settings.SCOPES]


def _needs_on_failure(path: Path, event: str, group: int, index: int, hook: dict[str, Any]) -> str | None:
    if hook.get("onFailure") != "block":
        return "the hook lacks onFailure: block, so a crash of the client would let the call run"
    return None


def _repair(config: Config, path: Path) -> None:
    settings.install(path, settings.default_hooks_settings(int(config.get("approvals", "timeout_seconds", 300))))


def hook_install_check() -> InstalledHooksCheck:
    return InstalledHooksCheck(name=NAME, agent="Claude Code", owner=settings.OWNER, files=_files,
                               reinstall="aegis claude install --scope <scope>",
                               extra_problem=_needs_on_failure, repair=_repair)


def cli_check() -> AgentCliCheck:
    return AgentCliCheck(name="claude.cli", section="claude", default="claude",
                         install="npm install -g @anthropic-ai/claude-code")
