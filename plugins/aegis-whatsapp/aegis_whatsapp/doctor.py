"""``aegis doctor`` checks for the WhatsApp channel: credentials, the webhook port, the
template for the 24-hour window, and the window of each approver as last seen."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aegis_core.doctor import CheckResult
from aegis_core.errors import ConfigError, ExitCode
from aegis_whatsapp.render import mask_number
from aegis_whatsapp.settings import REQUIRED, WhatsAppSettings, missing_keys
from aegis_whatsapp.window import load_state

if TYPE_CHECKING:
    from aegis_core.config import Config


def _in_use(config: Config) -> bool:
    return any(config.get("whatsapp", key) for key in REQUIRED)


def _skip(name: str) -> CheckResult:
    return CheckResult(name, "pass", "WhatsApp is not configured (channel off)")


@dataclass(frozen=True)
class CredentialsCheck:
    name: str = "whatsapp.credentials"
    category: str = "channels"

    def run(self, config: Config) -> CheckResult:
        if not _in_use(config):
            return _skip(self.name)
        missing = missing_keys(config)
        if missing:
            keys = ", ".join(missing)
            return CheckResult(
                self.name,
                "fail",
                f"[whatsapp] is missing {keys}",
                fix=f"set {keys} in config.toml (or AEGIS_WHATSAPP_<KEY>), or run `aegis setup`",
            )
        try:
            settings = WhatsAppSettings.from_config(config)
        except ConfigError as exc:
            return CheckResult(self.name, "fail", exc.message, fix=exc.hint)
        if not settings.approvers:
            return CheckResult(
                self.name,
                "fail",
                "no allowed number has an approver role",
                fix="give at least one number the approver or admin role in [whatsapp] roles",
            )
        # Secrets are reported as present, never shown.
        return CheckResult(
            self.name,
            "pass",
            f"access token, app secret and verify token set; phone number id "
            f"{settings.phone_number_id}; {len(settings.approvers)} approver(s)",
        )


@dataclass(frozen=True)
class ConnectivityCheck:
    """The credentials work against the real API: an access token that never worked
    is a failure, not a pass because it is set."""

    name: str = "whatsapp.connectivity"
    category: str = "channels"

    def run(self, config: Config) -> CheckResult:
        if not _in_use(config) or missing_keys(config):
            return _skip(self.name)
        try:
            settings = WhatsAppSettings.from_config(config)
        except ConfigError:
            return _skip(self.name)  # the credentials check reports it
        from aegis_whatsapp.setup import check_credentials

        problem = check_credentials(settings)
        if problem is not None:
            return CheckResult(self.name, "fail", f"the WhatsApp API refused the credentials: {problem}",
                               fix="set a working [whatsapp] access_token and phone_number_id",
                               code=ExitCode.NETWORK)
        return CheckResult(self.name, "pass", "the WhatsApp API accepts the access token for this number")


@dataclass(frozen=True)
class WebhookPortCheck:
    name: str = "whatsapp.webhook_port"
    category: str = "channels"

    def run(self, config: Config) -> CheckResult:
        if not _in_use(config):
            return _skip(self.name)
        host = str(config.get("whatsapp", "webhook_host", "127.0.0.1"))
        port = int(config.get("whatsapp", "webhook_port", 8787))
        state = load_state(config.home)
        ours = state is not None and state.webhook and _running(state.pid)
        try:
            family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(address)
        except OSError as exc:
            if ours:
                return CheckResult(
                    self.name,
                    "pass",
                    f"the Aegis daemon (pid {state.pid}) serves the webhook on {host}:{port}",
                )
            return CheckResult(
                self.name,
                "fail",
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                fix="free that port or set [whatsapp] webhook_port",
            )
        return CheckResult(self.name, "pass", f"{host}:{port} is free for the webhook (path /webhook)")


@dataclass(frozen=True)
class TemplateCheck:
    name: str = "whatsapp.template"
    category: str = "channels"

    def run(self, config: Config) -> CheckResult:
        if not _in_use(config):
            return _skip(self.name)
        template = config.get("whatsapp", "template_name")
        if not template:
            return CheckResult(
                self.name,
                "warn",
                "no template_name: a request to someone who has not written in 24 hours cannot be delivered",
                fix="create an approved message template in WhatsApp Manager and set [whatsapp] template_name",
            )
        language = config.get("whatsapp", "template_language", "en_US")
        return CheckResult(self.name, "pass", f"template {template!r} ({language}) is used outside the window")


@dataclass(frozen=True)
class WindowCheck:
    name: str = "whatsapp.window"
    category: str = "channels"

    def run(self, config: Config) -> CheckResult:
        if not _in_use(config):
            return _skip(self.name)
        state = load_state(config.home)
        if state is None or not state.numbers:
            return CheckResult(self.name, "pass", "24-hour window: not known yet (no message sent or received)")
        now = time.time()
        states = {number: state.state(number, now) for number in state.numbers}
        text = ", ".join(f"{mask_number(n)} {s}" for n, s in sorted(states.items()))
        details = {mask_number(n): s for n, s in states.items()}
        if "closed" in states.values():
            template = config.get("whatsapp", "template_name")
            fix = "ask the approver to send any message to the business number to reopen it" + (
                "" if template else "; set [whatsapp] template_name so requests still reach them"
            )
            return CheckResult(self.name, "warn", f"24-hour window: {text}", fix=fix, details=details)
        return CheckResult(self.name, "pass", f"24-hour window: {text}", details=details)


def _running(pid: int | None) -> bool:
    from aegis_core.daemon.peers import alive

    return pid is not None and pid > 0 and alive(pid)


CHECKS = (CredentialsCheck(), ConnectivityCheck(), WebhookPortCheck(), TemplateCheck(), WindowCheck())
