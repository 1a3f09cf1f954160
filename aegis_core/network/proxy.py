"""The egress proxy's HTTP side: one connection from the sandbox's bridge, spoken with
h11. ``CONNECT host:port`` opens a tunnel whose bytes are relayed and counted, never
looked into; an absolute-URI request (``GET http://host/path``) is forwarded, keeping
the client's connection alive across requests; a request to a model API's virtual
host goes to the real API with the key added. Who may go where is the gate's call
(:mod:`aegis_core.network.gate`); this module only speaks HTTP.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import h11
from anyio import TypedAttributeLookupError
from anyio.abc import ByteStream, SocketAttribute

from aegis_core.network.bridge import relay
from aegis_core.network.endpoints import Endpoint
from aegis_core.network.hosts import Destination, HostError, parse_authority
from aegis_core.network.upstream import UpstreamError, open_upstream

READ_SIZE = 256 * 1024
MAX_HEAD = 64 * 1024
MAX_DRAINED_BODY = 1 << 20  # a refused request's body read (and dropped) so the client sees the answer
RAW_BODY = 1 << 20  # response bodies larger than this are copied past the parser
# Hop-by-hop headers (RFC 9110 7.6.1) and the proxy's own: never passed on.
HOP_BY_HOP = frozenset({b"connection", b"proxy-connection", b"keep-alive", b"proxy-authorization",
                        b"proxy-authenticate", b"te", b"trailer", b"transfer-encoding", b"upgrade", b"expect"})
_CLOSED = (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError)


@dataclass(frozen=True)
class Decision:
    """The gate's answer for one destination. ``reason`` is shown to the agent on a
    refusal and recorded either way."""

    allowed: bool
    rule: str
    reason: str
    approval_id: str | None = None


@dataclass
class ConnectionRecord:
    """What the audit log keeps of one connection: never its payload."""

    destination: Destination
    via: str  # "CONNECT", "http" (forwarded requests) or "model-api"
    decision: Decision
    started: float = field(default_factory=time.monotonic)
    bytes_out: int = 0  # from the agent to the destination
    bytes_in: int = 0  # from the destination to the agent
    requests: int = 0
    error: str | None = None

    def details(self) -> dict[str, object]:
        details: dict[str, object] = {
            "host": self.destination.host, "port": self.destination.port, "via": self.via,
            "decision": "allow" if self.decision.allowed else "deny", "rule": self.decision.rule,
            "approval_id": self.decision.approval_id,
            "bytes_out": self.bytes_out, "bytes_in": self.bytes_in,
            "duration_s": round(time.monotonic() - self.started, 3),
        }
        if self.via != "CONNECT":
            details["requests"] = self.requests
        if not self.decision.allowed:
            details["reason"] = self.decision.reason
        if self.error:
            details["error"] = self.error
        return details


class Gate(Protocol):
    """What the proxy asks about one session's traffic."""

    def endpoint(self, host: str) -> Endpoint | None:
        """The model API behind a virtual host, or None."""
        ...

    async def decide(self, destination: Destination) -> Decision:
        """Whether the session may reach ``destination`` (may wait for a human)."""
        ...

    async def record(self, record: ConnectionRecord) -> None:
        """Audit one finished (or refused) connection (returns once it is written)."""
        ...

    def screen(self, addresses: list[str], port: int) -> str | None:
        """Why a destination whose name resolved to ``addresses`` must not be
        connected to although it was allowed (the daemon's own listeners), or None."""
        ...


class _Client:
    """The bridge's side of the conversation: an h11 server connection on a stream."""

    def __init__(self, stream: ByteStream) -> None:
        self.stream = stream
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        self.renewed = False  # the parser was replaced during the last request
        self.keep_alive = True

    async def next_event(self) -> object:
        """The next h11 event (or ``h11.PAUSED``), reading as much as it takes."""
        while True:
            event = self.conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            try:
                data = await self.stream.receive(READ_SIZE)
            except _CLOSED:
                data = b""
            self.conn.receive_data(data)

    async def send(self, *events: h11.Event) -> None:
        data = b"".join(self.conn.send(event) or b"" for event in events)
        await self.stream.send(data)

    def renew(self) -> None:
        """A fresh parser for the next request, after a body was copied past this one;
        whatever the client already sent carries over."""
        pending, closed = self.conn.trailing_data
        self.keep_alive = self.keep_alive and not closed
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        if pending:  # (empty data would tell h11 the client hung up)
            self.conn.receive_data(pending)
        self.renewed = True

    async def refuse(self, status: int, short: str, text: str) -> None:
        """Answer with an error the agent can read, then the connection closes. The
        short form goes in the status line, which is what most clients print."""
        await self._drain_body()
        body = (text.rstrip() + "\n").encode("utf-8")
        reason = short.encode("ascii", "replace")[:200]
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close"), (b"x-aegis-decision", b"deny" if status == 403 else b"error")]
        if self.conn.our_state not in (h11.SEND_RESPONSE, h11.IDLE):
            return  # a response already started: all we can do is close
        await self.send(h11.Response(status_code=status, headers=headers, reason=reason),
                        h11.Data(data=body), h11.EndOfMessage())

    async def _drain_body(self) -> None:
        drained = 0
        while self.conn.their_state is h11.SEND_BODY and drained <= MAX_DRAINED_BODY:
            event = await self.next_event()
            if not isinstance(event, h11.Data):
                break
            drained += len(event.data)


async def serve_client(stream: ByteStream, gate: Gate) -> None:
    """Serve one connection from the bridge until either side closes it."""
    client = _Client(stream)
    upstream: _Upstream | None = None
    try:
        while True:
            try:
                event = await client.next_event()
            except h11.RemoteProtocolError as exc:
                await client.refuse(exc.error_status_hint, "Bad request to Aegis' proxy",
                                    f"Aegis' egress proxy could not read this request ({exc}).")
                return
            if not isinstance(event, h11.Request):
                return  # ConnectionClosed, or PAUSED after a refusal
            if event.method == b"CONNECT":
                await _tunnel(client, event, gate)
                return
            client.keep_alive = _keeps_alive(event)
            upstream = await _forward(client, event, gate, upstream)
            if client.renewed:
                client.renewed = False
                if not client.keep_alive:
                    return
                continue
            if client.conn.our_state is not h11.DONE or client.conn.their_state is not h11.DONE:
                return
            client.conn.start_next_cycle()
    except _CLOSED:
        return
    finally:
        if upstream is not None:
            await upstream.close(gate)


# -- CONNECT: a tunnel ---------------------------------------------------------


async def _tunnel(client: _Client, request: h11.Request, gate: Gate) -> None:
    if not isinstance(await client.next_event(), h11.EndOfMessage):
        await client.refuse(400, "Bad CONNECT request", "Aegis' egress proxy takes CONNECT without a body.")
        return
    try:
        destination = parse_authority(request.target.decode("ascii", "replace"))
    except HostError as exc:
        await client.refuse(400, "Bad CONNECT target", f"Aegis' egress proxy cannot tunnel to this: {exc}.")
        return
    if gate.endpoint(destination.host) is not None:
        await client.refuse(400, "Use http:// for the model API",
                            f"{destination.host} is Aegis' stand-in for your model API; use it over plain "
                            "http:// (Aegis adds the key and TLS on the way out), not through CONNECT.")
        return
    decision = await gate.decide(destination)
    record = ConnectionRecord(destination, "CONNECT", decision)
    if not decision.allowed:
        await gate.record(record)
        await client.refuse(403, _short_refusal(destination), decision.reason)
        return
    try:
        server = await open_upstream(destination, screen=gate.screen)
    except UpstreamError as exc:
        record.error = str(exc)
        await gate.record(record)
        await client.refuse(502, f"Aegis could not reach {destination}", str(exc))
        return
    try:
        async with server:
            await client.send(h11.Response(status_code=200, headers=[], reason=b"Connection established"))
            early, _ = client.conn.trailing_data
            if early:
                await server.send(early)
                record.bytes_out += len(early)
            await _relay(client.stream, server, record)
    except _CLOSED as exc:
        record.error = record.error or f"{type(exc).__name__}"
    finally:
        await gate.record(record)


async def _relay(client: ByteStream, server: ByteStream, record: ConnectionRecord) -> None:
    """Copy bytes both ways until both directions end; a half close is passed on.

    The bytes are spliced by two threads (:func:`aegis_core.network.bridge.relay`):
    they never enter Python, and a big download does not hold up the event loop that
    answers every hook. Cancelling (the session ending) shuts the sockets down, which
    ends the threads."""
    try:
        sockets = (client.extra(SocketAttribute.raw_socket), server.extra(SocketAttribute.raw_socket))  # noqa: S610
    except TypedAttributeLookupError:
        await _relay_in_loop(client, server, record)
        return
    counts = ([0], [0])

    def one_way(source: socket.socket, sink: socket.socket, moved: list[int]) -> None:
        try:
            relay(source.fileno(), sink.fileno(), moved)
            sink.shutdown(socket.SHUT_WR)
        except OSError:  # a reset on one side ends both directions
            _shut(*sockets)

    try:
        await _in_threads(sockets, partial(one_way, sockets[0], sockets[1], counts[0]),
                          partial(one_way, sockets[1], sockets[0], counts[1]))
    finally:
        record.bytes_out += counts[0][0]
        record.bytes_in += counts[1][0]
        _shut(*sockets)


async def _in_threads(sockets: Sequence[socket.socket], *jobs: Callable[[], None]) -> None:
    """Run blocking ``jobs`` in threads of their own (long-lived: not the shared pool's
    tokens) until all end. Cancelled, it shuts ``sockets`` down so the jobs end too."""
    limiter = anyio.CapacityLimiter(len(jobs))

    async def run_all() -> None:
        async with anyio.create_task_group() as workers:
            for job in jobs:
                workers.start_soon(partial(anyio.to_thread.run_sync, limiter=limiter), job)
        tasks.cancel_scope.cancel()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(run_all)
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            if not tasks.cancel_scope.cancel_called:  # cancelled from outside: stop the threads
                _shut(*sockets)
            raise


def _shut(*sockets: socket.socket) -> None:
    for sock in sockets:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


async def _relay_in_loop(client: ByteStream, server: ByteStream, record: ConnectionRecord) -> None:
    """The same in the event loop, for streams that are not plain sockets."""

    async def pump(source: ByteStream, sink: ByteStream, outbound: bool) -> None:
        try:
            while True:
                try:
                    data = await source.receive(READ_SIZE)
                except anyio.EndOfStream:
                    break
                await sink.send(data)
                if outbound:
                    record.bytes_out += len(data)
                else:
                    record.bytes_in += len(data)
            try:
                await sink.send_eof()
            except (NotImplementedError, *_CLOSED):
                tasks.cancel_scope.cancel()
        except _CLOSED:
            tasks.cancel_scope.cancel()  # a reset on one side ends the tunnel

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(pump, client, server, True)
        tasks.start_soon(pump, server, client, False)


# -- plain HTTP: forwarded requests --------------------------------------------


class _Upstream:
    """A connection to one destination for forwarded requests, kept while the agent's
    next request goes to the same place."""

    def __init__(self, stream: ByteStream, record: ConnectionRecord) -> None:
        self.stream = stream
        self.conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.record = record
        self.closed = False
        self.stale = False  # its parser no longer matches the stream: not reusable

    async def send(self, event: h11.Event) -> None:
        data = self.conn.send(event)
        if data:
            await self.stream.send(data)
            self.record.bytes_out += len(data)

    async def next_event(self) -> object:
        """The next h11 event (or ``h11.PAUSED``), reading as much as it takes."""
        while True:
            event = self.conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            try:
                data = await self.stream.receive(READ_SIZE)
            except anyio.EndOfStream:
                data = b""
            self.record.bytes_in += len(data)
            self.conn.receive_data(data)

    @property
    def reusable(self) -> bool:
        return not self.stale and self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE

    async def close(self, gate: Gate) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            with suppress(Exception):  # closing a broken stream says nothing new
                await self.stream.aclose()
        finally:
            await gate.record(self.record)


@dataclass(frozen=True)
class _Target:
    destination: Destination
    path: bytes  # origin-form: /path?query


def _target(request: h11.Request) -> _Target:
    raw = request.target.decode("ascii", "replace")
    if raw.startswith("/"):
        raise HostError("this is Aegis' egress proxy, not a web server; send requests through it with "
                        "HTTP_PROXY set (the request line must name the full http:// URL)")
    parts = urlsplit(raw)
    if parts.scheme == "https":
        raise HostError("https:// URLs go through the proxy with CONNECT, not as a plain request")
    if parts.scheme != "http" or not parts.netloc:
        raise HostError(f"{raw[:200]!r} is not an http:// URL")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(parse_authority(parts.netloc.rpartition("@")[2], 80), path.encode("ascii", "replace"))


async def _forward(client: _Client, request: h11.Request, gate: Gate,
                   upstream: _Upstream | None) -> _Upstream | None:
    """Forward one request and its response; return the upstream connection to keep."""
    try:
        target = _target(request)
    except HostError as exc:
        await client.refuse(400, "Bad request to Aegis' proxy", f"Aegis' egress proxy cannot forward this: {exc}.")
        return upstream
    endpoint = gate.endpoint(target.destination.host)
    if endpoint is not None:
        destination, via = endpoint.origin, "model-api"
        decision = Decision(True, "model-api", f"{target.destination.host} stands for the {endpoint.name} API")
    else:
        destination, via = target.destination, "http"
        decision = await gate.decide(destination)
    if not decision.allowed:
        await gate.record(ConnectionRecord(destination, via, decision))
        await client.refuse(403, _short_refusal(destination), decision.reason)
        return upstream

    if upstream is not None and (upstream.record.destination != destination or upstream.record.via != via
                                 or not upstream.reusable):
        await upstream.close(gate)
        upstream = None
    if upstream is None:
        record = ConnectionRecord(destination, via, decision)
        try:
            stream = await open_upstream(destination, tls=endpoint.tls if endpoint else False, screen=gate.screen)
        except UpstreamError as exc:
            record.error = str(exc)
            await gate.record(record)
            await client.refuse(502, f"Aegis could not reach {destination}", str(exc))
            return None
        upstream = _Upstream(stream, record)
    else:
        upstream.conn.start_next_cycle()
    upstream.record.requests += 1

    if endpoint is not None:
        headers = endpoint.headers(_end_to_end(request.headers))
    else:
        # The host that was decided is the host the server hears about: the client's
        # own Host header is replaced (RFC 9112 3.2.2), so an allowed address cannot
        # be asked for another site behind it (domain fronting on a shared server).
        headers = [(b"host", _authority(target.destination)),
                   *((name, value) for name, value in _end_to_end(request.headers) if name != b"host")]
    if _chunked(request.headers):
        headers.append((b"transfer-encoding", b"chunked"))
    if _expects_continue(request):
        # The client waits for a go-ahead before its body: Aegis gives it here and
        # does not ask the server (which then never sees Expect).
        await client.send(h11.InformationalResponse(status_code=100, headers=[]))
    try:
        await upstream.send(h11.Request(method=request.method, target=target.path, headers=headers))
        await _copy_body(client, upstream)
        await _copy_response(upstream, client, request.method)
    except (h11.ProtocolError, *_CLOSED) as exc:
        upstream.record.error = f"{type(exc).__name__}: {exc}"[:300]
        await upstream.close(gate)
        if client.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            await client.refuse(502, f"Aegis lost the connection to {destination}",
                                f"The connection to {destination} failed while forwarding the request: "
                                f"{type(exc).__name__}.")
        raise anyio.ClosedResourceError from exc  # the client's connection cannot go on
    if not upstream.reusable:
        await upstream.close(gate)
        return None
    return upstream


async def _copy_body(client: _Client, upstream: _Upstream) -> None:
    while True:
        event = await client.next_event()
        if isinstance(event, h11.Data):
            await upstream.send(h11.Data(data=event.data))
        elif isinstance(event, h11.EndOfMessage):
            await upstream.send(h11.EndOfMessage())
            return
        else:
            raise anyio.ClosedResourceError  # the client went away mid-body


async def _copy_response(upstream: _Upstream, client: _Client, method: bytes) -> None:
    while True:
        event = await upstream.next_event()
        if isinstance(event, h11.InformationalResponse):
            continue  # a 100 Continue was already given; other 1xx mean nothing to the client
        if isinstance(event, h11.Response):
            # Content-Length passes on; without it h11 frames the body for this client
            # (chunked, or close-delimited for an HTTP/1.0 one).
            await client.send(h11.Response(status_code=event.status_code, headers=_end_to_end(event.headers),
                                           reason=event.reason))
            length = _content_length(event)
            if method != b"HEAD" and event.status_code not in (204, 304) and length > RAW_BODY:
                await _copy_raw_body(upstream, client, length)
                return
        elif isinstance(event, h11.Data):
            await client.send(h11.Data(data=event.data))
        elif isinstance(event, h11.EndOfMessage):
            await client.send(h11.EndOfMessage())
            return
        else:
            raise anyio.EndOfStream  # the server closed before the response ended


async def _copy_raw_body(upstream: _Upstream, client: _Client, length: int) -> None:
    """A large body of known length, copied without h11 parsing it (several times
    faster); the upstream connection then closes, its parser being left behind."""
    upstream.stale = True
    remaining = length
    while remaining:  # what h11 already holds first
        event = upstream.conn.next_event()
        if not isinstance(event, h11.Data):
            break
        await client.send(h11.Data(data=event.data))
        remaining -= len(event.data)
    try:
        sockets = (upstream.stream.extra(SocketAttribute.raw_socket),  # noqa: S610
                   client.stream.extra(SocketAttribute.raw_socket))  # noqa: S610
    except TypedAttributeLookupError:  # TLS to a model API: through the loop
        while remaining > 0:
            data = await upstream.stream.receive(min(READ_SIZE, remaining))
            upstream.record.bytes_in += len(data)
            await client.send(h11.Data(data=data))
            remaining -= len(data)
        await client.send(h11.EndOfMessage())
        return
    moved = [0]

    def copy() -> None:
        with suppress(OSError):  # a short count says it
            relay(sockets[0].fileno(), sockets[1].fileno(), moved, remaining)

    try:
        await _in_threads(sockets, copy)
    finally:
        upstream.record.bytes_in += moved[0]
    if moved[0] < remaining:
        raise anyio.EndOfStream  # the server closed (or the client went) before the body ended
    client.renew()  # its parser saw the body's head, not the bytes spliced past it


def _authority(destination: Destination) -> bytes:
    return (destination.host if destination.port == 80 else str(destination)).encode("ascii")


def _keeps_alive(request: h11.Request) -> bool:
    tokens = {token.strip().lower() for name, value in request.headers if name == b"connection"
              for token in value.split(b",")}
    return b"close" not in tokens and (request.http_version != b"1.0" or b"keep-alive" in tokens)


def _content_length(response: h11.Response) -> int:
    for name, value in response.headers:
        if name == b"content-length":
            return int(value)
    return -1


def _end_to_end(headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers meant for the other end: hop-by-hop ones (and those the Connection
    header names) removed. h11 gives names in lower case."""
    named = {token.strip().lower() for name, value in headers if name == b"connection"
             for token in value.split(b",")}
    return [(name, value) for name, value in headers if name not in HOP_BY_HOP and name not in named]


def _chunked(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    return any(name == b"transfer-encoding" for name, _ in headers)


def _expects_continue(request: h11.Request) -> bool:
    return any(name == b"expect" and value.lower() == b"100-continue" for name, value in request.headers)


def _short_refusal(destination: Destination) -> str:
    return f"Aegis blocked {destination}; ask the user"
