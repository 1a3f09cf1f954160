"""Entry point of the Telegram channel plugin."""

from __future__ import annotations

from typing import Any

from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl

SECTION = ConfigSection(
    "telegram",
    (
        Setting("bot_token", "str", None, secret=True, help="token from @BotFather"),
        Setting("allowed_users", "list[int]", [], help="numeric Telegram user ids allowed to answer"),
        Setting("api_base", "str", "https://api.telegram.org", help="Bot API base URL"),
    ),
)


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)
