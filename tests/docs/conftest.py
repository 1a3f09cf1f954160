"""Helpers of the documentation tests: the example webhook plugin made importable,
and a real HTTP server on 127.0.0.1 that records what the channel POSTs to it."""

from __future__ import annotations

import json
import queue
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "aegis-webhook-channel"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class WebhookReceiver:
    """What a user's webhook endpoint would be: answers each POST with ``status``."""

    url: str
    posts: queue.Queue[Received] = field(default_factory=queue.Queue)
    status: int = 200

    def next(self, timeout: float = 20) -> Received:
        try:
            return self.posts.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"nothing was POSTed to {self.url} within {timeout} s") from None


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    state: dict[str, WebhookReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            recorder = state["receiver"]
            recorder.posts.put(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(recorder.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:  # keep pytest's output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = WebhookReceiver(f"http://127.0.0.1:{server.server_address[1]}/hook")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def webhook_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The example's module, imported from its source folder as an installed copy would be."""
    monkeypatch.syspath_prepend(str(EXAMPLE))
    monkeypatch.delitem(sys.modules, "aegis_webhook", raising=False)
    import aegis_webhook

    return aegis_webhook
