"""Entry point of the PTY adapter plugin."""

from __future__ import annotations

from typing import Any

from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl

SECTION = ConfigSection(
    "pty",
    (Setting("idle_ms", "int", 300, help="quiet time before a prompt on screen is relayed", minimum=10),),
)


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)
