"""The daemon's proxy service in process: a session cannot make it serve more than
MAX_CONNECTIONS at once (each tunnel costs two threads); the next one is told why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from network_support import Origin

from aegis_core.network import gate, service
from aegis_core.sandbox.manifest import Manifest, parse_host_rule


class Recorder:
    """Stands in for the pipeline: only note is reached (every host here is allowed)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    async def note(self, event: str, details: dict[str, Any], session: str | None = None) -> None:
        # The real recorder waits for its batch's sync: a point where the cancelled
        # task of a connection cut short by the session's end would lose its record.
        await anyio.sleep(0)
        self.events.append((event, details))


def test_a_session_cannot_open_more_connections_than_the_limit(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    monkeypatch.setattr(service, "MAX_CONNECTIONS", 2)
    # The origin runs in this process, which plays the daemon: its port would be one of
    # the daemon's own listeners, which no session may reach (tests/network/test_hosts_and_gate.py).
    monkeypatch.setattr(gate, "own_listener", lambda addresses, port: None)
    origin = Origin()
    manifest = Manifest(network_allow=(parse_host_rule(f"127.0.0.1:{origin.port}"),))
    recorder = Recorder()
    proxy = service.EgressProxy(recorder, manifest=lambda: manifest)  # type: ignore[arg-type]

    async def main() -> bytes:
        async with anyio.create_task_group() as tasks:
            await tasks.start(proxy.run)
            path = await proxy.open("s-1", tmp_path / "run")
            tunnels = []
            for _ in range(2):
                tunnel = await anyio.connect_unix(path)
                await tunnel.send(f"CONNECT 127.0.0.1:{origin.port} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                assert (await tunnel.receive()).startswith(b"HTTP/1.1 200")
                tunnels.append(tunnel)
            third = await anyio.connect_unix(path)
            await third.send(f"CONNECT 127.0.0.1:{origin.port} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            refused = await third.receive()
            await proxy.close("s-1")
            tasks.cancel_scope.cancel()
        return refused

    try:
        refused = anyio.run(main)
    finally:
        origin.close()
    assert refused.startswith(b"HTTP/1.1 503") and b"2 connections" in refused
    # The two tunnels, cut short when the session closed, are recorded all the same.
    assert [event for event, _ in recorder.events] == ["network.connection", "network.connection"]
