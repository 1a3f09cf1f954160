"""The ``[whatsapp]`` settings the channel runs with, validated once from the config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aegis_core.errors import ConfigError
from aegis_whatsapp.render import normalise_number

if TYPE_CHECKING:
    from aegis_core.config import Config

REQUIRED = ("access_token", "phone_number_id", "app_secret", "verify_token", "allowed_numbers")
ROLES = ("admin", "approver", "viewer")
APPROVER_ROLES = frozenset({"admin", "approver"})
DEFAULT_ROLE = "approver"


def missing_keys(config: Config) -> list[str]:
    """The required keys that are not set."""
    return [key for key in REQUIRED if not config.get("whatsapp", key)]


def parse_roles(entries: list[str] | None) -> dict[str, str]:
    """``["15551234567:viewer", ...]`` -> ``{"15551234567": "viewer"}``."""
    roles: dict[str, str] = {}
    for entry in entries or []:
        number, sep, role = str(entry).rpartition(":")
        if not sep:
            number, sep, role = str(entry).rpartition("=")
        role = role.strip().lower()
        if not sep or not normalise_number(number) or role not in ROLES:
            raise ConfigError(
                f"[whatsapp] roles: {entry!r} is not NUMBER:ROLE with ROLE one of {', '.join(ROLES)}",
                hint='write e.g. roles = ["15551234567:approver", "15557654321:viewer"]',
            )
        roles[normalise_number(number)] = role
    return roles


@dataclass(frozen=True)
class WhatsAppSettings:
    access_token: str
    phone_number_id: str
    app_secret: str
    verify_token: str
    allowed_numbers: tuple[str, ...]
    roles: dict[str, str]
    api_base: str
    api_version: str
    webhook_host: str
    webhook_port: int
    template_name: str | None
    template_language: str

    @classmethod
    def from_config(cls, config: Config) -> WhatsAppSettings:
        missing = missing_keys(config)
        if missing:
            raise ConfigError(
                f"[whatsapp] is missing {', '.join(missing)}",
                hint="set them in config.toml or as AEGIS_WHATSAPP_<KEY>, or run `aegis setup`",
            )
        section = config.section("whatsapp")
        numbers = tuple(dict.fromkeys(n for n in map(normalise_number, section["allowed_numbers"]) if n))
        if not numbers:
            raise ConfigError(
                "[whatsapp] allowed_numbers holds no phone number",
                hint='write them with country code, e.g. ["15551234567"]',
            )
        return cls(
            access_token=str(section["access_token"]),
            phone_number_id=str(section["phone_number_id"]),
            app_secret=str(section["app_secret"]),
            verify_token=str(section["verify_token"]),
            allowed_numbers=numbers,
            roles=parse_roles(section.get("roles")),
            api_base=str(config.get("whatsapp", "api_base", "https://graph.facebook.com")),
            api_version=str(config.get("whatsapp", "api_version", "v21.0")),
            webhook_host=str(config.get("whatsapp", "webhook_host", "127.0.0.1")),
            webhook_port=int(config.get("whatsapp", "webhook_port", 8787)),
            template_name=config.get("whatsapp", "template_name") or None,
            template_language=str(config.get("whatsapp", "template_language", "en_US")),
        )

    def role(self, number: str) -> str | None:
        """The role of ``number``, or None when it is not allowed at all."""
        if number not in self.allowed_numbers:
            return None
        return self.roles.get(number, DEFAULT_ROLE)

    @property
    def approvers(self) -> tuple[str, ...]:
        """The numbers asked for approvals (admins and approvers)."""
        return tuple(n for n in self.allowed_numbers if self.role(n) in APPROVER_ROLES)

    def __repr__(self) -> str:  # never print the secrets
        return (
            f"WhatsAppSettings(phone_number_id={self.phone_number_id!r}, "
            f"numbers={len(self.allowed_numbers)}, api_base={self.api_base!r})"
        )
