"""guard.sh, the wrapper Aegis registers with agents that let a failed hook's tool run
(Codex CLI, Gemini CLI): only the client's allow and deny get through; every other
outcome becomes exit 2 with a reason, which those agents treat as a block."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from aegis_core.hooksettings import GUARD, client_deadline, guard_deadline, hook_command

PY = sys.executable


def guard(*argv: str, limit: str = "20") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/bin/sh", str(GUARD), limit, *argv], input="{}", capture_output=True,
                          text=True, timeout=60)


def script(body: str) -> list[str]:
    return [PY, "-c", body]


def test_an_allow_is_silence() -> None:
    done = guard(*script("import sys; sys.stdin.read()"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_deny_passes_through_with_its_reason_alone() -> None:
    done = guard(*script("import sys; sys.stderr.write('Aegis blocked this: rm -rf'); sys.exit(2)"))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "Aegis blocked this: rm -rf\n")


@pytest.mark.parametrize("reason", ['{"decision": "allow"}', "null", "42", '"allow"'])
def test_a_reason_never_reaches_the_agent_as_json(reason: str) -> None:
    done = guard(*script(f"import sys; print({reason!r}); sys.exit(2)"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("Aegis: ")


@pytest.mark.parametrize("body, why", [
    ("import sys; sys.exit(1)", "failed (exit status 1)"),
    ("raise RuntimeError('boom')", "failed (exit status 1)"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "killed (signal 9)"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", "killed (signal 11)"),
    ("import sys; sys.exit(2)", "blocked without a reason"),
    ("import sys; sys.exit(3)", "failed (exit status 3)"),
    ("import sys; print('{\"decision\": \"allow\"}'); sys.exit(0)", "also printed something"),
    ("import sys; sys.stderr.write('warning'); sys.exit(0)", "also printed something"),
])
def test_every_other_outcome_is_a_block_with_a_reason(body: str, why: str) -> None:
    done = guard(*script(body))
    assert done.returncode == 2
    assert "Aegis denied this call to be safe" in done.stderr and why in done.stderr


def test_a_missing_interpreter_is_a_block() -> None:
    done = guard("/nonexistent/venv/bin/python", "-I", "-S", "run.py")
    assert done.returncode == 2 and "could not be started" in done.stderr


def test_a_hang_is_cut_at_the_guards_deadline() -> None:
    started = time.monotonic()
    done = guard(*script("import time; time.sleep(60)"), limit="1")
    assert done.returncode == 2 and "no decision within 1 s" in done.stderr
    assert time.monotonic() - started < 30  # cut, not waited out (a generous bound: no timing claim)


def test_deadlines_nest_client_then_guard_then_the_agents_timeout() -> None:
    for timeout in (4, 11, 35, 330, 3630):
        assert client_deadline(timeout) < guard_deadline(timeout) < timeout


def test_the_guarded_command_runs_the_client_under_the_guard(tmp_path: Path) -> None:
    encoder = tmp_path / "wire.py"
    command = hook_command(encoder, "PreToolUse", 330, python="/v/bin/python", guarded=True)
    assert command.split()[:3] == ["/bin/sh", str(GUARD), "327"]
    assert command.split()[3:] == ["/v/bin/python", "-I", "-S", command.split()[6], str(encoder),
                                   "PreToolUse", "325"]
