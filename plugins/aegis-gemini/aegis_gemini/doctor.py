"""``aegis doctor`` checks for Gemini CLI: is the CLI there, and do the installed hooks
run the current client under guard.sh with hooks turned on (Gemini runs a failed or
disabled hook's tool)?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aegis_core.config import Config
from aegis_core.doctor import AgentCliCheck
from aegis_core.hooksettings import InstalledHooksCheck, read_settings
from aegis_gemini import settings as gemini_settings


def _files() -> list[tuple[str, Path]]:
    return [(scope, gemini_settings.settings_file(scope)) for scope in gemini_settings.SCOPES]


def _problem(path: Path, event: str, group: int, index: int, hook: dict[str, Any]) -> str | None:
    for _, other in _files():  # a hooksConfig in any scope can turn ours off
        if other.exists():
            issue = gemini_settings.disabled_problem(read_settings(other))
            if issue:
                return f"{issue} ({other})"
    return None


def _repair(config: Config, path: Path) -> None:
    gemini_settings.install(path, gemini_settings.default_hooks_block(int(config.get("approvals", "timeout_seconds",
                                                                                      300))))


def hook_install_check() -> InstalledHooksCheck:
    return InstalledHooksCheck(name="gemini.hooks", agent="Gemini CLI", owner=gemini_settings.OWNER, files=_files,
                               reinstall="aegis gemini install --scope <scope>",
                               guarded_events=gemini_settings.GUARDED_EVENTS, extra_problem=_problem,
                               repair=_repair)


def cli_check() -> AgentCliCheck:
    return AgentCliCheck(name="gemini.cli", section="gemini", default="gemini",
                         install="npm install -g @google/gemini-cli")
