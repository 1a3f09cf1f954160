"""Who may go where, for one wrapped session.

A destination in the manifest's ``network.allow`` (or the agent's own model API)
passes. Any other becomes a call of kind ``network`` judged by the pipeline like a
tool call (policy, critic, approval, audit), asking a human by default. Concurrent
connections to one destination share one question; an "allow for session" answer
(a grant) and a recent deny are remembered, so a client's retries neither pass
unasked nor flood the user's phone.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import structlog

from aegis_core.models import Kind, ToolCall
from aegis_core.network.endpoints import Endpoint
from aegis_core.network.hosts import Destination
from aegis_core.network.own import own_listener
from aegis_core.network.proxy import ConnectionRecord, Decision
from aegis_core.sandbox.manifest import HostRule, Manifest

log = structlog.get_logger(__name__)

DENY_MEMORY_S = 60.0  # a refused destination is refused again, unasked, for this long
TOOL = "network"

Judge = Callable[[ToolCall], Awaitable["JudgeAnswer"]]


@dataclass(frozen=True)
class JudgeAnswer:
    """The pipeline's answer reduced to what the gate needs."""

    allowed: bool
    reason: str
    rule: str | None
    approval_id: str | None
    for_session: bool  # an "allow for session" grant covers this destination now


@dataclass
class _Pending:
    done: anyio.Event = field(default_factory=anyio.Event)
    decision: Decision | None = None


@dataclass(frozen=True)
class SessionInfo:
    session: str
    agent: str
    cwd: str


class SessionGate:
    """The :class:`aegis_core.network.proxy.Gate` of one session."""

    def __init__(self, info: SessionInfo, manifest: Callable[[], Manifest], judge: Judge,
                 record: Callable[[str, ConnectionRecord], Awaitable[None]], *,
                 clock: Callable[[], float] = time.monotonic, deny_memory_s: float = DENY_MEMORY_S) -> None:
        self.info = info
        self._manifest = manifest  # asked each time: a confirmed reload applies to running sessions
        self.extra: list[HostRule] = []  # this session's own: its model API's host
        self._judge = judge
        self._record = record
        self._clock = clock
        self._deny_memory_s = deny_memory_s
        self.endpoints: dict[str, Endpoint] = {}
        self._granted: set[Destination] = set()
        self._denied: dict[Destination, tuple[float, Decision]] = {}
        self._pending: dict[Destination, _Pending] = {}
        # Destinations refused before anything else (the fleet's database): see
        # aegis_core.fleet.egress.FleetStoreGuard.
        self.never: Any = None

    # -- the Gate protocol -----------------------------------------------------

    def endpoint(self, host: str) -> Endpoint | None:
        return self.endpoints.get(host)

    async def record(self, record: ConnectionRecord) -> None:
        # Shielded: the record of a connection cut short by cancellation is still written.
        with anyio.CancelScope(shield=True):
            await self._record(self.info.session, record)

    def screen(self, addresses: list[str], port: int) -> str | None:
        return own_listener(addresses, port)

    def allowed_by(self, destination: Destination) -> HostRule | None:
        """The ``network.allow`` entry (or the session's own) covering ``destination``."""
        rules = (*self._manifest().network_allow, *self.extra)
        return next((rule for rule in rules if rule.matches(destination.host, destination.port)), None)

    async def decide(self, destination: Destination) -> Decision:
        # Before network.allow ("127.0.0.1" may be listed for a dev server) and before
        # any human is asked: the daemon's own listeners are never a destination.
        own = own_listener([destination.host], destination.port)
        if own is not None:
            return Decision(False, "aegis.own_listener", f"Aegis refused the connection: {own}.")
        if self.never is not None and await self.never.blocks(destination):
            return Decision(False, "aegis.fleet_store", refusal_text(destination, self.never.reason(destination)))
        rule = self.allowed_by(destination)
        if rule is not None:
            return Decision(True, "network.allow", f"{destination} is allowed by network.allow entry {rule}")
        if destination in self._granted:
            return Decision(True, "aegis.session_grant", f"{destination} was allowed for this session")
        remembered = self._denied.get(destination)
        if remembered is not None:
            until, decision = remembered
            if self._clock() < until:
                return decision
            del self._denied[destination]
        pending = self._pending.get(destination)
        if pending is not None:  # another connection is already asking: wait for its answer
            await pending.done.wait()
            assert pending.decision is not None
            return pending.decision
        pending = self._pending[destination] = _Pending()
        try:
            pending.decision = await self._ask(destination)
        finally:
            if pending.decision is None:  # cancelled while asking (the session ended)
                pending.decision = Decision(False, "aegis.session_ended", "the session ended")
            self._pending.pop(destination, None)
            pending.done.set()
        return pending.decision

    # -- asking the pipeline -----------------------------------------------------

    def call(self, destination: Destination) -> ToolCall:
        """The call the pipeline judges: kind ``network``, the destination as input
        (what an "allow for session" grant then covers)."""
        scheme = "https" if destination.port == 443 else "http"
        host = f"[{destination.host}]" if ":" in destination.host else destination.host
        return ToolCall(agent=self.info.agent, tool=TOOL, kind=Kind.NETWORK, cwd=self.info.cwd,
                        session=self.info.session, hook_event="Network",
                        input={"host": destination.host, "port": destination.port,
                               "url": f"{scheme}://{host}:{destination.port}"})

    async def _ask(self, destination: Destination) -> Decision:
        answer = await self._judge(self.call(destination))
        if answer.allowed:
            if answer.for_session:
                self._granted.add(destination)
            return Decision(True, answer.rule or "approved", answer.reason, answer.approval_id)
        decision = Decision(False, answer.rule or "denied", refusal_text(destination, answer.reason),
                            answer.approval_id)
        self._denied[destination] = (self._clock() + self._deny_memory_s, decision)
        return decision

    def forget_denials(self) -> None:
        self._denied.clear()


def refusal_text(destination: Destination, reason: str) -> str:
    """What the agent reads when a connection is refused: what happened and what to do."""
    return (f"Aegis blocked the connection to {destination}: the sandbox only reaches hosts in its manifest's "
            f"network.allow, and this one was not allowed. {reason}\n"
            f"Do not retry or try another route; ask the user. Aegis refuses {destination} again "
            f"without asking for the next {DENY_MEMORY_S:g} s. If the agent needs this host, the user can "
            f"approve it when asked (\"allow for session\" covers the rest of the session), or add "
            f"\"{destination}\" to network.allow in the [sandbox] manifest.")


def session_info(row: Mapping[str, object] | None, session: str) -> SessionInfo:
    row = row or {}
    return SessionInfo(session, str(row.get("agent") or "unknown"), str(row.get("cwd") or ""))
