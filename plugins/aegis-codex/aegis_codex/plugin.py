"""Entry point of the Codex CLI adapter plugin: the ``codex`` adapter, the ``aegis
codex`` commands, its config section, the Codex ``intercept`` and doctor checks."""

from __future__ import annotations

from typing import Any

from aegis_codex.intercept import to_tool_call
from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl
from aegis_core.models import AgentInput, ToolCall

SECTION = ConfigSection(
    "codex",
    (Setting("executable", "str", "codex", help="the Codex CLI to run under `aegis wrap codex`"),),
)


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)


@hookimpl
def register_adapters(register: Any) -> None:
    from aegis_codex.adapter import CodexAdapter

    register(CodexAdapter())


@hookimpl
def register_commands(cli: Any) -> None:
    from aegis_codex.commands import codex

    cli.add_command(codex)


@hookimpl
def intercept(agent_input: AgentInput) -> ToolCall | None:
    return to_tool_call(agent_input)


@hookimpl
def register_doctor_checks(register: Any) -> None:
    from aegis_codex.doctor import cli_check, hook_install_check

    register(hook_install_check())
    register(cli_check())
