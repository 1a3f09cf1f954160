"""``aegis telegram setup`` and ``aegis telegram test``."""

from __future__ import annotations

import sys

import click

from aegis_core.cli import AppContext, emit_json
from aegis_core.errors import ConfigError

# The Bot API client (httpx) is imported inside the commands: `aegis --help` lists
# these commands without paying for it.


@click.group()
def telegram() -> None:
    """Approve or deny from Telegram: set up and test the bot."""


def _ids(value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        return [int(part) for part in value.replace(" ", "").split(",") if part]
    except ValueError as exc:
        raise ConfigError(
            f"--allowed-users must be numeric Telegram user ids, got {value!r}",
            hint="pair instead (omit --allowed-users) if you do not know your id",
        ) from exc


@telegram.command("setup")
@click.option(
    "--non-interactive", is_flag=True, help="Never prompt; take everything from flags and env."
)
@click.option("--telegram-token", "token", help="Bot token from @BotFather.")
@click.option("--allowed-users", help="Comma-separated numeric Telegram user ids.")
@click.option(
    "--pair",
    "force_pair",
    is_flag=True,
    help="Pair a user with a one-time code even when users are given.",
)
@click.option(
    "--pair-timeout",
    type=float,
    default=300.0,
    show_default=True,
    help="Seconds to wait for the pairing code.",
)
@click.option("--json", "as_json", is_flag=True, help="Output the result as JSON.")
@click.pass_obj
def setup(
    app: AppContext,
    non_interactive: bool,
    token: str | None,
    allowed_users: str | None,
    force_pair: bool,
    pair_timeout: float,
    as_json: bool,
) -> None:
    """Check the bot token, pair your account, send a test message, save the config."""
    users = _ids(allowed_users)
    cfg = app.config(flags={"telegram.bot_token": token, "telegram.allowed_users": users})
    token = cfg.get("telegram", "bot_token")
    if not token and not non_interactive:
        token = click.prompt("Telegram bot token (from @BotFather)", hide_input=True)
    known_users = list(cfg.get("telegram", "allowed_users", []))
    pairing = force_pair or (not known_users and not non_interactive)
    from aegis_telegram.api import DEFAULT_API_BASE
    from aegis_telegram.setup import run_sync, setup_telegram

    api_base = cfg.get("telegram", "api_base") or DEFAULT_API_BASE
    say = (lambda text: click.echo(text, err=True)) if as_json else click.echo
    result = run_sync(
        setup_telegram(
            token=token or "",
            api_base=api_base,
            allowed_users=known_users,
            admins=list(cfg.get("telegram", "admins", [])),
            config_path=cfg.file or cfg.home / "config.toml",
            pair_timeout=pair_timeout if pairing else None,
            say=_flushing(say),
            write_api_base=api_base != DEFAULT_API_BASE
            and cfg.source("telegram", "api_base") != "env",
        )
    )
    if as_json:
        emit_json(result.to_dict())


def _flushing(say):  # pairing output must reach a piped reader while we wait
    def emit(text: str) -> None:
        say(text)
        sys.stdout.flush()

    return emit


@telegram.command("test")
@click.option("--json", "as_json", is_flag=True, help="Output the result as JSON.")
@click.pass_obj
def test(app: AppContext, as_json: bool) -> None:
    """Send a test message to every allowed user."""
    from aegis_telegram.setup import run_sync

    cfg = app.config()
    token = cfg.get("telegram", "bot_token")
    users = list(cfg.get("telegram", "allowed_users", []))
    if not token or not users:
        raise ConfigError(
            "Telegram is not set up (no bot token or no allowed users)",
            hint="run `aegis telegram setup`",
        )

    async def go() -> tuple[str, list[int]]:
        from aegis_telegram.api import BotApi
        from aegis_telegram.setup import get_me, send_test

        api = BotApi(token, cfg.get("telegram", "api_base"))
        try:
            bot = await get_me(api)
            name = str(bot.get("username") or "your bot")
            return name, await send_test(api, users, name)
        finally:
            await api.aclose()

    name, sent = run_sync(go())
    if as_json:
        emit_json({"bot": name, "sent": sent})
    else:
        click.echo(f"@{name}: test message sent to {', '.join(map(str, sent))}")
