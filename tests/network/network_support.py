"""Real pieces for the network tests: an HTTP server on 127.0.0.1 (an ephemeral port),
the egress proxy serving a Unix socket from a thread of its own, and the bridge run as
the real subprocess it is in the sandbox."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.from_thread

from aegis_core.network import BRIDGE
from aegis_core.network.endpoints import Endpoint
from aegis_core.network.hosts import Destination
from aegis_core.network.proxy import ConnectionRecord, Decision, serve_client
from aegis_core.sandbox.manifest import parse_host_rule
from aegis_core.testing import daemon_stream

WAIT = 60.0  # a hang guard, not a timing assertion


class Home:
    """A short-path AEGIS_HOME (socket paths stay under 108 bytes) and its daemon."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="anet-", dir="/tmp"))
        self.home = self.root / "ah"
        self.home.mkdir(mode=0o700)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AEGIS_")}
        self.env.update({"AEGIS_HOME": str(self.home), "AEGIS_LOAD_PLUGINS": "", "HOME": str(self.root)})
        config = self.home / "config.toml"
        config.write_text('[approvals]\nchannels = ["cli"]\ntimeout_seconds = 60\n')
        config.chmod(0o600)

    def start(self, policy: str | None = None) -> None:
        if policy is not None:
            path = self.home / "policy.toml"
            path.write_text(policy)
            path.chmod(0o600)
        started = self.cli("start")
        assert started.returncode == 0, started.stderr

    def close(self) -> None:
        self.cli("stop", "--force", "--timeout", "5")
        shutil.rmtree(self.root, ignore_errors=True)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=self.env, text=True,
                              capture_output=True, timeout=WAIT)

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        return daemon_stream(self.home / "aegis.sock", op, timeout=WAIT, **fields)[-1]

    def session(self) -> tuple[str, str, Path]:
        created = self.request("session.create", agent="test", cwd=str(self.root), command="agent")
        assert created["ok"], created
        return created["session"], created["token"], Path(created["proxy_socket"])

    def pending(self) -> list[dict[str, Any]]:
        listed = self.cli("approvals", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        return json.loads(listed.stdout or "[]")

    def audit(self, event: str) -> list[dict[str, Any]]:
        lines = (self.home / "audit.log").read_text().splitlines()
        return [record for record in map(json.loads, lines) if record["event"] == event]


def wait_until(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {WAIT:g} s")
        time.sleep(0.1)
    return value


class Origin:
    """An HTTP/1.1 server on loopback: ``/bytes?n=N`` sends N bytes, ``/chunked`` a
    chunked body, POST echoes the body's length and digest; every request's headers
    are kept (``requests``) so a test can see what reached it."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        origin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _note(self, body: bytes = b"") -> None:
                origin.requests.append({"method": self.command, "path": self.path,
                                        "headers": {k.lower(): v for k, v in self.headers.items()},
                                        "body": body})

            def _send(self, status: int, body: bytes, content_type: str = "application/octet-stream") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self) -> None:
                self._note()
                parts = urlsplit(self.path)
                if parts.path == "/bytes":
                    size = int(parse_qs(parts.query).get("n", ["0"])[0])
                    self.send_response(200)
                    self.send_header("Content-Length", str(size))
                    self.end_headers()
                    block = b"x" * 65536
                    while size > 0:
                        self.wfile.write(block[: min(size, len(block))])
                        size -= len(block)
                    return
                if parts.path == "/chunked":
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for piece in (b"hello ", b"chunked ", b"world"):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self._send(200, b"hello from the origin\n", "text/plain")

            def do_HEAD(self) -> None:
                self._note()
                self._send(200, b"x" * 1234)

            def do_POST(self) -> None:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    body = b""
                    while True:
                        size = int(self.rfile.readline().strip(), 16)
                        if not size:
                            self.rfile.readline()
                            break
                        body += self.rfile.read(size)
                        self.rfile.readline()
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._note(body)
                answer = {"length": len(body), "sha256": hashlib.sha256(body).hexdigest()}
                self._send(200, json.dumps(answer).encode(), "application/json")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.destination = Destination("127.0.0.1", self.port)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ScriptedGate:
    """A gate with a fixed allow list and no human: what the proxy alone does."""

    def __init__(self, allow: tuple[str, ...] = (), endpoints: dict[str, Endpoint] | None = None) -> None:
        self.allow = [parse_host_rule(entry) for entry in allow]
        self.endpoints = endpoints or {}
        self.asked: list[Destination] = []
        self.records: list[ConnectionRecord] = []

    def endpoint(self, host: str) -> Endpoint | None:
        return self.endpoints.get(host)

    async def decide(self, destination: Destination) -> Decision:
        self.asked.append(destination)
        if any(rule.matches(destination.host, destination.port) for rule in self.allow):
            return Decision(True, "network.allow", "allowed")
        return Decision(False, "test-deny", f"{destination} is not on the test's list; ask the user.")

    async def record(self, record: ConnectionRecord) -> None:
        self.records.append(record)

    def screen(self, addresses: list[str], port: int) -> str | None:
        return None  # the origin runs in this process: the daemon's own-listener rule is the session gate's


@contextmanager
def proxy_socket(gate: Any) -> Iterator[Path]:
    """The proxy serving ``gate`` on a Unix socket in a fresh directory, from a thread."""
    directory = Path(tempfile.mkdtemp(prefix="anp-", dir="/tmp"))
    path = directory / "proxy.sock"
    ready = threading.Event()
    stop: list[anyio.CancelScope] = []

    async def serve() -> None:
        listener = await anyio.create_unix_listener(path)
        with anyio.CancelScope() as scope:
            stop.append(scope)
            ready.set()
            async with listener, anyio.create_task_group() as tasks:
                while True:
                    stream = await listener.accept()
                    tasks.start_soon(_serve_one, stream, gate)

    async def _serve_one(stream: Any, gate: Any) -> None:
        async with stream:
            await serve_client(stream, gate)

    with anyio.from_thread.start_blocking_portal() as portal:
        future = portal.start_task_soon(serve)
        ready.wait(10)
        try:
            yield path
        finally:
            portal.call(stop[0].cancel)
            future.result(10)
            path.unlink(missing_ok=True)
            directory.rmdir()


def bridged(proxy: Path, argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 60,
            **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` behind the real bridge, as the sandbox would."""
    return subprocess.run([sys.executable, "-I", "-S", str(BRIDGE), "--proxy-socket", str(proxy), "--", *argv],
                          env=env, text=True, capture_output=True, timeout=timeout, **kwargs)


FETCH = """
import json, sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=30) as response:
        body = response.read()
        print(json.dumps({"status": response.status, "length": len(body), "text": body[:200].decode("latin-1")}))
except urllib.error.HTTPError as exc:
    print(json.dumps({"status": exc.code, "reason": exc.reason, "text": exc.read().decode()}))
"""


def fetch(proxy: Path, url: str, **kwargs: Any) -> dict[str, Any]:
    """GET ``url`` with Python's urllib behind the bridge (it honours http_proxy)."""
    result = bridged(proxy, [sys.executable, "-c", FETCH, url], **kwargs)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# -- a package index -----------------------------------------------------------------------


def build_wheel(directory: Path) -> Path:
    """A pure-Python wheel, ``aegis_demo_pkg`` 1.0, written by hand (nothing to fetch)."""
    name, version = "aegis_demo_pkg", "1.0"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"GREETING = 'installed through Aegis'\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: aegis-demo-pkg\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
        for path, data in files.items()) + f"{info}/RECORD,,\n"
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr(f"{info}/RECORD", record)
    return wheel


@contextmanager
def package_index(root: Path) -> Iterator[tuple[int, Path]]:
    """A PEP 503 simple index on 127.0.0.1 (ephemeral port) serving one wheel,
    ``aegis-demo-pkg``, from ``root``: yields (port, root)."""
    (root / "simple" / "aegis-demo-pkg").mkdir(parents=True)
    (root / "files").mkdir()
    wheel = build_wheel(root / "files")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (root / "simple" / "index.html").write_text('<a href="aegis-demo-pkg/">aegis-demo-pkg</a>\n')
    (root / "simple" / "aegis-demo-pkg" / "index.html").write_text(
        f'<a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a>\n')
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], root
    server.shutdown()
    server.server_close()


def interpreter_binds() -> list[str]:
    """bwrap arguments that show this test's interpreter again under a ``--tmpfs /tmp``
    given before them: the project (and its tox env) may itself live below /tmp."""
    prefixes = dict.fromkeys(os.path.realpath(p) for p in (sys.prefix, sys.base_prefix))
    return [arg for prefix in prefixes for arg in ("--ro-bind", prefix, prefix)]
