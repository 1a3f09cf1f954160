"""The egress proxy as the daemon runs it: one Unix socket per wrapped session,
``$AEGIS_HOME/run/<session>/proxy.sock``, so a connection's session is known from the
socket it arrived on. Opened at ``session.create``, closed (with every connection
still open, each recorded) at ``session.end`` and when the daemon stops."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import structlog
from anyio.abc import SocketStream, TaskGroup

from aegis_core.network.endpoints import ModelApi, endpoint, origin_of, virtual_base_url
from aegis_core.network.gate import JudgeAnswer, SessionGate, SessionInfo
from aegis_core.network.proxy import ConnectionRecord, serve_client
from aegis_core.sandbox.manifest import Manifest, parse_host_rule

if TYPE_CHECKING:
    from aegis_core.daemon.pipeline import Pipeline
    from aegis_core.models import Approval, ToolCall

log = structlog.get_logger(__name__)

SOCKET_NAME = "proxy.sock"
MAX_CONNECTIONS = 256  # at once, per session


@dataclass
class _Session:
    gate: SessionGate
    path: Path
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    asking: set[str] = field(default_factory=set)  # its network approvals still pending
    open: int = 0  # connections being served


class EgressProxy:
    """Every session's proxy socket, served in one task group of the daemon."""

    def __init__(self, pipeline: Pipeline, manifest: Callable[[], Manifest] = Manifest) -> None:
        self.pipeline = pipeline
        self._manifest = manifest
        self._sessions: dict[str, _Session] = {}
        self._tasks: TaskGroup | None = None
        self.never: Any = None  # what no session may reach (the fleet's database), if anything

    async def run(self, *, task_status: Any = anyio.TASK_STATUS_IGNORED) -> None:
        """Serve until cancelled (the daemon stopping): start with ``tasks.start``."""
        try:
            async with anyio.create_task_group() as tasks:
                self._tasks = tasks
                task_status.started()
                await anyio.sleep_forever()
        finally:
            self._tasks = None
            for state in self._sessions.values():
                with suppress(OSError):
                    state.path.unlink()
            self._sessions.clear()

    # -- sessions ----------------------------------------------------------------

    async def open(self, session: str, run_dir: Path, *, agent: str = "unknown", cwd: str = "") -> Path:
        """Create and serve ``run_dir/proxy.sock`` for ``session``; return its path."""
        if self._tasks is None:
            raise RuntimeError("the egress proxy is not running")
        if session in self._sessions:
            return self._sessions[session].path
        path = run_dir / SOCKET_NAME
        listener = await _listen(path)
        gate = SessionGate(SessionInfo(session, agent, cwd), self._manifest, self._judge, self._record)
        gate.never = self.never
        state = self._sessions[session] = _Session(gate, path)
        self._tasks.start_soon(self._serve, state, listener)
        return path

    async def close(self, session: str) -> None:
        """Stop serving ``session``: its socket goes, its open connections end."""
        state = self._sessions.pop(session, None)
        if state is None:
            return
        for approval_id in list(state.asking):  # nobody is left to use the answer
            await self.pipeline.cancel(approval_id, "the session ended", "aegis")
        state.scope.cancel()
        with suppress(OSError):
            state.path.unlink()

    def gate(self, session: str) -> SessionGate | None:
        state = self._sessions.get(session)
        return state.gate if state else None

    def add_model_api(self, session: str, api: ModelApi, base_url: str, key: str | None) -> str:
        """Hold ``key`` for ``session``'s requests to ``api`` and return the base URL the
        agent should use. Without a key (a subscription login: the agent authenticates
        itself) the API's host is allowed instead and ``base_url`` returned as it is."""
        state = self._sessions.get(session)
        if state is None:
            raise KeyError(session)
        gate = state.gate
        if key is None:
            origin, _ = origin_of(base_url)
            gate.extra.append(parse_host_rule(str(origin)))
            return base_url
        held = endpoint(api, base_url, key)
        gate.endpoints[held.virtual_host] = held
        return virtual_base_url(api.name, base_url)

    # -- serving -----------------------------------------------------------------

    async def _serve(self, state: _Session, listener: Any) -> None:
        with state.scope:
            async with listener, anyio.create_task_group() as connections:
                while True:
                    stream = await listener.accept()
                    connections.start_soon(self._connection, stream, state)

    async def _connection(self, stream: SocketStream, state: _Session) -> None:
        async with stream:
            if state.open >= MAX_CONNECTIONS:
                # Each tunnel costs the daemon two threads: a session cannot have it start
                # thousands. The client is told, not left hanging.
                with suppress(Exception):
                    await stream.send(_too_many())
                return
            state.open += 1
            try:
                await serve_client(stream, state.gate)
            except Exception:  # one broken connection must not end the session's proxy
                log.exception("proxy connection failed", session=state.gate.info.session)
            finally:
                state.open -= 1

    async def _judge(self, call: ToolCall) -> JudgeAnswer:
        state = self._sessions.get(call.session)
        asked: list[str] = []

        async def pending(approval: Approval) -> None:
            asked.append(approval.id)
            if state is not None:
                state.asking.add(approval.id)

        try:
            answer = await self.pipeline.judge(call, on_pending=pending)
        finally:
            if state is not None:
                state.asking.difference_update(asked)
        allowed = answer.decision == "allow"
        for_session = allowed and await self.pipeline.approvals.check_grant(call) is not None
        reason = answer.reason
        if answer.decision == "ask":  # a decide plugin handed it to the agent's prompt, which has none for this
            reason = "No approval channel could answer a network request; answer it with `aegis approvals`."
        return JudgeAnswer(allowed, reason, answer.rule, answer.approval_id, for_session)

    async def _record(self, session: str, record: ConnectionRecord) -> None:
        try:  # batched with the decisions (group commit), off the event loop
            await self.pipeline.note("network.connection", record.details(), session)
        except Exception as exc:  # the connection is over; say loudly that it went unrecorded
            log.error("a proxied connection could not be audited", session=session, error=str(exc),
                      host=record.destination.host, port=record.destination.port)


def _too_many() -> bytes:
    text = (f"Aegis' egress proxy already serves {MAX_CONNECTIONS} connections for this session; close some "
            "(or wait for them to finish) and try again.\n").encode()
    return (b"HTTP/1.1 503 Too many connections through Aegis\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(text), text))


async def _listen(path: Path) -> Any:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileNotFoundError):
        path.unlink()
    old = os.umask(0o177)  # born 0600: no moment where another user could connect
    try:
        return await anyio.create_unix_listener(path)
    finally:
        os.umask(old)
