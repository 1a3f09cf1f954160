"""Entry point of the Claude Code adapter plugin: the ``claude`` adapter, the
``aegis claude`` commands, its config section and the Claude Code ``intercept``."""

from __future__ import annotations

from typing import Any

from aegis_claude_hook.intercept import to_tool_call
from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl
from aegis_core.models import AgentInput, ToolCall

SECTION = ConfigSection(
    "claude",
    (
        Setting(
            "executable",
            "str",
            "claude",
            help="the Claude Code CLI to run under `aegis wrap claude`",
        ),
    ),
)


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)


@hookimpl
def register_adapters(register: Any) -> None:
    from aegis_claude_hook.adapter import ClaudeAdapter

    register(ClaudeAdapter())


@hookimpl
def register_commands(cli: Any) -> None:
    from aegis_claude_hook.commands import claude

    cli.add_command(claude)


@hookimpl
def intercept(agent_input: AgentInput) -> ToolCall | None:
    return to_tool_call(agent_input)


@hookimpl
def register_doctor_checks(register: Any) -> None:
    from aegis_claude_hook.doctor import cli_check, hook_install_check

    register(hook_install_check())
    register(cli_check())
