"""The registration against the real Codex CLI (pinned 0.171.0) pointed at a scripted
Responses API on 127.0.0.1, with a stand-in daemon: the hooks fire only because their
trust entry is right, a deny stops the command and its reason reaches the model, and
every way the hook client can fail (crash, kill, exit 2 without a reason, noise, a hang in C)
still blocks the call, because guard.sh is what Aegis registers. Codex itself runs a
failed hook's tool, as the unguarded control shows."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aegis_codex import settings as cs
from aegis_codex.testing import find_codex_cli, offline_config
from aegis_codex.testing.fake_openai import FakeResponses, ScriptedReply, text, tool_use

from aegis_core.testing import StandInDaemon, decision, hanging_encoder

pytestmark = pytest.mark.codex

REPO = Path(__file__).resolve().parents[3]
RUN_TIMEOUT_S = 150  # a hang guard for one Codex run, not a timing assertion


class Codex:
    """One machine in miniature: HOME, CODEX_HOME (offline config), a project."""

    def __init__(self, root: Path, binary: str) -> None:
        self.root, self.binary = root, binary
        self.home, self.project = root / "home", root / "project"
        self.codex_home = self.home / ".codex"
        for path in (self.home, self.codex_home, self.project):
            path.mkdir(parents=True, exist_ok=True)
        self.socket = root / "aegis.sock"
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home),
                    "CODEX_HOME": str(self.codex_home), "SCRIPTED_API_KEY": "test-key",
                    "AEGIS_SOCKET": str(self.socket), "AEGIS_DAEMON_PID": str(os.getpid())}

    def run(self, script: list[ScriptedReply], *args: str) -> tuple[subprocess.CompletedProcess[str], FakeResponses]:
        with FakeResponses(script) as fake:
            (self.codex_home / "config.toml").write_text(offline_config(fake.base_url) + self.extra_config)
            done = subprocess.run([self.binary, *args, "exec", "--skip-git-repo-check", "-s", "danger-full-access",
                                   "do the task"], env=self.env, cwd=self.project, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        return done, fake

    extra_config = ""


@pytest.fixture
def codex(short_tmp: Path) -> Iterator[Codex]:
    binary = find_codex_cli(REPO)
    if binary is None:
        pytest.skip("Codex CLI is not installed (run .ci/install-codex.sh)")
    yield Codex(short_tmp, binary)


def touch(marker: Path) -> ScriptedReply:
    return tool_use("exec_command", cmd=f"touch {marker}")


def outputs_text(fake: FakeResponses) -> str:
    return json.dumps([o.get("output") for o in fake.outputs()])


def overrides(timeout_s: int = 40, **kwargs: Any) -> list[str]:
    return cs.cli_overrides(cs.hooks_block(timeout_s, **kwargs))


def test_an_allowed_command_runs_and_the_daemon_saw_it(codex: Codex) -> None:
    marker = codex.project / "made"
    with StandInDaemon(codex.socket, decision("allow")) as daemon:
        done, _ = codex.run([touch(marker), text("done")], *overrides())
    assert done.returncode == 0, done.stderr
    assert marker.exists()
    judged = [r for r in daemon.requests if r["op"] == "judge"]
    assert judged and judged[0]["adapter"] == "codex"
    assert judged[0]["payload"]["tool_name"] == "Bash"
    assert judged[0]["payload"]["tool_input"] == {"command": f"touch {marker}"}
    assert any(r["op"] == "observe" for r in daemon.requests)  # PostToolUse recorded the outcome


def test_a_deny_stops_the_command_and_its_reason_reaches_the_model(codex: Codex) -> None:
    marker = codex.project / "made"
    with StandInDaemon(codex.socket, decision("deny", "Aegis blocked this: not today")):
        done, fake = codex.run([touch(marker), text("ok")], *overrides())
    assert not marker.exists()
    assert "Aegis blocked this: not today" in outputs_text(fake), done.stderr


def test_no_daemon_is_a_deny_naming_the_fix(codex: Codex) -> None:
    marker = codex.project / "made"
    done, fake = codex.run([touch(marker), text("ok")], *overrides())
    assert not marker.exists()
    assert "`aegis start`" in outputs_text(fake), done.stderr


def test_a_hook_without_its_trust_entry_is_skipped_silently(codex: Codex) -> None:
    """Why every registration writes a trust entry: without one Codex runs the tool."""
    marker = codex.project / "made"
    untrusted = [arg for arg in overrides() if not arg.startswith("hooks.state=")]
    untrusted = untrusted[:-1] if untrusted[-1] == "-c" else untrusted
    with StandInDaemon(codex.socket, decision("deny", "Aegis blocked this")) as daemon:
        codex.run([touch(marker), text("ok")], *untrusted)
    assert marker.exists() and daemon.requests == []


def test_aegis_codex_install_writes_hooks_codex_trusts(codex: Codex) -> None:
    marker = codex.project / "made"
    cs.install(codex.codex_home / "hooks.json", cs.hooks_block(40), codex.codex_home / "config.toml")
    codex.extra_config = "\n" + (codex.codex_home / "config.toml").read_text()  # the trust entries
    with StandInDaemon(codex.socket, decision("deny", "Aegis blocked this: installed hooks")):
        _, fake = codex.run([touch(marker), text("ok")])
    assert not marker.exists()
    assert "installed hooks" in outputs_text(fake)


FAILURES = {
    "crash": "exit 1",
    "killed": "kill -9 $$",
    "exit 2 without a reason": "exit 2",
    "noise and an error": "echo '{\"not\": \"a decision\"}'; echo oops >&2; exit 0",
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_every_failure_of_the_client_blocks_the_call(codex: Codex, failure: str) -> None:
    broken = codex.root / "broken-python"
    broken.write_text(f"#!/bin/sh\ncat >/dev/null\n{FAILURES[failure]}\n")
    broken.chmod(0o755)
    marker = codex.project / "made"
    done, fake = codex.run([touch(marker), text("ok")], *overrides(8, python=str(broken)))
    assert not marker.exists(), f"{failure}: the call ran"
    assert "Aegis denied this call to be safe" in outputs_text(fake), done.stderr


def test_a_hung_client_is_ended_at_the_guards_deadline_and_blocks(codex: Codex) -> None:
    """The real client, stuck in C holding the interpreter's lock (no Python signal
    handler can run): the kernel ends it at the guard's deadline, below Codex's 8 s timeout, and that blocks."""
    marker = codex.project / "made"
    # Spelled like Aegis' own encoder (aegis_codex/wire.py), so the registration trusts it.
    encoder = hanging_encoder(codex.root / "aegis_codex", "wire.py")
    done, fake = codex.run([touch(marker), text("ok")], *overrides(8, encoder=str(encoder)))
    assert not marker.exists(), "the call ran"
    assert "no decision within 6 s and was ended" in outputs_text(fake), done.stderr


def test_without_the_guard_codex_runs_the_tool_of_a_crashed_hook(codex: Codex) -> None:
    """The control: Codex fails open, so the guard is what makes a crash a block."""
    broken = codex.root / "broken-python"
    broken.write_text("#!/bin/sh\ncat >/dev/null\nexit 1\n")
    broken.chmod(0o755)
    block = cs.hooks_block(8, python=str(broken))
    hook = block["hooks"]["PreToolUse"][0]["hooks"][0]
    hook["command"] = hook["command"].split(" ", 3)[3]  # the client alone, unguarded
    marker = codex.project / "made"
    codex.run([touch(marker), text("ok")], *cs.cli_overrides(block))
    assert marker.exists()
