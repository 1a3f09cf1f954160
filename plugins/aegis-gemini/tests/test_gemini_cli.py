"""The registration against the real Gemini CLI (pinned 0.61.0) pointed at a scripted
Gemini API on 127.0.0.1, with a stand-in daemon: the hooks fire, a deny stops the
command and its reason reaches the model, and every way the hook client can fail
(crash, kill, hang, exit 2 without a reason, noise) still blocks the call, because
guard.sh is what Aegis registers. Gemini itself runs a failed hook's tool, as the
unguarded control shows."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aegis_gemini import settings as gs
from aegis_gemini.testing import find_gemini_cli, headless_args, offline_env, offline_settings
from aegis_gemini.testing.fake_gemini import FakeGemini, ScriptedReply, text, tool_use

from aegis_core.testing import StandInDaemon, decision, hanging_encoder

pytestmark = pytest.mark.gemini

REPO = Path(__file__).resolve().parents[3]
RUN_TIMEOUT_S = 150  # a hang guard for one Gemini run, not a timing assertion


class Gemini:
    """One machine in miniature: HOME with offline settings, a project."""

    def __init__(self, root: Path, binary: str) -> None:
        self.root, self.binary = root, binary
        self.home, self.project = root / "home", root / "project"
        (self.home / ".gemini").mkdir(parents=True)
        self.project.mkdir()
        self.socket = root / "aegis.sock"
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home)}

    def run(self, script: list[ScriptedReply], block: dict[str, Any] | None) -> tuple[subprocess.CompletedProcess[str],
                                                                                     FakeGemini]:
        settings = offline_settings()
        if block is not None:
            settings = {**settings, **block}
        (self.home / ".gemini" / "settings.json").write_text(json.dumps(settings))
        with FakeGemini(script) as fake:
            done = subprocess.run([self.binary, *headless_args()], env={**self.env, **offline_env(fake.base_url)},
                                  cwd=self.project, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT_S)
        return done, fake


@pytest.fixture
def gemini(short_tmp: Path) -> Iterator[Gemini]:
    binary = find_gemini_cli(REPO)
    if binary is None:
        pytest.skip("Gemini CLI is not installed (run .ci/install-gemini.sh)")
    yield Gemini(short_tmp, binary)


def touch(marker: Path) -> ScriptedReply:
    return tool_use("run_shell_command", command=f"touch {marker}")


def responses(fake: FakeGemini) -> str:
    return json.dumps(fake.function_responses())


def block(gemini: Gemini, timeout_s: int = 40, **kwargs: Any) -> dict[str, Any]:
    return gs.hooks_block(timeout_s, env={"AEGIS_SOCKET": str(gemini.socket),
                                                 "AEGIS_DAEMON_PID": str(os.getpid())}, **kwargs)


def test_an_allowed_command_runs_and_the_daemon_saw_it(gemini: Gemini) -> None:
    marker = gemini.project / "made"
    with StandInDaemon(gemini.socket, decision("allow")) as daemon:
        done, _ = gemini.run([touch(marker), text("done")], block(gemini))
    assert done.returncode == 0, done.stderr
    assert marker.exists()
    judged = [r for r in daemon.requests if r["op"] == "judge"]
    assert judged and judged[0]["adapter"] == "gemini"
    assert judged[0]["payload"]["tool_name"] == "run_shell_command"
    assert any(r["op"] == "observe" for r in daemon.requests)  # AfterTool recorded the outcome


def test_a_deny_stops_the_command_and_its_reason_reaches_the_model(gemini: Gemini) -> None:
    marker = gemini.project / "made"
    with StandInDaemon(gemini.socket, decision("deny", "Aegis blocked this: not today")):
        done, fake = gemini.run([touch(marker), text("ok")], block(gemini))
    assert not marker.exists()
    assert "Aegis blocked this: not today" in responses(fake), done.stderr


def test_no_daemon_is_a_deny_naming_the_fix(gemini: Gemini) -> None:
    marker = gemini.project / "made"
    done, fake = gemini.run([touch(marker), text("ok")], block(gemini))
    assert not marker.exists()
    assert "`aegis start`" in responses(fake), done.stderr


FAILURES = {
    "crash": "exit 1",
    "killed": "kill -9 $$",
    "exit 2 without a reason": "exit 2",
    "noise and an error": "echo '{\"decision\": \"allow\"}'; echo oops >&2; exit 0",
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_every_failure_of_the_client_blocks_the_call(gemini: Gemini, failure: str) -> None:
    broken = gemini.root / "broken-python"
    broken.write_text(f"#!/bin/sh\ncat >/dev/null\n{FAILURES[failure]}\n")
    broken.chmod(0o755)
    marker = gemini.project / "made"
    done, fake = gemini.run([touch(marker), text("ok")], block(gemini, 8, python=str(broken)))
    assert not marker.exists(), f"{failure}: the call ran"
    assert "Aegis denied this call to be safe" in responses(fake), done.stderr


def test_a_hung_client_is_ended_at_the_guards_deadline_and_blocks(gemini: Gemini) -> None:
    """The real client, stuck in C holding the interpreter's lock (no Python signal
    handler can run): the kernel ends it at the guard's deadline, below Gemini's 8 s timeout, and that blocks."""
    marker = gemini.project / "made"
    done, fake = gemini.run([touch(marker), text("ok")], block(gemini, 8, encoder=str(hanging_encoder(gemini.root))))
    assert not marker.exists(), "the call ran"
    assert "no decision within 6 s and was ended" in responses(fake), done.stderr


def test_without_the_guard_gemini_runs_the_tool_of_a_crashed_hook(gemini: Gemini) -> None:
    """The control: Gemini fails open, so the guard is what makes a crash a block."""
    broken = gemini.root / "broken-python"
    broken.write_text("#!/bin/sh\ncat >/dev/null\nexit 1\n")
    broken.chmod(0o755)
    unguarded = block(gemini, 8, python=str(broken))
    hook = unguarded["hooks"]["BeforeTool"][0]["hooks"][0]
    hook["command"] = hook["command"].split(" ", 3)[3]  # the client alone
    marker = gemini.project / "made"
    gemini.run([touch(marker), text("ok")], unguarded)
    assert marker.exists()
