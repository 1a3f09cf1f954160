"""Reconnecting to the fleet store with a growing back-off: the listening link's
waits between attempts, and the store's fail-fast while it backs off (a call that
needs the store is denied at once, not after a connection timeout each time)."""

from __future__ import annotations

import socket
import time

import pytest

from aegis_core.fleet.link import MAX_BACKOFF_S, Backoff
from aegis_core.store.postgres import FleetUnavailable, PostgresStore


def test_the_links_back_off_doubles_up_to_its_ceiling_and_resets():
    backoff = Backoff()
    waits = [backoff.next() for _ in range(10)]
    assert waits[:6] == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
    assert waits[6:] == [MAX_BACKOFF_S] * 4
    backoff.reset()
    assert backoff.next() == 0.25


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_store_that_cannot_connect_backs_off_and_says_why_without_its_password():
    url = f"postgresql://aegis:n0t-shown@127.0.0.1:{_closed_port()}/aegis"
    store = PostgresStore(url, "m")
    try:
        with pytest.raises(FleetUnavailable) as first:
            store.get_approval("x")
        assert "n0t-shown" not in first.value.message and "127.0.0.1" in first.value.message
        failures = store._failures
        with pytest.raises(FleetUnavailable):  # within the back-off: no new attempt
            store.get_approval("x")
        assert store._failures == failures
        store.reset_backoff()  # the link got through: the next use tries at once
        with pytest.raises(FleetUnavailable):
            store.get_approval("x")
        assert store._failures == failures + 1
        assert store._retry_at > time.monotonic()
    finally:
        store.close()
