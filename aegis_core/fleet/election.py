"""One poller per fleet: a channel that must have a single consumer (Telegram's
``getUpdates``, WhatsApp's webhook) runs on the daemon holding a PostgreSQL
advisory lock. The lock lives as long as the holder's connection, so when that
daemon dies (even ``kill -9``) the server drops it and another daemon, trying
every second, takes over."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import structlog

from aegis_core.store.pg_schema import poller_lock
from aegis_core.store.url import scrub

log = structlog.get_logger(__name__)

TRY_EVERY_S = 1.0
CHECK_EVERY_S = 1.0


class Election:
    """Runs ``lead()`` while this daemon holds ``name``'s lock; stops it when the
    lock's connection is lost (someone else may hold it then)."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self.leader = False
        self.error: str | None = None
        self.terms = 0

    async def run(self, lead: Callable[[], Awaitable[None]]) -> None:
        import psycopg

        lock = poller_lock(self.name)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.url, autocommit=True,
                                                                 connect_timeout=3) as conn:
                    while True:
                        cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (lock,))
                        row = await cursor.fetchone()
                        self.error = None
                        if row and row[0]:
                            break
                        await anyio.sleep(TRY_EVERY_S)
                    self.leader, self.terms = True, self.terms + 1
                    log.info("fleet.poller_elected", channel=self.name)
                    try:
                        async with anyio.create_task_group() as tasks:
                            async def watch() -> None:
                                while True:
                                    await anyio.sleep(CHECK_EVERY_S)
                                    await conn.execute("SELECT 1")
                            async def led() -> None:
                                await lead()
                                tasks.cancel_scope.cancel()
                            tasks.start_soon(watch)
                            tasks.start_soon(led)
                    finally:
                        self.leader = False
            except (psycopg.Error, OSError) as exc:
                self.leader = False
                self.error = scrub(" ".join(str(exc).split())[:300], self.url)
                log.warning("fleet.poller_lost", channel=self.name, error=self.error)
            await anyio.sleep(TRY_EVERY_S)
