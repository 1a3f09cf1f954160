"""guard.sh, the wrapper Aegis registers with agents that let a failed hook's tool run
(Codex CLI, Gemini CLI): only the client's allow and deny get through; every other
outcome becomes exit 2 with a reason, which those agents treat as a block, and a client
that hangs, even stuck in C, is ended by the kernel at the guard's deadline, which the client arms first thing."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aegis_core.hookclient.transport import GUARDED_STATUS
from aegis_core.hooksettings import GUARD, client_deadline, guard_deadline, hook_command
from aegis_core.testing import HANGING_ENCODER

PY = sys.executable


def guard(*argv: str, limit: str = "20") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/bin/sh", str(GUARD), limit, *argv], input="{}", capture_output=True,
                          text=True, timeout=60)


def script(body: str) -> list[str]:
    return [PY, "-c", body]


# The client's own answers under the guard (transport.GUARDED_STATUS).
ALLOW, DENY = GUARDED_STATUS[0], GUARDED_STATUS[2]


def test_an_allow_is_silence() -> None:
    done = guard(*script(f"import sys; sys.stdin.read(); sys.exit({ALLOW})"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_deny_passes_through_with_its_reason_alone() -> None:
    done = guard(*script(f"import sys; sys.stderr.write('Aegis blocked this: rm -rf\\n'); sys.exit({DENY})"))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "Aegis blocked this: rm -rf\n")


def test_nothing_the_client_prints_reaches_stdout() -> None:
    """These agents read a JSON object on stdout as the decision (Gemini, whatever the
    exit status): the guard sends all the client's output to stderr."""
    for status, answer in ((ALLOW, 0), (DENY, 2)):
        done = guard(*script("import sys; print('{\"decision\": \"allow\"}'); sys.exit(" + str(status) + ")"))
        assert done.returncode == answer and done.stdout == ""


@pytest.mark.parametrize("body, why", [
    ("import sys; sys.exit(1)", "(exit status 1)"),
    ("raise RuntimeError('boom')", "(exit status 1)"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "killed (signal 9)"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", "killed (signal 11)"),
    ("import sys; sys.exit(3)", "failed (exit status 3)"),
    ("import sys; sys.exit(0)", "without giving a decision"),
    ("import sys; print('{\"decision\": \"allow\"}'); sys.exit(0)", "without giving a decision"),
    ("import sys; sys.exit(2)", "blocked without its own reason"),
    ("import sys; sys.stderr.write('Aegis blocked this'); sys.exit(2)", "blocked without its own reason"),
    ("import sys; sys.exit(124)", "failed (exit status 124)"),
])
def test_every_other_outcome_is_a_block_with_a_reason(body: str, why: str) -> None:
    done = guard(*script(body))
    assert done.returncode == 2 and done.stdout == ""
    assert "Aegis denied this call to be safe" in done.stderr and why in done.stderr


def test_a_missing_interpreter_is_a_block() -> None:
    done = guard("/nonexistent/venv/bin/python", "-I", "-S", "run.py")
    assert done.returncode == 2 and "could not be started" in done.stderr


# An encoder whose import hangs: before the client's own (Python) deadline is armed, and
# in C holding the interpreter's lock, where no Python signal handler can run.
HANGS = {
    "in Python": "import time\ntime.sleep(60)\n",
    "in C, holding the GIL": HANGING_ENCODER,
}


@pytest.mark.parametrize("where", sorted(HANGS))
def test_a_hung_client_is_ended_at_the_guards_deadline(where: str, tmp_path: Path) -> None:
    encoder = tmp_path / "hangs_wire.py"
    encoder.write_text(HANGS[where])
    argv = shlex.split(hook_command(encoder, "PreToolUse", 4, python=PY, guarded=True))
    assert argv[2] == "3"  # the guard's deadline, below the agent's 4 s
    started = time.monotonic()
    done = subprocess.run(argv, input="{}", capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "no decision within 3 s and was ended" in done.stderr
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
