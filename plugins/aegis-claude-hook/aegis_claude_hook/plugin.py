"""Entry point of the Claude Code adapter plugin."""

from __future__ import annotations

from typing import Any

from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl

SECTION = ConfigSection(
    "claude",
    (Setting("executable", "str", "claude", help="the Claude Code CLI to run under `aegis wrap claude`"),),
)


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)
