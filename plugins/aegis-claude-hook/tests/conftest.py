from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from aegis_claude_hook.settings import CLIENT

from aegis_core.hookclient import RUNNER

PYTHON = os.path.abspath(sys.executable)


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A short directory for Unix sockets (their paths are limited to ~100 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="aegis-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def client_env(short_tmp: Path) -> dict[str, str]:
    """An environment for the hook client pointing at a socket in ``short_tmp``, served
    by a stand-in in this test process (so this process is "the daemon" it checks)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(short_tmp),
        "AEGIS_SOCKET": str(short_tmp / "aegis.sock"),
        "AEGIS_DAEMON_PID": str(os.getpid()),
    }


def client_command(event: str = "PreToolUse", *extra: str) -> list[str]:
    return [PYTHON, "-I", "-S", str(RUNNER), str(CLIENT), event, *extra]
