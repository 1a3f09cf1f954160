"""Serving the webhook inside the daemon: the listening socket, opened here so a busy
port is a clear error, and uvicorn running in the daemon's own event loop."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aegis_core.errors import AegisEnvironmentError


class EmbeddedServer:
    """uvicorn inside the daemon's event loop: no signal handlers of its own (the daemon
    owns SIGTERM), and a shutdown that also runs when the task is cancelled."""

    def __init__(self, config: Any) -> None:
        import uvicorn

        class _Server(uvicorn.Server):
            @contextmanager
            def capture_signals(self) -> Iterator[None]:
                yield

        self.server = _Server(config)
        self._stopped = False

    async def serve(self, sockets: list[socket.socket]) -> None:
        await self.server.serve(sockets=sockets)
        self._stopped = True  # uvicorn shut itself down

    async def stop(self, sockets: list[socket.socket]) -> None:
        if self._stopped or not self.server.started:
            return
        self._stopped = True
        self.server.should_exit = self.server.force_exit = True
        await self.server.shutdown(sockets=sockets)


def bind_listener(host: str, port: int) -> socket.socket:
    """Open the webhook's listening socket here, so a busy port is a clear error and not
    uvicorn's ``sys.exit``."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise AegisEnvironmentError(
            f"cannot listen on {host}:{port} for the WhatsApp webhook: {exc}",
            hint="set [whatsapp] webhook_host to a local address",
        ) from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise AegisEnvironmentError(
            f"cannot listen on {host}:{port} for the WhatsApp webhook: {exc.strerror}",
            hint="another program uses that port; set [whatsapp] webhook_port (AEGIS_WHATSAPP_WEBHOOK_PORT)",
        ) from exc
    return sock
