"""Transparent passthrough: run a program in a pseudo-terminal of its own, copy the
user's keystrokes in and its output out unchanged, keep the window size in step,
forward signals, and return the program's exit status.

An observer (the prompt relay) sees both directions and may type keystrokes."""

from __future__ import annotations

import errno
import fcntl
import os
import select
import shutil
import signal
import struct
import sys
import termios
import time
import tty
from collections.abc import Mapping, Sequence
from typing import Protocol

from aegis_core.errors import AegisEnvironmentError

READ_SIZE = 65536
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT,
                     signal.SIGUSR1, signal.SIGUSR2, signal.SIGCONT)
DEFAULT_SIZE = (24, 80)


class Observer(Protocol):
    """What the passthrough tells the relay, and asks it."""

    def on_output(self, data: bytes, now: float) -> None: ...
    def on_keyboard(self, data: bytes, now: float) -> None: ...
    def on_resize(self, rows: int, cols: int) -> None: ...
    def wake_fd(self) -> int | None: ...
    def next_deadline(self, now: float) -> float | None: ...
    def tick(self, now: float) -> bytes: ...
    def close(self) -> None: ...


def window_size(fd: int) -> tuple[int, int] | None:
    """(rows, cols) of the terminal on ``fd``, or None when it is not a terminal."""
    try:
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    except OSError:
        return None
    return (rows, cols) if rows and cols else None


def set_window_size(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except InterruptedError:
            continue
        except BlockingIOError:
            select.select([], [fd], [], 1.0)


def exit_status(wait_status: int) -> int:
    """The shell's convention: the exit code, or 128 + N when killed by signal N."""
    code = os.waitstatus_to_exitcode(wait_status)
    return 128 - code if code < 0 else code


class Passthrough:
    """One wrapped program. ``run()`` returns its exit status."""

    def __init__(self, argv: Sequence[str], *, observer: Observer | None = None,
                 env: Mapping[str, str] | None = None, stdin_fd: int = 0,
                 stdout_fd: int = 1) -> None:
        if not argv:
            raise AegisEnvironmentError("nothing to run", hint="give a command after --")
        program = shutil.which(argv[0], path=(env or os.environ).get("PATH"))
        if program is None:
            raise AegisEnvironmentError(f"command not found: {argv[0]}",
                                        hint="check the name and your PATH")
        self.program = program
        self.argv = list(argv)  # argv[0] as the user gave it: programs print their own name
        self.observer = observer
        self.env = dict(os.environ if env is None else env)
        self.stdin_fd, self.stdout_fd = stdin_fd, stdout_fd
        self.pid = 0
        self.master = -1

    # -- start -------------------------------------------------------------------

    def _spawn(self, rows: int, cols: int) -> None:
        master, slave = os.openpty()
        set_window_size(slave, rows, cols)
        pid = os.fork()
        if pid == 0:  # child: a session of its own with the pty as controlling terminal
            try:
                os.close(master)
                os.login_tty(slave)
                for sig in (*FORWARDED_SIGNALS, signal.SIGWINCH, signal.SIGCHLD, signal.SIGPIPE):
                    signal.signal(sig, signal.SIG_DFL)
                os.execve(self.program, self.argv, self.env)  # noqa: S606 - no shell wanted
            except BaseException as exc:
                os.write(2, f"aegis: cannot run {self.argv[0]}: {exc}\r\n".encode())
            finally:
                os._exit(127)
        os.close(slave)
        self.pid, self.master = pid, master

    # -- run ---------------------------------------------------------------------

    def run(self) -> int:
        rows, cols = window_size(self.stdout_fd) or window_size(self.stdin_fd) or DEFAULT_SIZE
        if self.observer:
            self.observer.on_resize(rows, cols)
        wake_read, wake_write = os.pipe()
        for fd in (wake_read, wake_write):
            os.set_blocking(fd, False)
        signals: list[int] = []

        def remember(signum: int, _frame: object) -> None:
            signals.append(signum)
            try:
                os.write(wake_write, b"s")
            except OSError:
                pass

        saved_handlers = {sig: signal.signal(sig, remember)
                          for sig in (*FORWARDED_SIGNALS, signal.SIGWINCH, signal.SIGCHLD)}
        saved_mode = None
        if os.isatty(self.stdin_fd):
            saved_mode = termios.tcgetattr(self.stdin_fd)
            tty.setraw(self.stdin_fd, termios.TCSANOW)
        try:
            self._spawn(rows, cols)
            status = self._loop(wake_read, signals)
        finally:
            if saved_mode is not None:
                termios.tcsetattr(self.stdin_fd, termios.TCSAFLUSH, saved_mode)
            for sig, handler in saved_handlers.items():
                signal.signal(sig, handler)
            for fd in (wake_read, wake_write, self.master):
                if fd >= 0:
                    os.close(fd)
            self.master = -1
            if self.observer:
                self.observer.close()
        return status

    def _loop(self, wake_read: int, signals: list[int]) -> int:
        stdin_open = True
        status: int | None = None
        while True:
            now = time.monotonic()
            watched = [self.master, wake_read]
            if stdin_open:
                watched.append(self.stdin_fd)
            observer_fd = self.observer.wake_fd() if self.observer else None
            if observer_fd is not None:
                watched.append(observer_fd)
            timeout = None
            if self.observer:
                deadline = self.observer.next_deadline(now)
                if deadline is not None:
                    timeout = max(0.0, deadline - now)
            try:
                readable, _, _ = select.select(watched, [], [], timeout)
            except InterruptedError:
                readable = []
            if wake_read in readable:
                _drain(wake_read)
                status = self._handle_signals(signals, status)
            if self.master in readable and not self._copy_output():
                break  # the program and everything it started closed the terminal
            if stdin_open and self.stdin_fd in readable:
                stdin_open = self._copy_input()
            if self.observer:
                keys = self.observer.tick(time.monotonic())
                if keys:
                    _write_all(self.master, keys)
            if status is not None:
                # The program exited but something it started may still hold the
                # terminal: copy what is already there, then stop.
                while _readable(self.master) and self._copy_output():
                    pass
                break
        if status is None:
            _, wait_status = os.waitpid(self.pid, 0)
            status = exit_status(wait_status)
        return status

    def _handle_signals(self, signals: list[int], status: int | None) -> int | None:
        while signals:
            signum = signals.pop(0)
            if signum == signal.SIGWINCH:
                size = window_size(self.stdout_fd) or window_size(self.stdin_fd)
                if size:
                    set_window_size(self.master, *size)  # the kernel tells the program
                    if self.observer:
                        self.observer.on_resize(*size)
            elif signum == signal.SIGCHLD:
                # Any child's end says SIGCHLD (a helper of Aegis' own, a git the
                # watch ran): the program may have been reaped at an earlier one.
                if status is None:
                    pid, wait_status = os.waitpid(self.pid, os.WNOHANG)
                    if pid == self.pid:
                        status = exit_status(wait_status)
            else:
                try:
                    os.kill(self.pid, signum)
                except ProcessLookupError:
                    pass
        return status

    def _copy_output(self) -> bool:
        try:
            data = os.read(self.master, READ_SIZE)
        except OSError as exc:
            if exc.errno == errno.EIO:  # Linux: the other side is closed
                return False
            raise
        if not data:
            return False
        _write_all(self.stdout_fd, data)
        if self.observer:
            self.observer.on_output(data, time.monotonic())
        return True

    def _copy_input(self) -> bool:
        try:
            data = os.read(self.stdin_fd, READ_SIZE)
        except OSError:
            return False
        if not data:
            return False
        if self.observer:
            self.observer.on_keyboard(data, time.monotonic())
        _write_all(self.master, data)
        return True


def _readable(fd: int) -> bool:
    return bool(select.select([fd], [], [], 0)[0])


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except BlockingIOError:
        pass


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - manual use
    """Run a program through the bare passthrough (no relay): ``python -m aegis_pty.pty CMD``."""
    return Passthrough(list(argv if argv is not None else sys.argv[1:])).run()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
