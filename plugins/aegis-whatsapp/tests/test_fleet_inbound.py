"""Fleet mode: WhatsApp may deliver a webhook again (to the next poller after a
failover); the message ids handled are shared in the fleet store, so it lands once,
and a request an earlier poller sent is not sent again."""

from __future__ import annotations

from types import SimpleNamespace

import anyio
from aegis_whatsapp.channel import WhatsAppChannel

from aegis_core.fleet.member import Ledger
from aegis_core.store.postgres import PostgresStore


def _channel(url: str, machine: str) -> WhatsAppChannel:
    channel = WhatsAppChannel()
    channel._hub = SimpleNamespace(ledger=Ledger(PostgresStore(url, machine), machine))
    return channel


def test_a_message_delivered_to_two_pollers_lands_once(fleet_database):
    one, two = _channel(fleet_database, "a"), _channel(fleet_database, "b")
    assert anyio.run(one._first_time, "wamid.HBgL1") is True
    assert anyio.run(two._first_time, "wamid.HBgL1") is False
    assert anyio.run(one._first_time, "wamid.HBgL1") is False
    assert anyio.run(two._first_time, "wamid.HBgL2") is True


def test_a_request_the_previous_poller_sent_is_not_sent_again(fleet_database):
    one, two = _channel(fleet_database, "a"), _channel(fleet_database, "b")
    assert anyio.run(two._already_sent, "approval-1", "15551234567") is False
    anyio.run(one._remember_sent, "approval-1", "15551234567", "wamid.X")
    assert anyio.run(two._already_sent, "approval-1", "15551234567") is True
    assert anyio.run(two._already_sent, "approval-1", "15550000000") is False


def test_without_a_fleet_every_message_is_handled_by_the_webhook_alone():
    channel = WhatsAppChannel()
    channel._hub = SimpleNamespace()
    assert anyio.run(channel._first_time, "wamid.1") is True
    assert anyio.run(channel._already_sent, "approval-1", "1555") is False
