"""Helpers of the policy tests: ToolCall builders and the real ``aegis`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aegis_core.models import Kind, ToolCall
from aegis_core.tools import kind_of

PROJECT = "/home/dev/project"


def shell(command: str, cwd: str = PROJECT) -> ToolCall:
    return ToolCall(agent="claude-code", tool="Bash", kind=Kind.SHELL, input={"command": command}, cwd=cwd)


def tool_call(tool: str, cwd: str = PROJECT, **tool_input: object) -> ToolCall:
    return ToolCall(agent="claude-code", tool=tool, kind=kind_of(tool), input=tool_input, cwd=cwd)


@pytest.fixture
def run_aegis(aegis_home: Path) -> Callable[..., subprocess.CompletedProcess[bytes]]:
    """Run the real ``aegis`` command line in a fresh AEGIS_HOME."""

    def run(*args: str, stdin: bytes = b"", cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
        env = {**os.environ, "AEGIS_HOME": str(aegis_home)}
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], input=stdin,
                              capture_output=True, env=env, cwd=cwd, timeout=60)

    return run
