"""``aegis doctor`` checks for Claude Code: is the CLI there, and do the installed
hooks point at an interpreter and a client that still exist (a deleted virtualenv
leaves hooks that fail, and without ``onFailure: block`` a failed hook is an allow)."""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aegis_claude_hook import settings
from aegis_core.config import Config
from aegis_core.doctor import CheckResult
from aegis_core.errors import ExitCode

NAME = "claude.hooks"


@dataclass(frozen=True)
class HookInstallCheck:
    name: str = NAME
    category: str = "environment"

    def run(self, config: Config) -> CheckResult:
        problems: list[str] = []
        broken: list[Path] = []
        installed: list[str] = []
        for scope in settings.SCOPES:
            path = settings.settings_file(scope)
            if not path.exists():
                continue
            try:
                data = settings.read_settings(path)
            except Exception as exc:  # a check reports, it does not crash
                problems.append(f"{path}: unreadable ({exc})")
                continue
            for hook in _aegis_hooks(data):
                installed.append(scope)
                issue = _hook_problem(hook)
                if issue:
                    problems.append(f"{path}: {issue}")
                    broken.append(path)
        if problems:
            def fix() -> str:
                block = settings.default_hooks_settings(int(config.get("approvals", "timeout_seconds", 300)))
                for path in dict.fromkeys(broken):
                    settings.install(path, block)
                return "rewrote the Aegis hooks in " + ", ".join(map(str, dict.fromkeys(broken)))

            return CheckResult(NAME, "fail", "; ".join(problems),
                               fix="reinstall them: aegis claude install --scope <scope>",
                               fixer=fix if broken else None, code=ExitCode.DEPENDENCY)
        if not installed:
            return CheckResult(NAME, "pass", "no Aegis hooks installed in Claude Code settings "
                               "(aegis wrap claude passes its own)")
        where = ", ".join(sorted(set(installed)))
        return CheckResult(NAME, "pass", f"hooks installed ({where}) point at an existing client")


@dataclass(frozen=True)
class ClaudeCliCheck:
    name: str = "claude.cli"
    category: str = "environment"

    def run(self, config: Config) -> CheckResult:
        executable = str(config.get("claude", "executable", "claude"))
        found = shutil.which(executable)
        if not found:
            return CheckResult(self.name, "warn", f"{executable!r} is not on PATH",
                               fix="npm install -g @anthropic-ai/claude-code")
        return CheckResult(self.name, "pass", found)


def _aegis_hooks(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    hooks = data.get("hooks")
    if isinstance(hooks, dict):
        for groups in hooks.values():
            for group in groups if isinstance(groups, list) else []:
                for hook in group.get("hooks", []) if isinstance(group, dict) else []:
                    if settings.is_aegis_hook(hook):
                        found.append(hook)
    return found


def _hook_problem(hook: dict[str, Any]) -> str | None:
    try:
        words = shlex.split(str(hook.get("command", "")))
    except ValueError:
        return "the hook command cannot be parsed"
    if not words:
        return "the hook command is empty"
    if not Path(words[0]).exists():
        return f"the hook's Python {words[0]} does not exist"
    scripts = [w for w in words[1:] if w.endswith(".py")]
    if not scripts:
        return "the hook command runs no client"
    for script in scripts:
        if not Path(script).exists():
            return f"the hook client {script} does not exist"
    if not any(script.endswith("aegis_core/hookclient/run.py") for script in scripts):
        return "the hook uses the launcher of an earlier Aegis version"
    if hook.get("onFailure") != "block":
        return "the hook lacks onFailure: block, so a crash of the client would let the call run"
    return None
