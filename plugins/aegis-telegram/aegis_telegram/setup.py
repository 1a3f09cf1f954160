"""Setting up the Telegram channel: check the token with getMe, pair the user's
account with a one-time code (users rarely know their numeric id), send a test
message, and write ``[telegram]`` into config.toml owner-only."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aegis_core.config import update_config_file
from aegis_core.errors import AegisEnvironmentError, AegisError, ConfigError, NetworkError
from aegis_telegram.api import (
    BotApi,
    TelegramConflict,
    TelegramError,
    TelegramUnauthorized,
    TelegramUnavailable,
    valid_token_format,
)

T = TypeVar("T")
TEST_MESSAGE = "✅ Aegis is connected. Approval requests will arrive here."


@dataclass
class SetupResult:
    bot_username: str
    allowed_users: list[int]
    admins: list[int]
    config_path: Path
    tested: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bot": self.bot_username,
            "allowed_users": self.allowed_users,
            "admins": self.admins,
            "config": str(self.config_path),
            "tested": self.tested,
        }


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from synchronous code (CLI, doctor), even inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coroutine)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def check_token_format(token: str | None) -> str:
    if not token:
        raise ConfigError(
            "no Telegram bot token given",
            hint="create a bot with @BotFather and pass --telegram-token, or set "
            "AEGIS_TELEGRAM_BOT_TOKEN",
        )
    token = token.strip()
    if not valid_token_format(token):
        raise ConfigError(
            "that does not look like a Telegram bot token (digits, a colon, then "
            "about 35 letters, digits, - or _)",
            hint="copy the whole token @BotFather gave you",
        )
    return token


async def get_me(api: BotApi) -> dict[str, Any]:
    """The bot behind the token; a one-line error naming the problem otherwise."""
    try:
        bot = await api.call("getMe", attempts=3)
    except TelegramUnauthorized as exc:
        raise ConfigError(
            "Telegram rejected the bot token",
            hint="check it, or create a new one with @BotFather (/token)",
        ) from exc
    except TelegramUnavailable as exc:
        raise NetworkError(
            f"cannot reach Telegram at {api.api_base}",
            hint="check the network, proxy settings and [telegram] api_base",
        ) from exc
    except TelegramError as exc:
        raise NetworkError(exc.message, hint="try again in a minute") from exc
    if not isinstance(bot, dict) or not bot.get("is_bot"):
        raise NetworkError(
            f"{api.api_base} did not answer getMe like the Bot API",
            hint="check [telegram] api_base",
        )
    return bot


def new_pairing_code() -> str:
    return f"{secrets.randbelow(10**4):04d}-{secrets.randbelow(10**4):04d}"


async def pair(api: BotApi, code: str, *, timeout: float) -> dict[str, Any]:
    """Wait for a private message carrying ``code``; return its sender (a Telegram user)."""
    deadline = time.monotonic() + timeout
    offset: int | None = None
    try:
        while (left := deadline - time.monotonic()) > 0:
            updates = await api.call(
                "getUpdates",
                offset=offset,
                timeout=max(1, min(10, int(left))),
                allowed_updates=["message"],
                attempts=3,
            )
            for update in updates or []:
                offset = int(update["update_id"]) + 1
                message = update.get("message") or {}
                text = str(message.get("text") or "").strip().removeprefix("/start").strip()
                sender = message.get("from") or {}
                if (
                    (message.get("chat") or {}).get("type") == "private"
                    and isinstance(sender.get("id"), int)
                    and hmac.compare_digest(text.encode(), code.encode())
                ):
                    # Confirm what was read, so the daemon does not see it again.
                    await api.call("getUpdates", offset=offset, timeout=0, attempts=2)
                    return sender
    except TelegramConflict as exc:
        raise AegisEnvironmentError(
            "another program (probably the running Aegis daemon) reads this bot's messages",
            hint="stop it with `aegis stop` while pairing, or pass --allowed-users",
        ) from exc
    except TelegramUnavailable as exc:
        raise NetworkError(
            f"lost the connection to Telegram while pairing: {exc.message}",
            hint="try again, or pass --allowed-users",
        ) from exc
    raise AegisError(
        f"no message with the code {code} arrived within {int(timeout)} s",
        hint="send the code to the bot in a private chat and run setup again, "
        "or pass --allowed-users ID",
    )


async def send_test(api: BotApi, users: Iterable[int], bot_username: str) -> list[int]:
    sent = []
    for user_id in users:
        try:
            await api.call("sendMessage", chat_id=user_id, text=TEST_MESSAGE, attempts=3)
        except TelegramError as exc:
            if exc.error_code in (400, 403):
                raise ConfigError(
                    f"Telegram cannot send to user {user_id}: {exc.description}",
                    hint=f"that user must open https://t.me/{bot_username} and press Start "
                    "(and the id must be a numeric user id)",
                ) from exc
            raise NetworkError(exc.message, hint="try `aegis telegram test` again later") from exc
        except TelegramUnavailable as exc:
            raise NetworkError(exc.message, hint="try `aegis telegram test` again later") from exc
        sent.append(user_id)
    return sent


def write_telegram_config(
    path: Path, *, token: str, allowed_users: list[int], admins: list[int], api_base: str | None
) -> None:
    """Set ``[telegram]`` in config.toml, keeping everything else; 0600, atomically."""
    values: dict[str, Any] = {"bot_token": token, "allowed_users": allowed_users}
    if admins:
        values["admins"] = admins
    if api_base:
        values["api_base"] = api_base
    update_config_file(path, "telegram", values)


async def setup_telegram(
    *,
    token: str,
    api_base: str,
    allowed_users: list[int],
    admins: list[int],
    config_path: Path,
    pair_timeout: float | None,
    say: Callable[[str], None],
    write_api_base: bool = False,
) -> SetupResult:
    """The whole setup; ``pair_timeout`` set means pair a user with a one-time code."""
    token = check_token_format(token)
    api = BotApi(token, api_base)
    try:
        bot = await get_me(api)
        username = str(bot.get("username") or "your bot")
        say(f"Token OK: the bot is @{username}.")
        if pair_timeout is not None:
            code = new_pairing_code()
            say(f"Pairing: in Telegram, open https://t.me/{username} and send this code: {code}")
            say(f"(waiting up to {int(pair_timeout)} s)")
            user = await pair(api, code, timeout=pair_timeout)
            user_id = int(user["id"])
            say(f"Paired with {user.get('first_name') or ''} (id {user_id}) as admin.")
            allowed_users = [*dict.fromkeys([*allowed_users, user_id])]
            admins = [*dict.fromkeys([*admins, user_id])]
        if not allowed_users:
            raise ConfigError(
                "no Telegram user may answer approvals",
                hint="pass --allowed-users ID[,ID...] or pair with --pair",
            )
        tested = await send_test(api, allowed_users, username)
        say(f"Test message sent to {', '.join(map(str, tested))}.")
    finally:
        await api.aclose()
    write_telegram_config(
        config_path,
        token=token,
        allowed_users=allowed_users,
        admins=admins,
        api_base=api_base if write_api_base else None,
    )
    say(f"Wrote [telegram] to {config_path} (mode 600).")
    return SetupResult(username, allowed_users, admins, config_path, tested)


def wizard_step(
    config_file: Path, *, interactive: bool, options: dict[str, Any], say: Callable[[str], None]
) -> dict[str, Any]:
    """The Telegram step of ``aegis setup``: the same as ``aegis telegram setup``, fed
    by the wizard's ``--telegram-token`` / ``--allowed-users`` (or prompts)."""
    import getpass

    from aegis_core.config import load_config
    from aegis_telegram.api import DEFAULT_API_BASE
    from aegis_telegram.plugin import SECTION

    config = load_config(path=config_file, sections=[SECTION])
    token = options.get("telegram_token") or config.get("telegram", "bot_token")
    if not token and interactive:
        token = getpass.getpass("Telegram bot token (from @BotFather): ")
    users_text = options.get("allowed_users")
    try:
        users = ([int(p) for p in str(users_text).replace(" ", "").split(",") if p] if users_text
                 else list(config.get("telegram", "allowed_users", [])))
    except ValueError as exc:
        raise ConfigError(f"--allowed-users must be numeric Telegram user ids, got {users_text!r}",
                          hint="omit it to pair your account with a one-time code instead") from exc
    if not users and not interactive:
        raise ConfigError("no Telegram user may answer approvals",
                          hint="pass --allowed-users ID[,ID...], or run `aegis setup` in a terminal to pair")
    api_base = config.get("telegram", "api_base") or DEFAULT_API_BASE
    result = run_sync(setup_telegram(
        token=token or "", api_base=api_base, allowed_users=users,
        admins=list(config.get("telegram", "admins", [])), config_path=config_file,
        pair_timeout=300.0 if not users else None, say=say,
        write_api_base=api_base != DEFAULT_API_BASE and config.source("telegram", "api_base") != "env",
    ))
    return result.to_dict()
