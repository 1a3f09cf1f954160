"""A daemon as a member of a fleet: it seals shared rows with the fleet key, wakes
its waiting calls when another machine answers, runs the fleet's one poller of each
channel while it is elected, ships its audit chain and says it is alive.

The daemon (``aegis_core.daemon.server``) holds one :class:`FleetMember` when
``[store] url`` is PostgreSQL, and none otherwise."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import time
from typing import TYPE_CHECKING, Any

import anyio
import structlog

from aegis_core import __version__
from aegis_core.approvals import Sealer
from aegis_core.fleet.election import Election
from aegis_core.fleet.link import FleetLink
from aegis_core.fleet.settings import FleetSettings, fleet_settings
from aegis_core.fleet.shipping import AuditShipper
from aegis_core.store.postgres import FleetUnavailable, unavailable

if TYPE_CHECKING:
    from aegis_core.channels import Channel, ChannelHub
    from aegis_core.config import Config
    from aegis_core.daemon.server import Daemon
    from aegis_core.models import Approval, ToolCall
    from aegis_core.store.fleet import FleetStore

log = structlog.get_logger(__name__)

HEARTBEAT_S = 2.0
# Channels every daemon may run at once (they only read the shared store).
LOCAL_CHANNELS = ("terminal", "cli")
RESYNC_RECENT_S = 900.0


class ChannelGate:
    """A channel that needs one consumer per fleet: it runs, and is told about
    approvals, only on the daemon elected as its poller."""

    def __init__(self, channel: Channel, election: Election) -> None:
        self.channel = channel
        self.election = election
        self.name = channel.name

    def is_configured(self, config: Config) -> bool:
        return self.channel.is_configured(config)

    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        if self.election.leader:
            self.channel.notify(approval, call)

    def decide(self, approval: Approval, call: ToolCall) -> Any:
        decide = getattr(self.channel, "decide", None)
        return decide(approval, call) if decide is not None else None

    async def run(self, hub: ChannelHub) -> None:
        async def lead() -> None:
            # The new poller takes over what is open in the whole fleet; the shared
            # message map tells it which messages already exist (edited, never resent).
            for approval in await hub.fleet_open():  # type: ignore[attr-defined]
                self.channel.notify(approval, None)
            await self.channel.run(hub)

        await self.election.run(lead)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.channel, name)


class Ledger:
    """What channels keep in the fleet store so that a new poller can carry on: which
    message shows which approval, and which inbound messages were handled. Blocking
    calls (a channel runs them in a thread); a store that is down raises."""

    def __init__(self, store: Any, machine: str) -> None:
        self._store = store
        self.machine = machine

    def message(self, channel: str, approval_id: str, chat: str) -> dict[str, Any] | None:
        return self._store.channel_message(channel, approval_id, chat)

    def remember(self, channel: str, approval_id: str, chat: str, message_id: str | None, status: str | None,
                 failed: bool = False) -> None:
        self._store.remember_message(channel, approval_id, chat, message_id, status, failed)

    def approval_of_message(self, channel: str, chat: str, message_id: str) -> str | None:
        return self._store.approval_of_message(channel, chat, message_id)

    def first_time(self, channel: str, inbound_id: str) -> bool:
        return bool(self._store.first_time(channel, inbound_id))

    def value(self, channel: str, key: str) -> str | None:
        return self._store.channel_value(channel, key)

    def set_value(self, channel: str, key: str, value: str) -> None:
        self._store.set_channel_value(channel, key, value)


class FleetMember:
    def __init__(self, settings: FleetSettings) -> None:
        self.settings = settings
        self.machine = settings.machine
        self.link: FleetLink | None = None
        self.elections: dict[str, Election] = {}
        self.shipper: AuditShipper | None = None
        self.last_heartbeat = 0.0
        self.heartbeat_error: str | None = None
        self.orphans_expired = False
        # Since when (monotonic) the store has been lost, and why; None while connected.
        self.lost_since: float | None = None
        self.lost_error: FleetUnavailable | None = None
        # Set whenever the store is lost, found lost again, or back: wakes the outage watch.
        self._link_changed: anyio.Event | None = None  # made by the watch, in the event loop

    @classmethod
    def for_config(cls, config: Config) -> FleetMember | None:
        settings = fleet_settings(config)
        return cls(settings) if settings is not None else None

    def sealer(self) -> Sealer:
        """Seals every daemon of the fleet can check (the fleet key), not this process's own."""
        return Sealer(key=self.settings.key, key_id=self.settings.key_id)

    def shared_key(self, purpose: str) -> bytes:
        """A key for ``purpose`` (e.g. Telegram's button signatures) that every daemon
        of the fleet derives alike, so a button sent by one poller works on the next."""
        return hmac.new(self.settings.key, f"aegis-fleet:{purpose}".encode(), hashlib.sha256).digest()

    def gate(self, channels: list[Channel]) -> list[Any]:
        gated: list[Any] = []
        for channel in channels:
            if channel.name in LOCAL_CHANNELS:
                gated.append(channel)
                continue
            election = self.elections[channel.name] = Election(self.settings.url, channel.name)
            gated.append(ChannelGate(channel, election))
        return gated

    # -- running beside the daemon ---------------------------------------------------

    async def run(self, daemon: Daemon) -> None:
        store: FleetStore = daemon.store
        self.shipper = AuditShipper(store.fleet, daemon.home / "audit.log")

        async def on_change(kind: str, approval_id: str) -> None:
            approval = await daemon.pipeline.approvals.ended_elsewhere(approval_id)
            if approval is not None:
                daemon.channels.notify(approval, None)  # the gates pass it to elected pollers only

        async def on_connect() -> None:
            store.fleet.reset_backoff()
            self._store_back()
            # A signal, not a queue: whatever ended while we were not listening is read now.
            for approval_id in daemon.pipeline.approvals.waiting_ids():
                await on_change("resync", approval_id)
            if not self.orphans_expired:  # the store was down when the daemon started
                await daemon.pipeline.expire_orphans(spare_waiting=True)
                self.orphans_expired = True
            else:  # back after an outage: what was denied meanwhile must not stay pending
                await daemon.pipeline.expire_abandoned()

        def on_lost(why: str) -> None:
            self._store_lost(daemon, unavailable(self.settings.url, why))

        self.link = FleetLink(self.settings.url, on_change=on_change, on_connect=on_connect, on_lost=on_lost)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self.link.run)
            tasks.start_soon(self.shipper.run)
            tasks.start_soon(self._heartbeats, daemon)
            tasks.start_soon(self._outage_watch, daemon)

    async def _heartbeats(self, daemon: Daemon) -> None:
        fleet = daemon.store.fleet
        while True:
            head = daemon.audit_head()
            seq = head[0] if head else 0
            try:
                await anyio.to_thread.run_sync(functools.partial(
                    fleet.heartbeat, home=str(daemon.home), pid=os.getpid(), version=__version__,
                    started_at=daemon.started_at, audit_seq=seq))
                self.last_heartbeat, self.heartbeat_error = time.time(), None
                if self.link is not None and self.link.status().get("listening"):
                    self._store_back()  # reachable again, whichever noticed first
            except FleetUnavailable as exc:
                self.heartbeat_error = exc.message
                self._store_lost(daemon, exc)  # e.g. a network cut that left the link hanging
            except Exception as exc:
                self.heartbeat_error = f"{type(exc).__name__}: {exc}"
                log.exception("fleet.heartbeat_failed")
            await anyio.sleep(HEARTBEAT_S)

    def _store_lost(self, daemon: Daemon, error: FleetUnavailable) -> None:
        """The fleet store went away. New calls that need a human are denied at once,
        saying so (nobody could answer them, nor could an answer be recorded). Calls
        already waiting get a grace (``[fleet] outage_grace_seconds``): a store back in
        time (a restart, a failover) delivers the answer, given on any machine, as if
        nothing happened (the rows stayed pending, and the reconnect re-reads what this
        daemon waits on). Past the grace :meth:`_outage_watch` (woken here) denies them, saying the
        store is unreachable; their rows end as expired once the store is back."""
        if self.lost_since is None:
            self.lost_since = time.monotonic()
            log.warning("fleet.unreachable", error=error.message, waiting=daemon.pipeline.approvals.waiting(),
                        grace_s=self.settings.outage_grace_s)
        self.lost_error = error
        self._wake_watch()

    def _wake_watch(self) -> None:
        if self._link_changed is not None:
            self._link_changed.set()

    def _store_back(self) -> None:
        if self.lost_since is not None:
            self.lost_since = self.lost_error = None
            self._wake_watch()

    async def _outage_watch(self, daemon: Daemon) -> None:
        """Sleeps until the store is lost, then until its grace ends (or it is back):
        past the grace, the calls waiting here are denied. Every later report of the
        same outage (a failed heartbeat, every 2 s) denies calls that began waiting
        since, so none waits through an outage beyond its grace."""
        while True:
            changed = self._link_changed = anyio.Event()
            lost_since, error = self.lost_since, self.lost_error
            if lost_since is None or error is None:
                await changed.wait()
                continue
            remaining = lost_since + self.settings.outage_grace_s - time.monotonic()
            if remaining > 0:
                with anyio.move_on_after(remaining):
                    await changed.wait()
                continue
            woken = daemon.pipeline.approvals.store_unreachable(error)
            if woken:
                log.warning("fleet.unreachable_denied_waiting", calls=woken, error=error.message)
            await changed.wait()

    def status(self) -> dict[str, Any]:
        from aegis_core.store.url import describe_url

        link = self.link.status() if self.link else {"listening": False, "error": "not started"}
        connected = bool(link.get("listening")) and self.heartbeat_error is None
        return {
            "machine": self.machine,
            "store": describe_url(self.settings.url),
            "connected": connected,
            "error": self.heartbeat_error or link.get("error"),
            "link": link,
            "last_contact": self.last_heartbeat or None,
            "pollers": {name: {"elected": e.leader, "error": e.error} for name, e in self.elections.items()},
            "audit": {"shipped_seq": self.shipper.shipped[0] if self.shipper and self.shipper.shipped else None,
                      "error": self.shipper.error if self.shipper else None},
        }


def recent_and_open(store: Any) -> list[Approval]:
    """What a newly elected poller brings up to date: every pending approval of the
    fleet, and those ended in the last minutes (their messages may still show them
    pending if the previous poller died before editing them)."""
    since = time.time() - RESYNC_RECENT_S
    pending = store.fleet.list_approvals(status="pending", limit=1000, machine="*")
    ended = [a for a in store.fleet.list_approvals(status=None, limit=200, machine="*")
             if a.status.is_final and (a.decided_at or 0) >= since]
    return [*pending, *ended]
