"""The whole product, end to end: the real Claude Code CLI run through `aegis wrap
claude`, a real daemon, the real hook client, and a scripted Messages API on
127.0.0.1 (plus the fake Bot API for the phone). Claude Code's own permission check
is opened with `--allowedTools Bash` (allowed as root), so whatever stops a command
is Aegis' doing."""

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

pytest.importorskip("aegis_claude_hook")
from aegis_claude_hook.testing import find_claude_cli
from aegis_claude_hook.testing.fake_anthropic import FakeAnthropic, text, tool_use

pytestmark = [pytest.mark.claude, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
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




class World:
    """A user's machine in miniature: a home, a project, an Aegis home, Claude Code."""

    def __init__(self, root: Path, claude: str) -> None:
        self.root = root
        self.home = root / "home"
        self.project = root / "project"
        self.aegis_home = root / "ah"
        for path in (self.home, self.project, self.aegis_home):
            path.mkdir(mode=0o700)
        (self.project / "README.md").write_text("a project\n")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "AEGIS_HOME": str(self.aegis_home),
            "AEGIS_CLAUDE_EXECUTABLE": claude,
            "ANTHROPIC_API_KEY": "test-key",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
        }

    def aegis(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", *args], env=self.env, text=True,
                              capture_output=True, timeout=kwargs.pop("timeout", 60), **kwargs)

    def configure(self, config: str = "", policy: str | None = None) -> None:
        for name, content in (("config.toml", config), ("policy.toml", policy)):
            if content is not None:
                path = self.aegis_home / name
                path.write_text(content)
                path.chmod(0o600)

    def wrap_claude(self, fake: FakeAnthropic, prompt: str = "do the task") -> subprocess.CompletedProcess[str]:
        env = {**self.env, "ANTHROPIC_BASE_URL": fake.base_url}
        return subprocess.run([sys.executable, "-m", "aegis_core.cli", "wrap", "claude", "-p", prompt,
                               "--allowedTools", "Bash"], env=env, cwd=self.project, text=True,
                              capture_output=True, timeout=180)

    def audit_events(self) -> list[dict[str, Any]]:
        log = self.aegis_home / "audit.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def approve_when_pending(self, verb: str, *extra: str) -> threading.Thread:
        """In the background, answer the first pending approval with `aegis approvals VERB`."""

        def answer() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                listed = json.loads(self.aegis("approvals", "list", "--json").stdout or "[]")
                if listed:
                    self.aegis("approvals", verb, listed[0]["id"], *extra)
                    return
                time.sleep(0.2)

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        return thread


@pytest.fixture
def world() -> Iterator[World]:
    claude = find_claude_cli(REPO)
    if claude is None:
        pytest.skip("Claude Code is not installed (run .ci/install-claude.sh)")
    # Short root: Unix socket paths must stay under 108 bytes.
    root = Path(tempfile.mkdtemp(prefix="ae2e-", dir="/tmp"))
    instance = World(root, claude)
    yield instance
    instance.aegis("stop", "--force", "--timeout", "5")
    shutil.rmtree(root, ignore_errors=True)


def verify_audit(world: World) -> None:
    verify = world.aegis("audit", "verify", "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_routine_command_runs_and_is_audited(world: World) -> None:
    marker = world.project / "made.txt"
    with FakeAnthropic([tool_use("Bash", command=f"echo made > {marker}"), text("done")]) as fake:
        result = world.wrap_claude(fake)
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "made\n"
    events = world.audit_events()
    decided = [e for e in events if e["event"] == "call.decided"]
    assert decided and decided[0]["details"]["decision"] == "allow"
    assert decided[0]["details"]["tool"] == "Bash"
    assert any(e["event"] == "call.executed" for e in events)
    assert any(e["event"] == "session.created" for e in events)
    verify_audit(world)


def test_deleting_the_work_tree_is_denied_and_the_model_is_told(world: World) -> None:
    with FakeAnthropic([tool_use("Bash", command=f"rm -rf {world.project}"), text("ok")]) as fake:
        result = world.wrap_claude(fake)
    assert result.returncode == 0, result.stderr
    assert (world.project / "README.md").read_text() == "a project\n"
    (tool_result,) = fake.tool_results()
    assert tool_result["is_error"] is True
    content = json.dumps(tool_result["content"])
    assert "fs-delete-critical" in content and "Aegis blocked this" in content
    assert "fs-delete-critical" in json.dumps(fake.agent_requests()[-1]["messages"])
    verify_audit(world)


def test_cli_channel_approval_runs_the_command(world: World) -> None:
    world.configure('[approvals]\nchannels = ["cli"]\ntimeout_seconds = 60\n', APPROVAL_RULE)
    marker = world.project / "needs-approval"
    with FakeAnthropic([tool_use("Bash", command=f"touch {marker}"), text("done")]) as fake:
        answering = world.approve_when_pending("approve")
        result = world.wrap_claude(fake)
    answering.join(30)
    assert result.returncode == 0, result.stderr
    assert marker.exists()
    statuses = [e["details"].get("status") for e in world.audit_events() if e["event"] == "approval.resolved"]
    assert statuses == ["approved"]
    verify_audit(world)


def test_cli_channel_denial_blocks_the_command_with_the_reason(world: World) -> None:
    world.configure('[approvals]\nchannels = ["cli"]\ntimeout_seconds = 60\n', APPROVAL_RULE)
    marker = world.project / "needs-approval"
    with FakeAnthropic([tool_use("Bash", command=f"touch {marker}"), text("ok")]) as fake:
        answering = world.approve_when_pending("deny", "--reason", "not on a Friday")
        result = world.wrap_claude(fake)
    answering.join(30)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert "not on a Friday" in json.dumps(fake.tool_results()[0]["content"])
    verify_audit(world)


def test_headless_without_a_phone_the_call_waits_on_the_cli_and_says_how(world: World) -> None:
    world.configure("", APPROVAL_RULE)  # no channel configured: the terminal and the cli
    marker = world.project / "needs-approval"
    answering = world.approve_when_pending("approve")
    with FakeAnthropic([tool_use("Bash", command=f"touch {marker}"), text("ok")]) as fake:
        result = world.wrap_claude(fake)
    answering.join(30)
    assert result.returncode == 0, result.stderr
    assert marker.exists()  # claude -p has no dialog: the approval waited for the cli
    (requested,) = [e["details"] for e in world.audit_events() if e["event"] == "approval.requested"]
    short = requested["approval_id"][:12]
    # Where the user is looking: the id, and how to answer it.
    assert f"aegis: approval {short} waits for you (Bash: touch {marker})" in result.stderr
    assert f"aegis approvals approve {short}" in result.stderr
    assert f"aegis: approval {short} approved by" in result.stderr
    verify_audit(world)


def test_headless_with_only_the_terminal_nobody_can_be_asked(world: World) -> None:
    world.configure('[approvals]\nchannels = ["terminal"]\n', APPROVAL_RULE)
    marker = world.project / "needs-approval"
    with FakeAnthropic([tool_use("Bash", command=f"touch {marker}"), text("ok")]) as fake:
        result = world.wrap_claude(fake)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    content = json.dumps(fake.tool_results()[0]["content"])
    assert "nobody can be asked" in content and "has been asked" not in content
    verify_audit(world)


def test_stopped_daemon_denies_with_the_fix(world: World) -> None:
    settings = world.aegis("claude", "settings")
    assert settings.returncode == 0, settings.stderr
    settings_file = world.root / "hooks.json"
    settings_file.write_text(settings.stdout)
    victim = world.root / "victim"
    victim.mkdir()
    with FakeAnthropic([tool_use("Bash", command=f"rm -rf {victim}"), text("stopped")]) as fake:
        result = subprocess.run(
            [world.env["AEGIS_CLAUDE_EXECUTABLE"], "-p", "go", "--settings", str(settings_file),
             "--allowedTools", "Bash"],
            env={**world.env, "ANTHROPIC_BASE_URL": fake.base_url}, cwd=world.project,
            text=True, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert victim.exists()
    content = json.dumps(fake.tool_results()[0]["content"])
    assert "aegis start" in content


def press_when_sent(bot: Any, button: str) -> threading.Thread:
    def press() -> None:
        message = bot.wait_for(lambda: next((m for m in bot.sent_messages if m.get("reply_markup")), None),
                               timeout=60)
        keys = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        data = next(b["callback_data"] for b in keys if b["text"] == button)
        bot.press_button(message["chat_id"], message["message_id"], data)

    thread = threading.Thread(target=press, daemon=True)
    thread.start()
    return thread


def telegram_world(world: World, bot: Any, user: int) -> None:
    world.env.update({"AEGIS_TELEGRAM_BOT_TOKEN": bot.token, "AEGIS_TELEGRAM_API_BASE": bot.api_base,
                      "AEGIS_TELEGRAM_ALLOWED_USERS": str(user), "AEGIS_TELEGRAM_POLL_TIMEOUT": "1"})
    world.configure("[approvals]\ntimeout_seconds = 60\n", APPROVAL_RULE)


def test_telegram_button_press_approves_the_command(world: World) -> None:
    fake_api = pytest.importorskip("aegis_telegram.fake_api")
    user = 4242
    marker = world.project / "needs-approval"
    with fake_api.FakeBotApi(users=[user]) as bot:
        telegram_world(world, bot, user)
        with FakeAnthropic([tool_use("Bash", command=f"touch {marker}"), text("done")]) as fake:
            pressing = press_when_sent(bot, "Approve")
            result = world.wrap_claude(fake)
        pressing.join(30)
        assert result.returncode == 0, result.stderr
        assert marker.exists()
        request_text = bot.sent_messages[0]["text"]
        assert str(marker) in request_text and "ask-for-marker" in request_text
        # The message is edited to show the outcome, without buttons.
        edited = bot.wait_for(lambda: [e for e in bot.edits if "Approved" in str(e.get("text", ""))], timeout=15)
        assert edited
    resolved = [e for e in world.audit_events() if e["event"] == "approval.resolved"]
    assert resolved[0]["details"]["channel"] == "telegram"
    verify_audit(world)


def test_secret_in_a_command_never_reaches_telegram(world: World) -> None:
    fake_api = pytest.importorskip("aegis_telegram.fake_api")
    user = 4242
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    marker = world.project / "needs-approval"
    with fake_api.FakeBotApi(users=[user]) as bot:
        telegram_world(world, bot, user)
        command = f"GITHUB_TOKEN={secret} touch {marker}"
        with FakeAnthropic([tool_use("Bash", command=command), text("ok")]) as fake:
            pressing = press_when_sent(bot, "Deny")
            result = world.wrap_claude(fake)
        pressing.join(30)
        assert result.returncode == 0, result.stderr
        assert not marker.exists()
        wire = repr(bot.requests)  # raw request bodies, as bytes
        assert secret not in wire and "needs-approval" in wire
    assert secret not in (world.aegis_home / "audit.log").read_text()


