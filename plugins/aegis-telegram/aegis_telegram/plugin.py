"""Entry point of the Telegram channel plugin: its config section, the channel, the
``aegis telegram`` commands and the doctor checks."""

from __future__ import annotations

from typing import Any

from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl

SECTION = ConfigSection(
    "telegram",
    (
        Setting("bot_token", "str", None, secret=True, help="token from @BotFather"),
        Setting(
            "allowed_users", "list[int]", [], help="numeric Telegram user ids allowed to answer"
        ),
        Setting("api_base", "str", "https://api.telegram.org", help="Bot API base URL"),
        Setting(
            "admins",
            "list[int]",
            [],
            help="allowed users with the admin role (the others are approvers)",
        ),
        Setting(
            "viewers",
            "list[int]",
            [],
            help="allowed users who see approvals but may not answer them",
        ),
        Setting(
            "poll_timeout", "int", 30, minimum=1, help="long-polling timeout of getUpdates, seconds"
        ),
    ),
    help="Telegram Bot API channel",
)


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)


@hookimpl
def register_channels(register: Any) -> None:
    from aegis_telegram.channel import TelegramChannel

    register(TelegramChannel())


@hookimpl
def register_commands(cli: Any) -> None:
    from aegis_telegram.cli import telegram

    cli.add_command(telegram)


@hookimpl
def register_doctor_checks(register: Any) -> None:
    from aegis_telegram.doctor import ConnectivityCheck, TokenFormatCheck

    register(TokenFormatCheck())
    register(ConnectivityCheck())
