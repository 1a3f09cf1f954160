"""The daemon's wire protocol (docs/protocol.md): one JSON line per request, which
operations each socket serves, and the one place that shapes every reply.

Authority comes from the socket a request arrived on. The operator socket serves
everything; an agent socket serves only what an adapter needs, so a process that
can reach nothing but an agent socket (the agent, inside its sandbox) cannot
answer, reload, stop or manage anything, whatever its ancestry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aegis_core.client import UPDATE
from aegis_core.errors import ExitCode
from aegis_core.sockets import daemon_proof

VERSION = 1
# One request holds one tool call: a legitimate Write of a large file or a long
# generated command must be judged, not cut off. Hook clients check the same limit.
MAX_REQUEST = 64 << 20

OPERATOR = "operator"
AGENT = "agent"


@dataclass(frozen=True)
class Operation:
    name: str
    agent: bool  # also served on agent sockets
    what: str


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("ping", True, "is the daemon there, and which one"),
        Operation("judge", True, "judge one tool call or prompt (may wait for a human)"),
        Operation("observe", True, "record what a call did"),
        Operation("approval.cancel", True, "withdraw a pending approval (agent sockets: of its own session)"),
        Operation("approval.resolve", False, "approve or deny a pending approval"),
        Operation("session.create", False, "open a wrapped session: token, run directory, agent socket"),
        Operation("session.end", False, "close a wrapped session"),
        Operation("session.note", False, "record what the sandbox noticed while a session runs"),
        Operation("sandbox.restored", False, "record that you put back files the sandbox quarantined"),
        Operation("session.resume", False, "resume a session paused by the circuit breaker"),
        Operation("status", False, "the daemon's state in detail"),
        Operation("reload", False, "apply the policy and config files as they are now"),
        Operation("stop", False, "drain and stop the daemon"),
        Operation("network.endpoint", False, "a session's model API, and its key held outside the sandbox"),
        Operation("session.watch", False, "follow a session's approvals as they are asked and answered"),
    )
}


@dataclass(frozen=True)
class Endpoint:
    """One socket the daemon listens on: its role, and for a wrapped session's agent
    socket, the session it is bound to (None: the shared agent socket)."""

    role: str
    path: str
    session: str | None = None

    def serves(self, op: str) -> bool:
        operation = OPERATIONS.get(op)
        return operation is not None and (self.role == OPERATOR or operation.agent)

    def describe(self) -> str:
        if self.role == OPERATOR:
            return "the operator socket"
        return f"the agent socket of session {self.session}" if self.session else "the shared agent socket"


class RequestError(Exception):
    """A request the daemon will not serve; becomes an error reply with ``code``."""

    def __init__(self, message: str, code: int = ExitCode.ERROR) -> None:
        super().__init__(message)
        self.code = code


def refused_here(op: str, endpoint: Endpoint) -> RequestError:
    return RequestError(
        f"{op} is not served on {endpoint.describe()}: answering approvals, reloading, stopping and "
        "managing sessions are for you, on the operator socket; answer from your own terminal "
        "(aegis approvals approve ID) or your phone, outside the agent",
        ExitCode.SECURITY,
    )


def unknown_op(op: Any) -> RequestError:
    return RequestError(f"unknown op {op!r}; known: {', '.join(OPERATIONS)}")


# -- framing ---------------------------------------------------------------------------


# What one receive asks for: a request is a few hundred bytes, and recv() allocates what
# it is asked for before the kernel copies anything (1 MiB cost 14 us more per request).
# The request line itself is read by aegis_core.daemon.connections.
CHUNK = 64 << 10


def too_large() -> RequestError:
    return RequestError(f"request larger than {MAX_REQUEST >> 20} MiB; split the tool call into smaller ones")


def parse_request(line: bytes | bytearray) -> dict[str, Any]:
    """The request in one line (without its newline), checked for what every request has."""
    try:
        request = json.loads(line)
    except (UnicodeDecodeError, ValueError) as exc:
        raise RequestError(f"request is not valid JSON ({exc})") from exc
    if not isinstance(request, dict):
        raise RequestError("request must be a JSON object")
    if request.get("v") != VERSION:
        raise RequestError(f"unsupported protocol version {request.get('v')!r}; upgrade the client")
    return request


# Built once: json.dumps with an option builds an encoder per call (every answer).
_ENCODE = json.JSONEncoder(default=str).encode


def encode(message: Mapping[str, Any]) -> bytes:
    """One message as it goes on the wire: a JSON line."""
    return _ENCODE(message).encode() + b"\n"


class Stream(Protocol):
    """Where replies go: a client's connection (aegis_core.daemon.connections)."""

    async def send(self, data: bytes) -> None: ...


async def send(stream: Stream, message: Mapping[str, Any]) -> None:
    await stream.send(encode(message))


# -- replies ----------------------------------------------------------------------------


def reply(**fields: Any) -> dict[str, Any]:
    return {"final": True, "ok": True, **fields}


def error(message: str, code: int) -> dict[str, Any]:
    return {"final": True, "ok": False, "error": message, "code": int(code)}


def pending(approval_id: str, deadline_at: float) -> dict[str, Any]:
    """The interim line while a human is asked."""
    return {UPDATE: "pending", "approval_id": approval_id, "deadline_at": deadline_at}


def denial(reason: str, rule: str | None = None, risk: int = 100) -> dict[str, Any]:
    """A ``judge`` reply that denies without judging the call."""
    return reply(decision="deny", reason=reason, rule=rule, risk=risk, approval_id=None, choice=None)


def resolution(result: Any) -> dict[str, Any]:
    """The reply to ``approval.resolve`` and ``approval.cancel``."""
    return reply(won=result.won, approval=result.approval.to_dict() if result.approval else None,
                 note=getattr(result, "note", None))


def proven(message: dict[str, Any], request: Mapping[str, Any], token: str | None) -> dict[str, Any]:
    """``message`` with the daemon's proof that it knows the session's token, when the
    request carried a nonce (docs/protocol.md, "Is it the daemon?")."""
    nonce = request.get("nonce")
    if token and isinstance(nonce, str) and nonce and message.get("final"):
        return {**message, "proof": daemon_proof(token, nonce)}
    return message
