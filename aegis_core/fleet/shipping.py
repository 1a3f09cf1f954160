"""Shipping this machine's audit chain to the fleet store: every record, with its
place in the chain, copied after it is on the local disk. It runs beside the daemon
and never delays a decision; after an outage it resumes from the last record the
fleet store holds. The local log stays the evidence; the shipped copy lets
``aegis audit verify --fleet`` check every machine's chain in one place."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import anyio
import structlog

from aegis_core.audit import chain
from aegis_core.store.postgres import FleetUnavailable, PostgresStore

log = structlog.get_logger(__name__)

SHIP_EVERY_S = 1.0
BATCH = 2000

Shipped = tuple[int, str, str, str]  # seq, hash, prev_hash, line


def records_after(path: Path, seq: int, *, start: int = 0) -> Iterator[tuple[int, Shipped]]:
    """``(offset after it, record)`` for each complete record after ``seq``, from byte
    ``start`` on (0: the whole file)."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        handle.seek(start)
        offset = start
        for raw in handle:
            if not raw.endswith(b"\n"):
                return  # a record still being written
            offset += len(raw)
            parts = chain.split(raw[:-1])
            if parts is None:
                continue  # not a record: the verifier says so, shipping goes on
            number, _body, prev, digest = parts
            if number > seq:
                yield offset, (number, digest.decode("ascii"), prev.decode("ascii"),
                               raw[:-1].decode("ascii", "replace"))


class AuditShipper:
    """Ships ``path``'s records to ``store`` (this machine's part of it)."""

    def __init__(self, store: PostgresStore, path: Path) -> None:
        self.store = store
        self.path = path
        self.shipped: tuple[int, str] | None = None  # what the fleet store holds (None: not asked yet)
        self.offset = 0
        self.error: str | None = None
        self.local_seq = 0

    def ship_once(self) -> int:
        """Ship what is new (blocking); returns how many records went."""
        if self.shipped is None:
            self.shipped = self.store.shipped_head() or (0, chain.GENESIS)
            self.offset = 0
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            return 0
        if size < self.offset:
            self.offset = 0  # the log was replaced: look again from its start
        sent = 0
        batch: list[Shipped] = []
        end = self.offset
        for end, record in records_after(self.path, self.shipped[0], start=self.offset):
            batch.append(record)
            if len(batch) >= BATCH:
                sent += self._send(batch, end)
                batch = []
        if batch:
            sent += self._send(batch, end)
        elif end > self.offset:
            self.offset = end
        self.local_seq = max(self.local_seq, self.shipped[0])
        return sent

    def _send(self, batch: list[Shipped], end: int) -> int:
        self.store.ship_records(batch)
        self.shipped, self.offset = (batch[-1][0], batch[-1][1]), end
        return len(batch)

    async def run(self) -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(self.ship_once)
                self.error = None
            except FleetUnavailable as exc:
                self.error, self.shipped = exc.message, None  # after the outage: ask where it stopped
            except Exception as exc:  # shipping must never stop the daemon
                self.error, self.shipped = f"{type(exc).__name__}: {exc}", None
                log.exception("fleet.shipping_failed")
            await anyio.sleep(SHIP_EVERY_S)
