"""A stand-in for the Aegis daemon: a real Unix socket server speaking docs/protocol.md
with scripted answers, for testing the hook client before (and apart from) the daemon."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Answer = Callable[[dict[str, Any]], list[bytes]]


def decision(value: str, reason: str = "") -> Answer:
    """An answer giving ``value`` (allow/deny/ask) to evaluate and ok to observe."""

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
