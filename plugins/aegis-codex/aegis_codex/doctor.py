"""``aegis doctor`` checks for Codex CLI: is the CLI there, and do the installed hooks
run the current client under guard.sh, trusted (Codex skips an untrusted or stale hook
without a word, and a skipped hook guards nothing)?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aegis_codex import settings as codex_settings
from aegis_core.config import Config
from aegis_core.doctor import AgentCliCheck
from aegis_core.hooksettings import InstalledHooksCheck


def _files() -> list[tuple[str, Path]]:
    return [(scope, codex_settings.hooks_file(scope)) for scope in codex_settings.SCOPES]


def _problem(path: Path, event: str, group: int, index: int, hook: dict[str, Any]) -> str | None:
    return codex_settings.features_problem() or codex_settings.trust_problem(path, event, group, index, hook)


def _repair(config: Config, path: Path) -> None:
    block = codex_settings.default_hooks_block(int(config.get("approvals", "timeout_seconds", 300)))
    codex_settings.install(path, block, codex_settings.config_file())


def hook_install_check() -> InstalledHooksCheck:
    return InstalledHooksCheck(name="codex.hooks", agent="Codex CLI", owner=codex_settings.OWNER, files=_files,
                               reinstall="aegis codex install --scope <scope>",
                               guarded_events=codex_settings.GUARDED_EVENTS, extra_problem=_problem,
                               repair=_repair)


def cli_check() -> AgentCliCheck:
    return AgentCliCheck(name="codex.cli", section="codex", default="codex",
                         install="npm install -g @openai/codex")
