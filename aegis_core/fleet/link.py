"""The daemon's live link to the fleet store: ``LISTEN`` for approval changes (a
signal, not a queue: after every reconnect the daemon re-reads what it waits on),
reconnecting with a growing back-off, and a heartbeat that tells the fleet this
machine is alive and how long its audit chain is."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import structlog

from aegis_core.store.pg_schema import NOTIFY_CHANNEL
from aegis_core.store.url import scrub

log = structlog.get_logger(__name__)

OnChange = Callable[[str, str], Awaitable[None]]
OnConnect = Callable[[], Awaitable[None]]
OnLost = Callable[[str], None]

MAX_BACKOFF_S = 10.0


class Backoff:
    """0.25 s, 0.5 s, 1 s ... up to 10 s between attempts; reset on success."""

    def __init__(self, first: float = 0.25, ceiling: float = MAX_BACKOFF_S) -> None:
        self.first, self.ceiling, self.failures = first, ceiling, 0

    def next(self) -> float:
        self.failures += 1
        return min(self.ceiling, self.first * 2 ** min(self.failures - 1, 8))

    def reset(self) -> None:
        self.failures = 0


class _ResyncFailed(Exception):
    """Re-reading what changed while the link was down failed: reconnect and retry."""


class FleetLink:
    """Listens on the fleet store's notification channel for as long as it runs."""

    def __init__(self, url: str, *, on_change: OnChange, on_connect: OnConnect,
                 on_lost: OnLost | None = None) -> None:
        self.url = url
        self.on_change = on_change
        self.on_connect = on_connect
        self.on_lost = on_lost  # told at once when a live link breaks (the server went away)
        self.connected = False
        self.last_error: str | None = None
        self.since = time.time()
        self.reconnects = 0

    def status(self) -> dict[str, Any]:
        return {"listening": self.connected, "error": self.last_error, "since": self.since,
                "reconnects": self.reconnects}

    async def run(self) -> None:
        import psycopg

        backoff = Backoff()
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=3)
            except (psycopg.Error, OSError) as exc:
                self._down(exc)
                await anyio.sleep(backoff.next())
                continue
            try:
                async with conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.connected, self.last_error, self.since = True, None, time.time()
                    backoff.reset()
                    log.info("fleet.listening")
                    try:
                        await self.on_connect()  # what changed while we were not listening
                    except Exception as exc:  # e.g. the store went away again mid-resync: start over
                        log.warning("fleet.resync_failed", error=scrub(str(exc)[:300], self.url))
                        raise _ResyncFailed(str(exc)) from None
                    async for note in conn.notifies():
                        kind, _, approval_id = note.payload.partition(":")
                        if approval_id:
                            try:
                                await self.on_change(kind, approval_id)
                            except Exception:  # one bad notification must not stop the link
                                log.exception("fleet.notification_failed", approval=approval_id)
            except (psycopg.Error, OSError, _ResyncFailed) as exc:
                was_connected = self.connected
                self._down(exc)
                if was_connected and self.on_lost is not None:
                    self.on_lost(self.last_error or type(exc).__name__)
            self.reconnects += 1
            await anyio.sleep(backoff.next())

    def _down(self, exc: BaseException) -> None:
        if self.connected or self.last_error is None:
            self.since = time.time()
        self.connected = False
        self.last_error = scrub(" ".join(str(exc).split())[:300] or type(exc).__name__, self.url)
        log.warning("fleet.link_down", error=self.last_error)
