"""Test helpers for code that runs under the PTY adapter, shipped with the plugin (as
aegis-telegram ships its fake Bot API) so the plugin's own tests and the end-to-end
suite drive the same harness: a real pseudo-terminal whose keyboard and screen a test
controls, with the program (``aegis wrap --adapter pty -- ...``) as its session leader."""

from __future__ import annotations

import os
import signal
import threading
import time

import pyte

from aegis_pty.pty import set_window_size


class Terminal:
    """A real pseudo-terminal running one process as its session leader, as a user's
    terminal emulator runs a shell. The tests type on it and read its screen."""

    def __init__(self, argv: list[str], *, rows: int = 24, cols: int = 80,
                 env: dict[str, str] | None = None, cwd: str | None = None,
                 patience: float = 20.0) -> None:
        self.patience = patience  # seconds before a wait fails: a hang guard, not a timing assertion
        master, slave = os.openpty()
        set_window_size(slave, rows, cols)
        pid = os.fork()
        if pid == 0:
            try:
                os.close(master)
                os.login_tty(slave)
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, env if env is not None else os.environ)  # noqa: S606 (a terminal runs its program)
            finally:
                os._exit(127)
        os.close(slave)
        self.pid, self.master = pid, master
        self.output = bytearray()
        self.screen = pyte.Screen(cols, rows)
        self._stream = pyte.ByteStream(self.screen)
        self._changed = threading.Condition()
        self._status: int | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            with self._changed:
                if not data:
                    self._changed.notify_all()
                    return
                self.output += data
                self._stream.feed(data)
                self._changed.notify_all()

    @property
    def text(self) -> str:
        with self._changed:
            return self.output.decode(errors="replace")

    def screen_text(self) -> str:
        with self._changed:
            return self._screen_text()

    def _screen_text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def expect(self, needle: str, *, timeout: float | None = None, on_screen: bool = False) -> None:
        """Wait until ``needle`` has been printed (or is on the rendered screen)."""
        deadline = time.monotonic() + (self.patience if timeout is None else timeout)
        with self._changed:
            while True:
                haystack = ("\n".join(self.screen.display) if on_screen
                            else self.output.decode(errors="replace"))
                if needle in haystack:
                    return
                left = deadline - time.monotonic()
                if left <= 0 or (not self._reader.is_alive() and needle not in haystack):
                    raise AssertionError(f"{needle!r} never appeared; output so far:\n"
                                         f"{self.output.decode(errors='replace')[-3000:]}\n"
                                         f"screen:\n{self._screen_text()}")
                self._changed.wait(min(left, 0.2))

    def type(self, data: str | bytes) -> None:
        os.write(self.master, data.encode() if isinstance(data, str) else data)

    def resize(self, rows: int, cols: int) -> None:
        """Change the window size; the kernel sends SIGWINCH to the wrapper."""
        set_window_size(self.master, rows, cols)

    def wait(self, timeout: float | None = None) -> int:
        deadline = time.monotonic() + (self.patience if timeout is None else timeout)
        while self._status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._status = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"the wrapper did not exit; output:\n{self.text[-3000:]}")
            time.sleep(0.02)
        self._reader.join(5)
        return self._status

    def close(self) -> None:
        """End the wrapper and everything in its session, even after a failed test."""
        if self._status is None:
            try:  # politely first: the wrapper forwards it to the program it runs
                os.kill(self.pid, signal.SIGTERM)
                self.wait(timeout=5)
            except (ProcessLookupError, AssertionError):
                pass
        if self._status is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self._status = -9
        try:
            os.close(self.master)
        except OSError:
            pass
