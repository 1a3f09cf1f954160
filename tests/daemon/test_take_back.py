"""Before it binds a socket, the daemon checks whether something else answers there
(and records that it takes the socket back). That check connects with a timeout of a
second; it runs in a worker thread, so the event loop keeps serving meanwhile. The
daemon runs in process here, so the test can watch its loop. (A connect to a Unix
socket that never accepts fails at once with EAGAIN rather than waiting, so the slow
answer is stood in for by a pause in the check's reading of the peer's credentials.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from aegis_core.config import ensure_home, load_config
from aegis_core.daemon import server
from aegis_core.daemon.server import Daemon


@pytest.fixture(autouse=True)
def signal_handlers_restored() -> Iterator[None]:
    kept = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    yield
    for signum, handler in kept.items():
        signal.signal(signum, handler)


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder whose socket paths fit in sockaddr_un."""
    folder = Path(tempfile.mkdtemp(prefix="aegis-tb-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_check_of_a_taken_socket_leaves_the_event_loop_serving(aegis_home: Path, short_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    daemon = Daemon(load_config(home=ensure_home(aegis_home)))
    checked_in: list[bool] = []
    real = server.peer_credentials

    def slow_peer_credentials(sock: Any) -> Any:
        checked_in.append(threading.current_thread() is threading.main_thread())
        time.sleep(0.5)  # a peer slow to answer
        return real(sock)

    monkeypatch.setattr(server, "peer_credentials", slow_peer_credentials)
    impostor = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    impostor.bind(str(short_dir / "impostor.sock"))
    impostor.listen(8)
    ticks: list[int] = []

    async def main() -> None:
        ready = anyio.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(lambda: daemon.serve(ready=ready))
            await ready.wait()
            try:
                async def tick() -> None:
                    while True:
                        await anyio.sleep(0.01)
                        ticks.append(1)

                async with anyio.create_task_group() as watch:
                    watch.start_soon(tick)
                    await daemon._take_back(short_dir / "impostor.sock")
                    watch.cancel_scope.cancel()
                await daemon._take_back(short_dir / "nothing.sock")
            finally:
                daemon.stop()
    try:
        anyio.run(main)
    finally:
        impostor.close()
    assert checked_in == [False]  # the check ran in a worker thread...
    # ...and the loop went on meanwhile: half a second, in steps of 10 ms (a blocked
    # loop ticks at most once).
    assert len(ticks) >= 5, ticks
    records = [json.loads(line) for line in (aegis_home / "audit.log").read_text().splitlines()]
    taken_back = [r["details"] for r in records if r.get("event") == "socket.taken_back"]
    assert taken_back == [{"socket": str(short_dir / "impostor.sock"), "pid": os.getpid()}], taken_back
