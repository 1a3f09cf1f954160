"""Who is watching a session's approvals: the ``aegis wrap`` that runs the agent, so
it can tell the user, where they are looking, that a call waits for approval, which
channels were asked and how to answer (``session.watch``, docs/protocol.md).

Plugged in beside the channels as a ``notify`` implementation; a watcher that does
not keep up loses lines rather than slowing the daemon."""

from __future__ import annotations

from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from aegis_core.client import UPDATE
from aegis_core.hookspecs import hookimpl
from aegis_core.models import Approval, ToolCall

QUEUE = 64


class SessionWatchers:
    def __init__(self) -> None:
        self._watchers: dict[str, list[MemoryObjectSendStream[dict[str, Any]]]] = {}
        self.channels: list[str] = []

    def watch(self, session: str) -> tuple[MemoryObjectSendStream[dict[str, Any]],
                                           MemoryObjectReceiveStream[dict[str, Any]]]:
        send, receive = anyio.create_memory_object_stream[dict[str, Any]](QUEUE)
        self._watchers.setdefault(session, []).append(send)
        return send, receive

    def stop(self, session: str, send: MemoryObjectSendStream[dict[str, Any]]) -> None:
        senders = self._watchers.get(session, [])
        if send in senders:
            senders.remove(send)
        if not senders:
            self._watchers.pop(session, None)
        send.close()

    @hookimpl
    def notify(self, approval: Approval, call: ToolCall | None) -> None:
        senders = self._watchers.get(approval.session)
        if not senders:
            return
        line = {UPDATE: "resolved" if approval.status.is_final else "pending",
                "approval": approval.to_dict(), "channels": self.channels}
        for send in list(senders):
            try:
                send.send_nowait(line)
            except (anyio.WouldBlock, anyio.BrokenResourceError, anyio.ClosedResourceError):
                continue
