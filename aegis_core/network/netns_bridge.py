"""The network bridge made from outside: the egress proxy's end inside the sandbox's
network namespace, with nothing of it running inside.

The sandbox has its own network namespace with only loopback in it; programs inside
reach the network through ``HTTP(S)_PROXY=http://127.0.0.1:3128``. The socket that
listens there is made by ``aegis wrap`` itself, outside, in the sandbox's namespace,
before the command starts; each connection to it is joined to the session's
``proxy.sock`` (the daemon's egress proxy) by threads of ``aegis wrap``. Before, a
Python bridge was the sandbox's first process and made that socket: an interpreter
start (10 ms idle, 30 ms and more on a loaded machine) on every wrapped start, and a
process inside that a command could disturb.

How: bubblewrap writes the sandbox's pid to ``--info-fd`` as soon as its namespaces
exist, and waits on ``--block-fd`` before it runs the command. In between (while it
builds the sandbox's mounts), a child forked from ``aegis wrap`` enters the user
namespace that owns the sandbox's network namespace (its creator, this user, may),
then the network namespace, makes the socket (``IP_FREEBIND``: bubblewrap brings
loopback up meanwhile) and hands it back over a socket pair; then the command is let
go (aegis_core.sandbox.handshake). Should any step fail, the sandbox is killed before
its command runs, and the reason printed: the agent never starts without the way out
it was promised.
"""

from __future__ import annotations

import functools
import os
import select
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import socket

# Imported where used (socket, ctypes, json): ``aegis wrap`` builds the plan on every
# start, and what only the bridge's own thread needs is loaded there, off that path.

PROXY_HOST = "127.0.0.1"
PROXY_PORT = 3128  # the sandbox's own loopback: no other program's port to collide with
PROXY_URL = f"http://{PROXY_HOST}:{PROXY_PORT}"
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
NS_GET_USERNS = 0xB701  # ioctl: the user namespace that owns a namespace
IP_FREEBIND = 15


def prepare() -> None:
    """Load what :func:`listen_inside` needs (ctypes, libc's ``setns``): called by the
    handshake's thread before the sandbox reports its pid, so the imports run while the
    launcher starts instead of while bubblewrap waits for the listener."""
    _setns()
    import socket  # noqa: F401

    from aegis_core.network import bridge  # noqa: F401  (relay_connections')


@functools.lru_cache(maxsize=1)
def _setns() -> tuple[Any, Any]:
    """libc's ``setns`` and ``ctypes.get_errno`` (Python 3.11 has no ``os.setns``)."""
    import ctypes

    return ctypes.CDLL(None, use_errno=True).setns, ctypes.get_errno


def listen_inside(pid: int) -> socket.socket:
    """A TCP socket listening on 127.0.0.1:3128 in the network namespace of ``pid``.

    As root, this thread enters the namespace, makes the socket and comes back (a
    network namespace is per thread; root may enter any). Otherwise a child enters the
    user namespace that owns it first, which only a process without threads may do:
    a fork of this process (its cost grows with this process' memory), so root is
    spared it."""
    if os.geteuid() == 0:
        return _listen_from_this_thread(pid)
    return _listen_from_a_child(pid)


def _listener() -> socket.socket:
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.IPPROTO_IP, IP_FREEBIND, 1)
        listener.bind((PROXY_HOST, PROXY_PORT))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


def _listen_from_this_thread(pid: int) -> socket.socket:
    setns, get_errno = _setns()
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    net = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        if setns(net, CLONE_NEWNET) != 0:
            raise OSError(get_errno(), "cannot enter the sandbox's network namespace")
        try:
            return _listener()
        finally:
            if setns(home, CLONE_NEWNET) != 0:  # (what this thread does next needs no network)
                raise OSError(get_errno(), "cannot return from the sandbox's network namespace")
    finally:
        os.close(net)
        os.close(home)


def _listen_from_a_child(pid: int) -> socket.socket:
    import errno
    import fcntl
    import socket
    net = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        owner = fcntl.ioctl(net, NS_GET_USERNS)
    except OSError:
        os.close(net)
        raise
    setns, get_errno = _setns()
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        child = os.fork()
        if child == 0:  # pragma: no cover  (the forked child: only system calls, then _exit)
            code = 1
            try:
                ours.close()
                if setns(owner, CLONE_NEWUSER) != 0:
                    code = 10
                    raise OSError(get_errno(), "setns user")
                if setns(net, CLONE_NEWNET) != 0:
                    code = 11
                    raise OSError(get_errno(), "setns net")
                listener = _listener()
                socket.send_fds(theirs, [b"ok"], [listener.fileno()])
                code = 0
            except OSError as exc:
                try:
                    theirs.sendall(f"{exc.strerror or exc} ({code})".encode())
                except OSError:
                    pass
            finally:
                os._exit(code)
        theirs.close()
        message, fds, _, _ = socket.recv_fds(ours, 512, 1)
        os.waitpid(child, 0)
    finally:
        ours.close()
        theirs.close()
        os.close(net)
        os.close(owner)
    if not fds:
        raise OSError(errno.EPERM, message.decode(errors="replace") or "the helper ended without a socket")
    return socket.socket(fileno=fds[0])


def serve(listener: socket.socket, proxy_socket: str, sandbox_pid: int) -> None:
    """In a thread of its own: relay for the sandbox until it ends, then close."""
    threading.Thread(target=_relay_closing, args=(listener, proxy_socket, sandbox_pid),
                     name="aegis-netns-accept", daemon=True).start()


def _relay_closing(listener: socket.socket, proxy_socket: str, sandbox_pid: int) -> None:
    with listener:
        relay_connections(listener, proxy_socket, sandbox_pid)


def relay_connections(listener: socket.socket, proxy_socket: str, sandbox_pid: int) -> None:
    """Join each connection to ``listener`` to the egress proxy at ``proxy_socket``
    (the bridge's own relay: spliced, never in Python) until the sandbox ends."""
    import socket

    from aegis_core.network import bridge

    try:
        ended = os.pidfd_open(sandbox_pid)
    except OSError:
        return  # already gone
    try:
        poller = select.poll()
        poller.register(listener, select.POLLIN)
        poller.register(ended, select.POLLIN)
        while True:
            if any(fd == ended for fd, _ in poller.poll()):
                return
            try:
                client, _ = listener.accept()
            except OSError:
                continue
            try:
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            threading.Thread(target=bridge.join, args=(client, proxy_socket), name="aegis-netns-relay",
                             daemon=True).start()
    finally:
        os.close(ended)


def proxy_environment() -> dict[str, str]:
    """What points every program inside at the bridge (and Node's own fetch too)."""
    from aegis_core.network.bridge import PROXY_VARIABLES

    return {**{name: PROXY_URL for name in PROXY_VARIABLES}, "NODE_USE_ENV_PROXY": "1"}
