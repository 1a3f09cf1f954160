"""guard.sh, the wrapper Aegis registers with agents that let a failed hook's tool run
(Codex CLI, Gemini CLI; Copilot CLI in its JSON mode): only the client's allow and deny get through; every other
outcome becomes exit 2 with a reason, which those agents treat as a block, and a client
that hangs, even stuck in C, is ended by the kernel at the guard's deadline, which the client arms first thing."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from aegis_core.hookclient.transport import GUARDED_STATUS
from aegis_core.hooksettings import GUARD, client_deadline, guard_deadline, hook_command
from aegis_core.testing import HANGING_ENCODER

PY = sys.executable


# The two ways agents run it: started by /bin/sh (Codex CLI, whose hook shell is the
# user's own), and sourced into the `bash -c` every Gemini CLI hook runs in.
RUN_BY = {"/bin/sh": False, "bash -c '. guard.sh'": True}
Guard = Callable[..., subprocess.CompletedProcess[str]]


def agent_argv(command: str, sourced: bool) -> list[str]:
    """How the agent runs the hook ``command`` (a shell command, as registered)."""
    return ["bash", "-c", command] if sourced else shlex.split(command)


@pytest.fixture(params=sorted(RUN_BY))
def guard(request: pytest.FixtureRequest) -> Guard:
    sourced = RUN_BY[request.param]

    def run(*argv: str, limit: str = "20") -> subprocess.CompletedProcess[str]:
        command = shlex.join(["." if sourced else "/bin/sh", str(GUARD), limit, *argv])
        if sourced:
            command += " || exit 2"  # as hook_command registers it
        return subprocess.run(agent_argv(command, sourced), input="{}", capture_output=True, text=True,
                              timeout=60)

    return run


def script(body: str) -> list[str]:
    return [PY, "-c", body]


# The client's own answers under the guard (transport.GUARDED_STATUS).
ALLOW, DENY = GUARDED_STATUS[0], GUARDED_STATUS[2]


def test_an_allow_is_silence(guard: Guard) -> None:
    done = guard(*script(f"import sys; sys.stdin.read(); sys.exit({ALLOW})"))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_a_deny_passes_through_with_its_reason_alone(guard: Guard) -> None:
    done = guard(*script(f"import sys; sys.stderr.write('Aegis blocked this: rm -rf\\n'); sys.exit({DENY})"))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "Aegis blocked this: rm -rf\n")


def test_nothing_the_client_prints_reaches_stdout(guard: Guard) -> None:
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
def test_every_other_outcome_is_a_block_with_a_reason(guard: Guard, body: str, why: str) -> None:
    done = guard(*script(body))
    assert done.returncode == 2 and done.stdout == ""
    assert "Aegis denied this call to be safe" in done.stderr and why in done.stderr


def test_a_missing_interpreter_is_a_block(guard: Guard) -> None:
    done = guard("/nonexistent/venv/bin/python", "-I", "-S", "run.py")
    assert done.returncode == 2 and "could not be started" in done.stderr


# An encoder whose import hangs: before the client's own (Python) deadline is armed, and
# in C holding the interpreter's lock, where no Python signal handler can run.
HANGS = {
    "in Python": "import time\ntime.sleep(60)\n",
    "in C, holding the GIL": HANGING_ENCODER,
}


@pytest.mark.parametrize("sourced", [False, True], ids=sorted(RUN_BY, key=RUN_BY.get))
@pytest.mark.parametrize("where", sorted(HANGS))
def test_a_hung_client_is_ended_at_the_guards_deadline(where: str, sourced: bool, tmp_path: Path) -> None:
    encoder = tmp_path / "hangs_wire.py"
    encoder.write_text(HANGS[where])
    command = hook_command(encoder, "PreToolUse", 4, python=PY, guarded=True, bash=sourced)
    assert shlex.split(command)[2] == "3"  # the guard's deadline, below the agent's 4 s
    started = time.monotonic()
    done = subprocess.run(agent_argv(command, sourced), input="{}", capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "no decision within 3 s and was ended" in done.stderr
    assert time.monotonic() - started < 30  # cut, not waited out (a generous bound: no timing claim)


def test_a_client_that_spins_before_its_deadline_is_armed_is_ended_by_its_cpu_limit(guard: Guard) -> None:
    """A start-up that spins (the interpreter itself, before run.py arms the deadline)
    is ended by the CPU-time limit the guard sets in the client's process: a block, not
    the agent's own timeout (which would let the tool run)."""
    done = guard(*script("while True: pass"), limit="2")
    assert done.returncode == 2 and done.stdout == ""
    assert "was killed (signal 9), at its limit of 2 s of CPU time without a decision" in done.stderr


def test_the_cpu_limit_is_the_deadline_at_most_ten_seconds(guard: Guard) -> None:
    shown = "import resource; print(resource.getrlimit(resource.RLIMIT_CPU)); raise SystemExit(0)"
    # A deadline that is not a whole number (the guard never gets one from Aegis) is
    # still bounded, at the most.
    for limit, cpu in (("3", 3), ("10", 10), ("11", 10), ("327", 10), ("2.5", 10)):
        done = guard(*script(shown), limit=limit)
        assert done.returncode == 2 and f"({cpu}, {cpu})" in done.stderr


def test_deadlines_nest_client_then_guard_then_the_agents_timeout() -> None:
    for timeout in (4, 11, 35, 330, 3630):
        assert client_deadline(timeout) < guard_deadline(timeout) < timeout


def test_the_guarded_command_runs_the_client_under_the_guard(tmp_path: Path) -> None:
    encoder = tmp_path / "wire.py"
    command = hook_command(encoder, "PreToolUse", 330, python="/v/bin/python", guarded=True)
    assert command.split()[:3] == ["/bin/sh", str(GUARD), "327"]
    assert command.split()[3:] == ["/v/bin/python", "-I", "-S", command.split()[6], str(encoder),
                                   "PreToolUse", "325"]


def test_sourced_into_bash_the_guard_is_that_shell(tmp_path: Path) -> None:
    """Gemini's `bash -c` runs the guard itself (no /bin/sh started per call); a guard
    that cannot be read is a block naming it, and errexit in the user's SHELLOPTS, which
    bash takes from the environment, cannot end the guard before it turns the client's
    status into an answer."""
    command = hook_command(tmp_path / "wire.py", "BeforeTool", 330, python="/v/bin/python", guarded=True,
                           bash=True)
    assert command.startswith(f". {GUARD} 327 /v/bin/python -I -S ") and command.endswith(" || exit 2")
    missing = subprocess.run(["bash", "-c", command.replace(str(GUARD), str(tmp_path / "gone.sh"))],
                             input="{}", capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "gone.sh" in missing.stderr
    for status, answer in ((ALLOW, 0), (DENY, 2), (1, 2), (0, 2)):
        done = subprocess.run(["bash", "-c", f". {GUARD} 20 {PY} -c 'import sys; sys.exit({status})' || exit 2"],
                              input="{}", capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "SHELLOPTS": "errexit"})
        assert done.returncode == answer, (status, done)


DENY_JSON = '{"decision":"deny","why":%s}'


@pytest.mark.parametrize("body, passed", [
    (f"import sys; sys.exit({ALLOW})", ""),  # the client's allow: silence
    ("import sys; print('{\"decision\":\"deny\",\"why\":\"policy\"}'); sys.exit(" + str(ALLOW) + ")",
     '{"decision":"deny","why":"policy"}\n'),  # the client's own JSON answer, whole
])
def test_in_json_mode_the_clients_answers_pass_whole(body: str, passed: str) -> None:
    command = shlex.join(["/bin/sh", str(GUARD), "20", f"--deny-json={DENY_JSON}", *script(body)])
    done = subprocess.run(["bash", "-c", command], input="{}", capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, passed)


@pytest.mark.parametrize("body", [
    "import sys; sys.exit(0)", "import sys; sys.exit(2)", "raise RuntimeError('boom')",
    f"import sys; sys.stderr.write('no\\n'); sys.exit({DENY})",
    # Killed after writing part of an answer: never passed on half-written.
    "import os, signal, sys; sys.stdout.write('{\"decision\":\"allow\"'); sys.stdout.flush(); "
    "os.kill(os.getpid(), signal.SIGKILL)",
])
def test_in_json_mode_every_other_outcome_is_the_agents_deny_object(body: str) -> None:
    """For agents that read only a JSON deny on stdout and skip a failed hook (Copilot
    CLI): the guard prints the deny object itself, exit status 0."""
    command = shlex.join(["/bin/sh", str(GUARD), "20", f"--deny-json={DENY_JSON}", *script(body)])
    done = subprocess.run(["bash", "-c", command], input="{}", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    answer = json.loads(done.stdout)
    assert answer["decision"] == "deny" and answer["why"].startswith("Aegis denied this call to be safe: its hook")
