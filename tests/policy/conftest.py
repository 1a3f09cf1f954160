"""Fixtures of the policy tests: the real ``aegis`` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def run_aegis(aegis_home: Path) -> Callable[..., subprocess.CompletedProcess[bytes]]:
    """Run the real ``aegis`` command line in a fresh AEGIS_HOME."""

    def run(*args: str, stdin: bytes = b"", cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
        env = {**os.environ, "AEGIS_HOME": str(aegis_home)}
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], input=stdin,
                              capture_output=True, env=env, cwd=cwd, timeout=60)

    return run
