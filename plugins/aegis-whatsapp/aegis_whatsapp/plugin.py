"""Entry point of the WhatsApp channel plugin."""

from __future__ import annotations

from typing import Any

from aegis_core.config import ConfigSection, Setting
from aegis_core.hookspecs import hookimpl

SECTION = ConfigSection(
    "whatsapp",
    (
        Setting("access_token", "str", None, secret=True, help="Cloud API access token"),
        Setting("phone_number_id", "str", None, help="the sending phone number's id"),
        Setting("app_secret", "str", None, secret=True, help="app secret, signs webhooks"),
        Setting("verify_token", "str", None, secret=True, help="webhook verification token"),
        Setting("allowed_numbers", "list[str]", [], help="phone numbers allowed to answer"),
        Setting("api_base", "str", "https://graph.facebook.com", help="Graph API base URL"),
        Setting("api_version", "str", "v21.0"),
        Setting("webhook_host", "str", "127.0.0.1"),
        Setting("webhook_port", "int", 8787),
        Setting("template_name", "str", None, help="template sent outside the 24-hour window"),
        Setting("template_language", "str", "en_US", help="language code of that template"),
        Setting(
            "roles",
            "list[str]",
            [],
            help="NUMBER:ROLE pairs (admin, approver, viewer); allowed numbers default to approver",
        ),
    ),
    help="WhatsApp Cloud API channel: approval requests with buttons, answers on a webhook",
)


@hookimpl
def register_config_sections(register: Any) -> None:
    register(SECTION)


@hookimpl
def register_channels(register: Any) -> None:
    from aegis_whatsapp.channel import WhatsAppChannel

    register(WhatsAppChannel())


@hookimpl
def register_doctor_checks(register: Any) -> None:
    from aegis_whatsapp.doctor import CHECKS

    for check in CHECKS:
        register(check)
