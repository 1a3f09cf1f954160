"""The daemon's sockets served straight on the event loop's selector.

A hook's connection carries one request line and gets a few answer lines back; the
daemon serves thousands a second. anyio's listener and streams cost more per
connection than the decision itself once the policy is fast: an accept task turn,
a task-group spawn, a future per receive and per send, every socket attribute built
on each lookup (about a third of the event loop under load). Here a listening socket
accepts from its selector callback, each connection reads from its own, and the
handler task starts only once the request line is complete, with the line in hand.

:class:`Connection` offers what the handlers used of anyio's ``SocketStream``
(``send``, ``receive``, ``aclose``, anyio's exceptions), so the rest of the daemon
(an approval's interim line, a client hanging up, ``session.watch``) reads as before.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Callable

import anyio
import structlog

from aegis_core.daemon.protocol import CHUNK, MAX_REQUEST, too_large

log = structlog.get_logger(__name__)

# Received after the request line and not yet read by the handler: beyond this the
# connection stops reading until the handler takes some (a client cannot fill memory).
READ_AHEAD = 1 << 20
# Connections accepted per selector turn, so one burst cannot starve the others.
ACCEPTS_PER_TURN = 64
BACKLOG = 65535  # the kernel caps it at net.core.somaxconn


class Connection:
    """One accepted client socket (non-blocking), read from the loop's selector."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
        self.loop = loop
        self.sock = sock
        self._fd = sock.fileno()
        self._received = bytearray()  # the request line so far, then what came after it
        self.line: bytes | None = None  # the request line, once complete (no newline)
        self._line_error: BaseException | None = None
        self._line_waiter: asyncio.Future[None] | None = None
        self.on_line: Callable[[Connection], None] | None = None  # called once the line is complete
        self._eof = False
        self._error: OSError | None = None
        self._closed = False
        self._reading = False  # registered with the selector
        self._waiter: asyncio.Future[None] | None = None  # a receive waiting for data
        self._unsent = bytearray()
        self._drained: asyncio.Future[None] | None = None  # a send waiting for the socket

    # -- reading ----------------------------------------------------------------------
    # The socket is watched only while something waits for what it brings: the
    # request line, then a handler's receive (an approval's hang-up watcher). Most
    # clients have sent their line by the time they are accepted, so most
    # connections are read once and never registered with the selector.

    def start(self, on_line: Callable[[Connection], None] | None = None) -> None:
        """Read the request line; ``on_line`` is called once it is complete, or once
        the client hung up or sent too much without one."""
        self.on_line = on_line
        self._readable()
        if self.line is None and self._line_error is None and not self._closed:
            self._watch()

    def _watch(self) -> None:
        if not self._reading:
            self._reading = True
            self.loop.add_reader(self._fd, self._readable)

    def _unwatch(self) -> None:
        if self._reading:
            self._reading = False
            self.loop.remove_reader(self._fd)

    def _readable(self) -> None:
        try:
            data = self.sock.recv(CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._error, data = exc, b""
        if not data:
            self._eof = True
            self._unwatch()
            if self.line is None:
                self._line_failed(anyio.EndOfStream())
            self._wake()
            return
        if self.line is not None:
            self._received += data
            if len(self._received) > READ_AHEAD:
                self._unwatch()
            self._wake()
            return
        newline = data.find(b"\n")
        self._received += data if newline < 0 else data[:newline]
        if len(self._received) > MAX_REQUEST:
            self._unwatch()
            self._line_failed(too_large())
            return
        if newline < 0:
            return
        self.line, self._received = bytes(self._received), bytearray(data[newline + 1:])
        self._unwatch()
        if self._line_waiter is not None and not self._line_waiter.done():
            self._line_waiter.set_result(None)
        if self.on_line is not None:
            self.on_line(self)

    def _line_failed(self, error: BaseException) -> None:
        self._line_error = error
        if self._line_waiter is not None and not self._line_waiter.done():
            self._line_waiter.set_result(None)
        if self.on_line is not None:
            self.on_line(self)

    @property
    def hung_up_early(self) -> bool:
        """The client hung up before its request line was complete."""
        return self.line is None and isinstance(self._line_error, anyio.EndOfStream)

    async def request_line(self) -> bytes:
        """The request line (without its newline), once it is complete; EndOfStream if
        the client hung up first, RequestError if it is too large."""
        while self.line is None:
            if self._line_error is not None:
                raise self._line_error
            if self._closed:
                raise anyio.ClosedResourceError
            self._line_waiter = self.loop.create_future()
            try:
                await self._line_waiter
            finally:
                self._line_waiter = None
        return self.line

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def receive(self, max_bytes: int = CHUNK) -> bytes:
        """What the client sent after its request line, as anyio's ``receive`` has it."""
        if not self._received and not (self._eof or self._closed or self.line is None):
            self._readable()  # already there: no need to ask the selector
        while not self._received:
            if self._closed:
                raise anyio.ClosedResourceError
            if self._error is not None:
                raise anyio.BrokenResourceError from self._error
            if self._eof:
                raise anyio.EndOfStream
            self._waiter = self.loop.create_future()
            self._watch()
            try:
                await self._waiter
            finally:
                self._waiter = None
                if not self._closed:
                    self._unwatch()
        data = bytes(self._received[:max_bytes])
        del self._received[:max_bytes]
        return data

    # -- writing ----------------------------------------------------------------------

    async def send(self, data: bytes) -> None:
        """Everything in ``data`` handed to the kernel, as anyio's ``send``."""
        if self._closed:
            raise anyio.ClosedResourceError
        if self._error is not None:
            raise anyio.BrokenResourceError from self._error
        if not self._unsent:
            try:
                sent = self.sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError as exc:
                self._error = exc
                raise anyio.BrokenResourceError from exc
            if sent == len(data):
                return
            self._unsent += memoryview(data)[sent:]
            self.loop.add_writer(self._fd, self._writable)
        else:
            self._unsent += data
        while self._unsent and not self._closed and self._error is None:
            drained = self._drained = self.loop.create_future()
            try:
                await drained
            finally:
                self._drained = None
        if self._closed:
            raise anyio.ClosedResourceError
        if self._error is not None:
            raise anyio.BrokenResourceError from self._error

    def _writable(self) -> None:
        try:
            sent = self.sock.send(self._unsent)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._error = exc
            self._unsent.clear()
        else:
            del self._unsent[:sent]
        if not self._unsent:
            self.loop.remove_writer(self._fd)
            if self._drained is not None and not self._drained.done():
                self._drained.set_result(None)

    # -- closing ----------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._unwatch()
        if self._unsent:
            self.loop.remove_writer(self._fd)
            self._unsent.clear()
        for waiter in (self._waiter, self._drained, self._line_waiter):
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        self.sock.close()

    async def aclose(self) -> None:
        self.close()


class Listener:
    """A listening socket that hands each accepted connection to ``on_connection``
    from the loop's selector callback."""

    def __init__(self, sock: socket.socket, on_connection: Callable[[socket.socket], None]) -> None:
        self.loop = asyncio.get_running_loop()
        self.sock = sock
        self.on_connection = on_connection
        self._closed = False
        sock.setblocking(False)
        self.loop.add_reader(sock.fileno(), self._accept)

    def _accept(self) -> None:
        for _ in range(ACCEPTS_PER_TURN):
            try:
                client, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                # Out of file descriptors (or memory): stop accepting for a second
                # rather than spin on a listener that stays readable.
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    log.error("cannot accept connections for now", error=str(exc))
                    self.loop.remove_reader(self.sock.fileno())
                    self.loop.call_later(1.0, self._resume)
                    return
                raise
            client.setblocking(False)
            try:
                self.on_connection(client)
            except Exception:
                log.exception("serving a new connection failed")
                client.close()

    def _resume(self) -> None:
        if not self._closed:
            self.loop.add_reader(self.sock.fileno(), self._accept)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()


def listen(address: str) -> socket.socket:
    """A Unix stream socket bound to ``address`` and listening (the caller sets the umask)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(address)
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock
