"""Entry point of the Gemini CLI adapter plugin: the ``gemini`` adapter, the ``aegis
gemini`` commands, its config section, the Gemini ``intercept`` and doctor checks."""

from __future__ import annotations

from typing import Any

from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl
from aegis_core.models import AgentInput, ToolCall
from aegis_gemini.intercept import to_tool_call

SECTION = ConfigSection(
    "gemini",
    (Setting("executable", "str", "gemini", help="the Gemini CLI to run under `aegis wrap gemini`"),),
)


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)


@hookimpl
def register_adapters(register: Any) -> None:
    from aegis_gemini.adapter import GeminiAdapter

    register(GeminiAdapter())


@hookimpl
def register_commands(cli: Any) -> None:
    from aegis_gemini.commands import gemini

    cli.add_command(gemini)


@hookimpl
def intercept(agent_input: AgentInput) -> ToolCall | None:
    return to_tool_call(agent_input)


@hookimpl
def register_doctor_checks(register: Any) -> None:
    from aegis_gemini.doctor import cli_check, hook_install_check

    register(hook_install_check())
    register(cli_check())
