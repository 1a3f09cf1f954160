"""``aegis doctor`` checks for Telegram: the token's format, and that getMe works."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aegis_core.doctor import CheckResult
from aegis_core.errors import AegisError
from aegis_telegram.api import BotApi, valid_token_format
from aegis_telegram.setup import get_me, run_sync

if TYPE_CHECKING:
    from aegis_core.config import Config

SETUP_HINT = "run `aegis telegram setup`"


class TokenFormatCheck:
    name = "telegram.token_format"
    category = "channels"

    def run(self, config: Config) -> CheckResult:
        token = config.get("telegram", "bot_token")
        if not token:
            return CheckResult(self.name, "pass", "Telegram is not configured (skipped)")
        if not valid_token_format(token):
            return CheckResult(
                self.name,
                "fail",
                "[telegram] bot_token does not look like a bot token",
                fix=SETUP_HINT,
            )
        if not config.get("telegram", "allowed_users"):
            return CheckResult(
                self.name, "warn", "no [telegram] allowed_users: nobody can answer", fix=SETUP_HINT
            )
        return CheckResult(self.name, "pass", "bot token format is valid")


class ConnectivityCheck:
    name = "telegram.connectivity"
    category = "channels"

    def run(self, config: Config) -> CheckResult:
        token = config.get("telegram", "bot_token")
        if not token or not valid_token_format(token):
            return CheckResult(self.name, "pass", "no valid Telegram token (skipped)")

        async def probe() -> str:
            api = BotApi(token, config.get("telegram", "api_base"), request_timeout=5.0)
            try:
                bot = await get_me(api)
            finally:
                await api.aclose()
            return str(bot.get("username"))

        try:
            username = run_sync(probe())
        except AegisError as exc:
            return CheckResult(self.name, "fail", exc.message, fix=exc.hint or SETUP_HINT)
        return CheckResult(self.name, "pass", f"Telegram reachable, bot @{username}")
