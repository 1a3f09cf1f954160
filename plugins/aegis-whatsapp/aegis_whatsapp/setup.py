"""The WhatsApp step of ``aegis setup``: asks for the ``[whatsapp]`` keys (secrets without
echo), checks them, and writes the section into config.toml keeping everything else."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aegis_core.config import coerce, load_config, update_config_file
from aegis_core.errors import ConfigError
from aegis_whatsapp.plugin import SECTION
from aegis_whatsapp.settings import WhatsAppSettings

# (key, question) in the order they are asked; secrets are read without echo.
QUESTIONS = (
    ("access_token", "Cloud API access token"),
    ("phone_number_id", "Phone number id (WhatsApp Manager > API setup)"),
    ("app_secret", "App secret (App settings > Basic)"),
    ("verify_token", "Webhook verify token (any string; the same one in the app's webhook setup)"),
    ("allowed_numbers", "Phone numbers allowed to answer, with country code, comma-separated"),
    ("template_name", "Template sent outside the 24-hour window (blank: none)"),
    ("webhook_host", "Webhook address to listen on"),
    ("webhook_port", "Webhook port"),
)


def run_setup(
    config_file: Path,
    *,
    interactive: bool,
    options: Mapping[str, Any],
    say: Callable[[str], None],
    ask: Callable[[str, bool], str] | None = None,
) -> dict[str, Any]:
    """Configure the channel; return what ``aegis setup --json`` reports for it.

    :param ask: reads one answer (question, secret) -> text; default the terminal.
    """
    ask = ask or _ask_terminal
    current = load_config(path=config_file, sections=[SECTION])
    values: dict[str, Any] = {}
    for key, question in QUESTIONS:
        setting = SECTION.setting(key)
        assert setting is not None
        given = options.get(f"whatsapp_{key}")
        if given is None and interactive:
            existing = current.get("whatsapp", key)
            shown = "keep current" if setting.secret and existing else _show(existing)
            answer = ask(f"{question} [{shown}]: " if shown else f"{question}: ", setting.secret).strip()
            given = answer or None
        if given is not None:
            values[key] = coerce(setting, given, name=f"[whatsapp] {key}")
    _write_section(config_file, values)
    config = load_config(path=config_file, sections=[SECTION])
    try:
        settings = WhatsAppSettings.from_config(config)
    except ConfigError as exc:
        say(f"WhatsApp: not complete yet: {exc}")
        return {"configured": False, "error": exc.message}
    problem = check_credentials(settings)
    if problem is not None:
        say(f"WhatsApp: the credentials did not work: {problem}")
        say("  Fix [whatsapp] access_token / phone_number_id (`aegis config set ...`) and run "
            "`aegis setup` again; `aegis doctor` checks them too.")
        return {"configured": False, "error": problem}
    webhook = f"http://{settings.webhook_host}:{settings.webhook_port}/webhook"
    say(f"WhatsApp: configured for {len(settings.approvers)} approver(s); the API accepted the credentials.")
    say(f"  Point the app's webhook (Callback URL, through your HTTPS tunnel) at {webhook}")
    say("  and subscribe it to the 'messages' field; `aegis doctor` checks the rest.")
    if not settings.template_name:
        say("  No template_name: approvers who have not written in 24 hours cannot be reached.")
    return {"configured": True, "webhook": webhook, "template": bool(settings.template_name)}


def check_credentials(settings: WhatsAppSettings) -> str | None:
    """Ask the Graph API about the business number with the access token: None when
    they work together, else what went wrong (nothing is sent to anyone)."""
    import anyio

    from aegis_whatsapp.api import GraphClient, GraphError

    async def ask() -> str | None:
        client = GraphClient(api_base=settings.api_base, api_version=settings.api_version,
                             phone_number_id=settings.phone_number_id, access_token=settings.access_token,
                             timeout=10.0)
        try:
            await client.check()
        except GraphError as exc:
            return exc.message + (f" ({exc.hint})" if exc.hint else "")
        finally:
            await client.aclose()
        return None

    return anyio.run(ask)


def _show(value: Any) -> str:
    if value in (None, "", []):
        return ""
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def _ask_terminal(question: str, secret: bool) -> str:
    return getpass.getpass(question) if secret else input(question)


def _write_section(config_file: Path, values: Mapping[str, Any]) -> None:
    if values:
        update_config_file(config_file, "whatsapp", values)
