"""Aegis' network bridge: the first process inside the sandbox.

Run as ``python3 -I -S bridge.py [--proxy-socket PATH] -- COMMAND [ARGS...]``. The
sandbox has its own network namespace with only loopback in it; this process listens
on ``127.0.0.1:<ephemeral port>`` there and joins each connection to the daemon's
egress proxy through ``PATH`` (default ``/run/aegis/proxy.sock``, the session's run
directory bound in). It then runs COMMAND with the proxy variables pointing at that
port and no ``NO_PROXY``, forwards the signals sent to it, reaps orphans (as PID 1 of
the sandbox's PID namespace it inherits them) and exits with COMMAND's status
(128+N when a signal N ended it).

It runs on every wrapped start, so it imports only C modules that cost nothing to
load (``socket`` alone pulls in enum and selectors, about 10 ms), and those only needed
to relay (``fcntl``, ``select``: shared libraries to load) when the first connection
comes; standard library only, no Aegis import, since the sandbox may not see
site-packages. ``aegis wrap`` runs it compiled (:func:`aegis_core.network.compiled_bridge`):
a script given by its source is compiled on every start.
"""

import _signal
import _socket
import _thread
import os
import sys
import time

DEFAULT_SOCKET = "/run/aegis/proxy.sock"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
# A loophole for loopback would send the agent's API traffic to the sandbox's own
# empty loopback instead of through Aegis: these never reach the agent.
DROPPED_VARIABLES = ("NO_PROXY", "no_proxy")
CHUNK = 1 << 20
F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, spelled out: the constant is missing before Python 3.10
SPLICE_FLAGS = os.SPLICE_F_MOVE | os.SPLICE_F_NONBLOCK  # non-blocking on the pipe only
# Signals passed on to COMMAND when a process sent them to the bridge. Ones the
# terminal sends (Ctrl-C) reach COMMAND directly, being in the same process group.
FORWARDED = (_signal.SIGHUP, _signal.SIGINT, _signal.SIGQUIT, _signal.SIGTERM, _signal.SIGUSR1,
             _signal.SIGUSR2, _signal.SIGALRM, _signal.SIGWINCH, _signal.SIGCONT)
SI_KERNEL = 0x80  # si_code of a signal the kernel (a terminal) generated
# Python ignores these; an ignored signal would stay ignored across exec.
RESET_FOR_CHILD = (_signal.SIGPIPE, _signal.SIGXFSZ)
UNREACHABLE = (
    b"The sandbox reaches the network only through Aegis, and Aegis' egress proxy is not answering "
    b"(the daemon may have stopped, or the session ended). Ask the user to check `aegis status`.\n"
)


def fail(message, status):
    os.write(2, ("aegis-bridge: " + message + "\n").encode("utf-8", "replace"))
    os._exit(status)


def parse(argv):
    """(proxy socket path, command) from the bridge's own arguments."""
    path = DEFAULT_SOCKET
    args = list(argv)
    while args and args[0] != "--":
        option = args.pop(0)
        if option == "--proxy-socket" and args:
            path = args.pop(0)
        elif option.startswith("--proxy-socket="):
            path = option.split("=", 1)[1]
        else:
            fail("usage: bridge.py [--proxy-socket PATH] -- COMMAND [ARGS...]", 2)
    if not args or len(args) < 2:
        fail("no command given after --; usage: bridge.py [--proxy-socket PATH] -- COMMAND [ARGS...]", 2)
    return path, args[1:]


def child_environment(environ, port):
    env = dict(environ)
    for name in DROPPED_VARIABLES:
        env.pop(name, None)
    proxy = f"http://127.0.0.1:{port}"
    for name in PROXY_VARIABLES:
        env[name] = proxy
    env["NODE_USE_ENV_PROXY"] = "1"  # Node's own fetch honours the variables only when asked
    return env


# -- relaying ----------------------------------------------------------------------


def relay(source, sink, moved, limit=None):
    """Move bytes from fd ``source`` to fd ``sink`` until end of stream (or ``limit``
    bytes), adding how many to ``moved[0]``: spliced through a pipe, so they never
    enter Python. Works on blocking and non-blocking sockets alike (the daemon's are
    non-blocking); raises OSError when either side fails."""
    import fcntl as _fcntl  # here, not at the start: see the module docstring

    left = limit
    read_end, write_end = os.pipe2(os.O_CLOEXEC)
    try:
        _fcntl.fcntl(write_end, F_SETPIPE_SZ, CHUNK)  # fewer, larger moves
    except OSError:
        pass  # above the system's pipe-max-size: the default 64 KiB works too
    try:
        while left is None or left > 0:
            try:
                count = os.splice(source, write_end, CHUNK if left is None else min(CHUNK, left),
                                  flags=SPLICE_FLAGS)
            except BlockingIOError:
                _wait(source, False)
                continue
            if not count:
                return
            if left is not None:
                left -= count
            while count:
                try:
                    done = os.splice(read_end, sink, count, flags=SPLICE_FLAGS)
                except BlockingIOError:
                    _wait(sink, True)
                    continue
                count -= done
                moved[0] += done
    finally:
        os.close(read_end)
        os.close(write_end)


def _wait(fd, writing):
    import select as _select

    poller = _select.poll()
    poller.register(fd, (_select.POLLOUT if writing else _select.POLLIN) | _select.POLLHUP | _select.POLLERR)
    poller.poll()


def pump(source, sink, ends):
    """Copy one direction until its end; the second pump to finish closes both."""
    try:
        relay(source.fileno(), sink.fileno(), [0])
        sink.shutdown(_socket.SHUT_WR)
    except OSError:
        for sock in (source, sink):  # a reset on one side ends both directions
            try:
                sock.shutdown(_socket.SHUT_RDWR)
            except OSError:
                pass
    with ends[0]:
        ends[1] -= 1
        last = ends[1] == 0
    if last:
        source.close()
        sink.close()


def join(client, path):
    proxy = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        proxy.connect(path)
    except OSError:
        proxy.close()
        try:
            client.sendall(b"HTTP/1.1 502 Aegis proxy unreachable\r\nContent-Type: text/plain\r\n"
                           b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(UNREACHABLE), UNREACHABLE))
        except OSError:
            pass
        client.close()
        return
    ends = [_thread.allocate_lock(), 2]
    _thread.start_new_thread(pump, (proxy, client, ends))
    pump(client, proxy, ends)


def accept(listener, path):
    while True:
        try:
            fd, _ = listener._accept()
        except OSError:
            time.sleep(0.05)  # out of descriptors: wait a moment, do not spin
            continue
        client = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM, 0, fd)
        try:
            client.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        except OSError:
            pass
        _thread.start_new_thread(join, (client, path))


# -- the command -------------------------------------------------------------------


def exit_code(status):
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def supervise(pid):
    """Wait for COMMAND, passing signals on and reaping every child; return its status."""
    waited = set(FORWARDED) | {_signal.SIGCHLD}
    while True:
        info = _signal.sigwaitinfo(waited)
        if info.si_signo != _signal.SIGCHLD:
            if info.si_code != SI_KERNEL:
                try:
                    os.kill(pid, info.si_signo)
                except ProcessLookupError:
                    pass
            continue
        while True:
            try:
                reaped, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return None
            if reaped == 0:
                break
            if reaped == pid:
                return exit_code(status)


def main(argv):
    path, command = parse(argv)
    listener = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
    except OSError as exc:
        fail(f"cannot listen on 127.0.0.1 inside the sandbox ({exc}); the agent was not started", 3)
    port = listener.getsockname()[1]
    # An ignored SIGCHLD (inherited across exec from whoever started us) would make the
    # kernel reap COMMAND without telling us: the wait below would never end.
    _signal.signal(_signal.SIGCHLD, _signal.SIG_DFL)
    # Blocked before the command starts, so no signal is lost before the wait below.
    _signal.pthread_sigmask(_signal.SIG_BLOCK, set(FORWARDED) | {_signal.SIGCHLD})
    try:
        pid = os.posix_spawnp(command[0], command, child_environment(os.environ, port),
                              setsigmask=(), setsigdef=RESET_FOR_CHILD)
    except FileNotFoundError:
        fail(f"{command[0]}: command not found", 127)
    except OSError as exc:
        fail(f"cannot run {command[0]}: {exc.strerror or exc}", 126)
    _thread.stack_size(256 * 1024)
    _thread.start_new_thread(accept, (listener, path))
    status = supervise(pid)
    os._exit(1 if status is None else status)


if __name__ == "__main__":
    main(sys.argv[1:])
