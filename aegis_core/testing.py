"""A pytest plugin for people writing Aegis plugins (entry point ``pytest11``).

Fixtures:

- ``aegis_home``: a fresh, private ``$AEGIS_HOME`` for the test, set in the environment.
- ``aegis_plugins``: a factory for an :class:`AegisPlugins` holding only the plugins
  the test passes (plus, on request, the built-in ones); installed plugins never leak in.
- ``hook_recorder``: a plugin object that records every hook call it sees, to assert on.

- ``postgres_server`` (session): a throwaway PostgreSQL server
  (:class:`aegis_core.testing_postgres.ThrowawayPostgres`); ``fleet_database``: the URL
  of a fresh database on it, for one test's fleet (``[store] url``).

And ``daemon_stream``: one raw request to a running daemon's socket, every line of the
answer (docs/protocol.md), for tests of what a daemon says on the wire; and
``StandInDaemon``: a real Unix socket server speaking that protocol with scripted
answers, for testing a hook client or its encoder without a daemon.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aegis_core import hookspecs
from aegis_core.hookspecs import hookimpl
from aegis_core.plugins import BUILTIN_PLUGINS, AegisPlugins


def daemon_stream(socket_path: str | os.PathLike[str], op: str, *, timeout: float = 30,
                  into: list[dict[str, Any]] | None = None, **fields: Any) -> list[dict[str, Any]]:
    """Send ``{"v": 1, "op": op, **fields}`` and return every line the daemon sent, the
    final one last (appended to ``into`` as each arrives, for a caller watching from
    another thread). Unlike ``aegis_core.client.request`` it keeps the progress lines
    and adds nothing: a test sees the protocol as it is."""
    from aegis_core.sockets import connect

    with closing(connect(Path(socket_path), timeout)) as sock:
        sock.sendall(json.dumps({"v": 1, "op": op, **fields}).encode() + b"\n")
        lines: list[dict[str, Any]] = [] if into is None else into
        buffer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return lines
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                lines.append(json.loads(line))
                if lines[-1].get("final"):
                    return lines


Answer = Callable[[dict[str, Any]], list[bytes]]
def decision(value: str, reason: str = "") -> Answer:
    """An answer giving ``value`` (allow/deny/ask) to judge and ok to observe."""

    def answer(request: dict[str, Any]) -> list[bytes]:
        if request.get("op") == "observe":
            return [b'{"final": true, "ok": true}\n']
        line = {
            "final": True,
            "ok": True,
            "decision": value,
            "reason": reason,
            "rule": "test",
            "risk": 0,
            "approval_id": None,
            "choice": None,
        }
        return [json.dumps(line).encode() + b"\n"]

    return answer


# An encoder whose import hangs in C holding the interpreter's lock, where no Python
# signal handler can run: what only the kernel can end: the hook client's hard deadline under guard.sh.
HANGING_ENCODER = "import ctypes\n\nctypes.PyDLL(None).sleep(600)\n"


def hanging_encoder(folder: Path, name: str = "hangs_wire.py") -> Path:
    """Write HANGING_ENCODER as ``folder/name`` and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HANGING_ENCODER)
    return path


class StandInDaemon:
    """Serves ``answer(request)`` lines on ``path``; records every request."""

    def __init__(self, path: Path, answer: Answer, *, delay: float = 0.0) -> None:
        self.path = path
        self.answer = answer
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(path))
        self._sock.listen(64)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> StandInDaemon:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        try:  # wake accept()
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as poke:
                poke.connect(str(self.path))
        except OSError:
            pass
        self._thread.join(timeout=5)
        self._sock.close()
        self.path.unlink(missing_ok=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            conn, _ = self._sock.accept()
            if self._stop.is_set():
                conn.close()
                break
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            self.raw.append(data)
            try:
                request = json.loads(data)
            except ValueError:
                request = {"unparseable": data.decode("utf-8", "replace")}
            self.requests.append(request)
            if self.delay:
                time.sleep(self.delay)
            try:
                for line in self.answer(request):
                    conn.sendall(line)
            except OSError:
                pass


@pytest.fixture
def aegis_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary, owner-only ``AEGIS_HOME``; ``AEGIS_*`` variables of the outer
    environment are cleared so they cannot change the test's configuration."""
    home = tmp_path / "aegis-home"
    home.mkdir(mode=0o700)
    for name in list(os.environ):
        if name.startswith("AEGIS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AEGIS_HOME", str(home))
    yield home


def make_plugins(*plugins: object, builtins: bool = False) -> AegisPlugins:
    """An AegisPlugins with exactly ``plugins`` registered (and the built-ins if asked)."""
    loaded = AegisPlugins.load(env={}, builtins=builtins, entry_points=False)
    for index, plugin in enumerate(plugins):
        name = getattr(plugin, "name", None) or f"test-plugin-{index}"
        loaded.register(plugin, name=str(name))
    loaded.check_pending()  # as real loading does: an unknown hook shows as an error
    return loaded


@pytest.fixture
def aegis_plugins() -> Callable[..., AegisPlugins]:
    """Factory: ``aegis_plugins(MyPlugin(), builtins=False)``."""
    return make_plugins


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A PostgreSQL server of the test session's own (skips where none is installed)."""
    from aegis_core.testing_postgres import PostgresUnavailable, ThrowawayPostgres

    try:
        server = ThrowawayPostgres()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def fleet_database(postgres_server: Any) -> str:
    """The URL (with its password) of a database of its own for this test."""
    import uuid

    if not postgres_server.running:  # a test stopped it to play an outage
        postgres_server.start()
    return str(postgres_server.create_database(f"fleet_{uuid.uuid4().hex[:12]}"))


@pytest.fixture
def fleet_root() -> Iterator[Path]:
    """A short temporary folder for machines' homes: a session's socket path under
    it stays within AF_UNIX's 108 bytes, whatever the user's name or pytest's folder."""
    import shutil
    import tempfile

    # mkdtemp makes a fresh 0700 folder: a fixed parent is safe here.
    root = Path(tempfile.mkdtemp(prefix="aegis-f-", dir="/tmp" if os.path.isdir("/tmp") else None))  # noqa: S108
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class HookCall:
    hook: str
    kwargs: dict[str, Any]


@dataclass
class HookRecorder:
    """Implements the pipeline hooks, records each call, and answers nothing
    (returns None), so it never changes an outcome."""

    name: str = "hook-recorder"
    calls: list[HookCall] = field(default_factory=list)

    def named(self, hook: str) -> list[HookCall]:
        return [c for c in self.calls if c.hook == hook]

    @hookimpl
    def intercept(self, agent_input: Any) -> None:
        self.calls.append(HookCall("intercept", {"agent_input": agent_input}))

    @hookimpl
    def evaluate(self, call: Any) -> None:
        self.calls.append(HookCall("evaluate", {"call": call}))

    @hookimpl
    def critique(self, call: Any, verdict: Any, recent: Any) -> None:
        self.calls.append(HookCall("critique", {"call": call, "verdict": verdict, "recent": recent}))

    @hookimpl
    def notify(self, approval: Any, call: Any) -> None:
        self.calls.append(HookCall("notify", {"approval": approval, "call": call}))

    @hookimpl
    def decide(self, approval: Any, call: Any) -> None:
        self.calls.append(HookCall("decide", {"approval": approval, "call": call}))

    @hookimpl
    def audit(self, event: Any) -> None:
        self.calls.append(HookCall("audit", {"event": event}))


@pytest.fixture
def hook_recorder() -> HookRecorder:
    return HookRecorder()


__all__ = [
    "BUILTIN_PLUGINS",
    "HookCall",
    "HookRecorder",
    "StandInDaemon",
    "aegis_home",
    "aegis_plugins",
    "daemon_stream",
    "decision",
    "fleet_database",
    "hook_recorder",
    "hookspecs",
    "make_plugins",
    "postgres_server",
]
