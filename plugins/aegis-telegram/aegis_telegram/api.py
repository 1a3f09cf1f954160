"""A small async client for the Telegram Bot API (httpx), with the flood control and
retry rules Telegram asks bots to follow: one message per second per chat, 30 per
second overall, ``retry_after`` on 429, exponential backoff with jitter otherwise."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from aegis_core.errors import AegisError, ConfigError, ExitCode, NetworkError

DEFAULT_API_BASE = "https://api.telegram.org"
TOKEN_FORMAT = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{30,50}$")

# Methods that put a message into a chat, and so count against its flood limits.
CHAT_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


def valid_token_format(token: str | None) -> bool:
    return bool(token) and bool(TOKEN_FORMAT.match(token or ""))


class TelegramError(AegisError):
    """The Bot API answered ``ok: false``; ``error_code`` and ``description`` are its own."""

    exit_code = ExitCode.NETWORK

    def __init__(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: float | None = None,
        *,
        hint: str | None = None,
    ) -> None:
        super().__init__(f"Telegram {method} failed: {error_code} {description}", hint=hint)
        self.method = method
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


class TelegramUnauthorized(TelegramError):
    exit_code = ExitCode.CONFIG


class TelegramConflict(TelegramError):
    """409: another process polls this bot (or a webhook is set)."""

    exit_code = ExitCode.ENVIRONMENT


class TelegramUnavailable(NetworkError):
    """The Bot API could not be reached, or kept answering 5xx/429, within the attempts allowed."""


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: attempt n waits up to min(cap, base * 2**n)."""

    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        ceiling = min(self.cap, self.base * (2 ** min(attempt, 30)))
        # Never 0: a tight retry loop against a dead server helps nobody.
        return max(self.base / 4, ceiling * rand())


class FloodControl:
    """Spaces messages within Telegram's limits: one per ``per_chat`` seconds in a chat
    on average, with a short burst of ``burst`` allowed (Telegram tolerates short
    bursts; a request and the edit that answers it must not wait a second for each
    other), and at most ``overall`` per second in total. Waiting is cooperative
    (asyncio.sleep); a 429 is still honoured by the caller."""

    def __init__(
        self,
        per_chat: float = 1.0,
        overall: int = 30,
        clock: Callable[[], float] = time.monotonic,
        *,
        burst: int = 3,
    ) -> None:
        self.per_chat = per_chat
        self.overall = overall
        self.burst = max(1, burst)
        self.clock = clock
        # Per chat, the time its bucket is empty again: "full" is now - burst * per_chat.
        self._empty_at: dict[Any, float] = {}
        self._recent: list[float] = []
        self._lock = asyncio.Lock()

    def reserve(self, chat_id: Any) -> float:
        """Book the next slot for ``chat_id``; return how long to wait for it."""
        now = self.clock()
        # A token bucket kept as one timestamp: each message pushes it per_chat later;
        # a message may go once it is less than burst * per_chat ahead of now.
        empty_at = max(self._empty_at.get(chat_id, now), now - (self.burst - 1) * self.per_chat)
        start = max(now, empty_at - (self.burst - 1) * self.per_chat)
        self._recent = [t for t in self._recent if t > now - 1.0]  # this second and booked ones
        if self.overall and len(self._recent) >= self.overall:
            start = max(start, self._recent[-self.overall] + 1.0)
        self._empty_at[chat_id] = max(empty_at, start) + self.per_chat
        self._recent.append(start)
        self._recent.sort()
        if len(self._empty_at) > 10_000:  # forget chats idle for long
            self._empty_at = {k: v for k, v in self._empty_at.items() if v > now}
        return start - now

    async def wait(self, chat_id: Any, *, urgent: bool = True) -> None:
        """Wait for a slot. A message that is not urgent (an outcome edit) lets the
        urgent ones queued at the same moment (new requests) book theirs first."""
        if not urgent:
            await asyncio.sleep(0)
        async with self._lock:
            delay = self.reserve(chat_id)
        if delay > 0:
            await asyncio.sleep(delay)


class BotApi:
    """``await api.call("sendMessage", chat_id=1, text="hi")`` returns the ``result``.

    ``call`` retries 429 (after ``retry_after``), 5xx and network errors up to
    ``attempts`` times (None: until cancelled); other errors raise at once.
    """

    def __init__(
        self,
        token: str,
        api_base: str = DEFAULT_API_BASE,
        *,
        client: httpx.AsyncClient | None = None,
        flood: FloodControl | None = None,
        backoff: Backoff | None = None,
        request_timeout: float = 15.0,
        max_retry_after: float = 300.0,
    ) -> None:
        if not token:
            raise ConfigError(
                "no Telegram bot token configured",
                hint="run `aegis telegram setup` or set AEGIS_TELEGRAM_BOT_TOKEN",
            )
        self.token = token
        self.api_base = (api_base or DEFAULT_API_BASE).rstrip("/")
        self.flood = flood or FloodControl()
        self.backoff = backoff or Backoff()
        self.request_timeout = request_timeout
        self.max_retry_after = max_retry_after
        self._client = client or httpx.AsyncClient(timeout=request_timeout)
        self._owns_client = client is None
        self.on_retry: Callable[[str, str, float], None] | None = None

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def scrub(self, text: str) -> str:
        """``text`` without the bot token (httpx errors may quote the URL)."""
        return text.replace(self.token, "<token>")

    async def call(self, method: str, *, attempts: int | None = 5, urgent: bool = True,
                   **params: Any) -> Any:
        attempt = 0
        while True:
            try:
                if method in CHAT_METHODS and "chat_id" in params:
                    await self.flood.wait(params["chat_id"], urgent=urgent)
                return await self.call_once(method, **params)
            except TelegramError as exc:
                if exc.error_code == 429:
                    wait = min(exc.retry_after or self.backoff.delay(attempt), self.max_retry_after)
                elif exc.error_code >= 500:
                    wait = self.backoff.delay(attempt)
                else:
                    raise
                problem = exc.description
            except TelegramUnavailable as exc:
                wait = self.backoff.delay(attempt)
                problem = exc.message
            attempt += 1
            if attempts is not None and attempt >= attempts:
                raise TelegramUnavailable(
                    f"Telegram {method} still failing after {attempt} attempts: {problem}",
                    hint="check the network and [telegram] api_base; pending approvals stay "
                    "answerable with `aegis approvals approve/deny`",
                )
            if self.on_retry is not None:
                self.on_retry(method, problem, wait)
            await asyncio.sleep(wait)

    async def call_once(self, method: str, **params: Any) -> Any:
        """One HTTP request, no retry. Raises TelegramError or TelegramUnavailable."""
        body = {k: v for k, v in params.items() if v is not None}
        url = f"{self.api_base}/bot{self.token}/{method}"
        # A long poll (getUpdates' own ``timeout``) must not hit the HTTP timeout.
        long_poll = params.get("timeout") if method == "getUpdates" else 0
        http_timeout = self.request_timeout + float(long_poll or 0)
        try:
            response = await self._client.post(url, json=body, timeout=http_timeout)
        except httpx.HTTPError as exc:
            raise TelegramUnavailable(
                f"cannot reach the Telegram Bot API at {self.api_base}: "
                f"{self.scrub(str(exc)) or type(exc).__name__}",
                hint="check the network and [telegram] api_base",
            ) from None
        return self._parse(method, response)

    def _parse(self, method: str, response: httpx.Response) -> Any:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, Mapping):
            if response.status_code >= 500 or response.status_code == 429:
                raise TelegramError(method, response.status_code, "server error (no JSON body)")
            raise TelegramUnavailable(
                f"{self.api_base} did not answer like the Telegram Bot API "
                f"(HTTP {response.status_code})",
                hint="check [telegram] api_base",
            )
        if payload.get("ok") is True:
            return payload.get("result")
        code = int(payload.get("error_code") or response.status_code or 0)
        description = str(payload.get("description") or "unknown error")
        parameters = payload.get("parameters") or {}
        retry_after = parameters.get("retry_after") if isinstance(parameters, Mapping) else None
        retry = float(retry_after) if isinstance(retry_after, int | float) else None
        if code == 401 or (code == 404 and method == "getMe"):
            raise TelegramUnauthorized(
                method,
                code,
                description,
                hint="the bot token was rejected; get a new one from "
                "@BotFather and run `aegis telegram setup`",
            )
        if code == 409:
            raise TelegramConflict(
                method,
                code,
                description,
                hint="another program is reading this bot's updates (a second "
                "`aegis start`, or a webhook); stop it, then restart Aegis",
            )
        raise TelegramError(method, code, description, retry)
