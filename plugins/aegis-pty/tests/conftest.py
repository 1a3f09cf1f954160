"""Test harness of the PTY adapter: a real terminal for the wrapper to run in (the
"user's" terminal, whose keyboard and screen the tests drive), and a stand-in for
the Aegis daemon that speaks docs/protocol.md on a Unix socket."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aegis_pty.testing import Terminal

RUNNER = Path(__file__).with_name("wrap_runner.py")
WAIT = 20.0  # seconds before a wait is declared failed (a hang guard, not a timing assertion)


@dataclass
class StandInDaemon:
    """Speaks the daemon protocol (docs/protocol.md) on a Unix socket. NOT the real
    daemon: each ``judge`` is answered by ``decide(request)``, which returns the
    final line (it may block, e.g. until the test says what the human chose)."""

    path: Path
    decide: Callable[[dict[str, Any]], dict[str, Any]] = lambda request: {"decision": "ask"}
    requests: list[dict[str, Any]] = field(default_factory=list)
    approval_id: str = "appr-1"

    def __post_init__(self) -> None:
        self.seen = threading.Condition()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(self.path))
        self._server.listen(16)
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            self._answer(conn)
        except OSError:
            pass  # the client went away (e.g. the keyboard answered first)

    def _answer(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rwb") as stream:
            line = stream.readline()
            if not line:
                return
            request = json.loads(line)
            with self.seen:
                self.requests.append(request)
                self.seen.notify_all()
            if request.get("op") == "judge":
                pending = {"event": "pending", "approval_id": self.approval_id}
                stream.write(json.dumps(pending).encode() + b"\n")
                stream.flush()
                answer = {"final": True, "ok": True, "reason": "stand-in", "rule": None, "risk": 0,
                          "approval_id": self.approval_id, "choice": None, **self.decide(request)}
            else:
                answer = {"final": True, "ok": True, "won": True}
            stream.write(json.dumps(answer).encode() + b"\n")
            stream.flush()

    def wait_for(self, op: str, *, count: int = 1, timeout: float = WAIT) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.seen:
            while True:
                found = [r for r in self.requests if r.get("op") == op]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {op!r} request arrived; got {self.requests!r}")
                self.seen.wait(left)

    def ops(self) -> list[str]:
        with self.seen:
            return [r.get("op") for r in self.requests]

    def close(self) -> None:
        self._stopping = True
        self._server.close()


@pytest.fixture
def socket_path(tmp_path: Path) -> Iterator[Path]:
    # Unix socket paths are short (108 bytes); pytest's tmp_path can be longer.
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="aegis-pty-"))
    yield directory / "d.sock"
    for child in directory.iterdir():
        child.unlink()
    directory.rmdir()


@pytest.fixture
def daemon(socket_path: Path) -> Iterator[Callable[..., StandInDaemon]]:
    made: list[StandInDaemon] = []

    def make(decide: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> StandInDaemon:
        server = StandInDaemon(socket_path, **({"decide": decide} if decide else {}))
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


@pytest.fixture
def wrapped(socket_path: Path) -> Iterator[Callable[..., Terminal]]:
    """``wrapped(argv, idle_ms=100)``: the PTY adapter running ``argv``, in a terminal."""
    terminals: list[Terminal] = []

    def run(argv: list[str], *, idle_ms: int = 150, **kwargs: Any) -> Terminal:
        # The stand-in daemon serves from this test process: the one the relay trusts.
        runner = [sys.executable, str(RUNNER), str(socket_path), str(idle_ms), str(os.getpid()), "--"]
        terminal = Terminal([*runner, *argv], **kwargs)
        terminals.append(terminal)
        return terminal

    yield run
    for terminal in terminals:
        terminal.close()
