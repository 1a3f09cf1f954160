"""What ``aegis wrap`` finishes from outside while bubblewrap waits, so that nothing of
it is on the sandbox's start-up path: putting the sandbox in its cgroup (v2; a v1
cgroup the launcher joins by itself, limits.Cgroup), and the network bridge's listening
socket in its network namespace (aegis_core.network.netns_bridge).

bubblewrap writes the sandbox's pid to ``--info-fd`` as soon as its namespaces exist,
then builds the mounts and waits on ``--block-fd`` before it starts the command. In
between, a thread of ``aegis wrap`` moves that process into the session's cgroup (a
move costs a kernel RCU grace period, ~10 ms on a busy machine: done by the launcher
it delayed every start) and makes the listener; then it lets the command go. The
sandbox's process has not forked yet, so everything the agent runs is inside the
cgroup from its first instruction. Should a step fail, the sandbox is killed before
its command runs, and the reason printed: no agent starts outside its limits or
without the way out it was promised.

Both descriptors reach bubblewrap through FIFOs in Aegis' private work folder that the
backend's launcher opens (fds 7 and 8), so an adapter's own spawn is untouched. The
same contained command may be launched again (each launch is served in turn); the
thread ends when the session's files, the FIFOs among them, are removed.
"""

from __future__ import annotations

import os
import select
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

INFO_FD, BLOCK_FD = 7, 8  # what the launcher opens the FIFOs on (sh redirects only 0-9)
LAUNCHER = 'exec 7>"$1" 8<"$2" || exit 125; shift 2; '  # before the backend's own launcher
POLL_SECONDS = 1.0  # how often a handshake waiting for its launch checks it is still wanted


class Handshake:
    """One contained command's start: its FIFOs, made and opened now (neither open
    waits), and the thread that finishes each launch."""

    def __init__(self, folder: Path, *, cgroup_procs: Sequence[str] = (), proxy_socket: str | None = None) -> None:
        self.cgroup_procs = list(cgroup_procs)
        self.proxy_socket = proxy_socket
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.info_path, self.block_path = folder / "info", folder / "block"
        for path in (self.info_path, self.block_path):
            if os.path.lexists(path):
                path.unlink()
            os.mkfifo(path, 0o600)
        # A reader that does not block, and the block FIFO held for reading and writing,
        # so that the launcher's opens do not wait either.
        self._info = os.open(self.info_path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        self._block = os.open(self.block_path, os.O_RDWR | os.O_CLOEXEC)
        self._thread = threading.Thread(target=self._serve, name="aegis-sandbox-handshake", daemon=True)
        self._thread.start()

    def launcher_args(self) -> list[str]:
        return [str(self.info_path), str(self.block_path)]

    @staticmethod
    def bwrap_args() -> list[str]:
        return ["--info-fd", str(INFO_FD), "--block-fd", str(BLOCK_FD)]

    def _serve(self) -> None:
        try:
            if self.proxy_socket is not None:
                from aegis_core.network import netns_bridge

                netns_bridge.prepare()  # its imports now, while the launcher starts, not while bwrap waits
            while True:
                child = self._sandbox_pid()
                if child is None:
                    return
                try:
                    self._finish(child)
                except OSError as exc:
                    _kill(child)
                    _say(f"{exc}; the agent was not started")
                    continue
                os.write(self._block, b"1")
        finally:
            for fd in (self._info, self._block):
                _close(fd)

    def _finish(self, child: int) -> None:
        for procs in self.cgroup_procs:
            try:
                fd = os.open(procs, os.O_WRONLY | os.O_CLOEXEC)
                try:
                    os.write(fd, str(child).encode())
                finally:
                    os.close(fd)
            except OSError as exc:
                raise OSError(exc.errno, f"cannot put the sandbox in its cgroup {procs} ({exc.strerror})") from exc
        if self.proxy_socket is not None:
            from aegis_core.network import netns_bridge

            try:
                listener = netns_bridge.listen_inside(child)
            except OSError as exc:
                raise OSError(exc.errno, f"cannot open the sandbox's way to Aegis' egress proxy ({exc})") from exc
            netns_bridge.serve(listener, self.proxy_socket, child)

    def _sandbox_pid(self) -> int | None:
        """The pid bubblewrap reports at the next launch, once it does; None when the
        session ended (the FIFO went with its files)."""
        while True:
            data = b""
            poller = select.poll()
            poller.register(self._info, select.POLLIN)
            while True:
                # No writer yet is not an event: the FIFO waits for the launcher quietly.
                if not poller.poll(POLL_SECONDS * 1000):
                    if not os.path.lexists(self.info_path):
                        return None
                    continue
                try:
                    chunk = os.read(self._info, 4096)
                except BlockingIOError:
                    continue
                if not chunk:
                    break
                data += chunk
            # Opened afresh for the next launch: a FIFO whose writer left keeps saying so.
            _close(self._info)
            self._info = os.open(self.info_path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            if not data:
                continue  # bubblewrap failed before it started anything, and said why
            import json

            try:
                return int(json.loads(data)["child-pid"])
            except (ValueError, KeyError, TypeError):
                _say("bubblewrap did not say which process the sandbox is")
                continue


def _kill(pid: int) -> None:
    try:
        os.kill(pid, 9)
    except OSError:
        pass


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _say(message: str) -> None:
    try:
        sys.stderr.write(f"aegis: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
