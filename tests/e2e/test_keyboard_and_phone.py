"""The keyboard and the phone together (issues #16 and #15), with the REAL Claude Code
CLI in interactive mode: `aegis wrap claude` in a real terminal, a real daemon, the
real hook client, the PTY relay watching Claude Code's own dialog, a scripted Messages
API, and the local Bot API server standing in for the phone.

A call that needs approval becomes Claude Code's dialog and a pending approval on
every other channel at once; whoever answers first wins, the other side follows, and
every record of the call carries the same ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aegis_claude_hook")
pytest.importorskip("aegis_pty")
from aegis_claude_hook.testing import find_claude_cli
from aegis_claude_hook.testing.fake_anthropic import FakeAnthropic, text, tool_use
from aegis_pty.testing import Terminal
from e2e_aegis import AegisHome, wait_until

from aegis_core.sandbox.bwrap import BwrapBackend

pytestmark = [pytest.mark.claude, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
API_KEY = "sk-ant-api03-" + "a" * 80 + "TEST"
USER = 5151
POLICY = """
[policy]
include_defaults = true

[[policy.rules]]
name = "ask-for-marker"
match = { tool = "bash", command_pattern = "touch .*needs-approval" }
action = "require_approval"
reason = "the test asks a human for this one"
priority = 1
"""
DIALOG = "Do you want to proceed?"


class Desk:
    """A user at their terminal, with Aegis set up and their phone paired."""

    def __init__(self, claude: str, bot: Any) -> None:
        self.aegis = AegisHome(prefix="aekp-")
        self.bot = bot
        self.project = self.aegis.root / "project"
        self.project.mkdir()
        self.marker = self.project / "needs-approval"
        (self.aegis.home / ".claude.json").write_text(json.dumps({
            "hasCompletedOnboarding": True, "numStartups": 3,
            "projects": {str(self.project): {"hasTrustDialogAccepted": True,
                                             "hasCompletedProjectOnboarding": True, "allowedTools": []}},
            "customApiKeyResponses": {"approved": [API_KEY[-20:]], "rejected": []},
        }))
        self.aegis.env.update({
            "AEGIS_CLAUDE_EXECUTABLE": claude, "ANTHROPIC_API_KEY": API_KEY, "TERM": "xterm-256color",
            "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_TELEMETRY": "1",
            # Interactive Claude Code fetches its plugin marketplace from github.com, which the
            # sandbox's egress proxy would (rightly) ask the human about first.
            "CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL": "1",
            "AEGIS_TELEGRAM_BOT_TOKEN": bot.token, "AEGIS_TELEGRAM_API_BASE": bot.api_base,
            "AEGIS_TELEGRAM_ALLOWED_USERS": str(USER), "AEGIS_TELEGRAM_POLL_TIMEOUT": "1",
        })
        for name in [k for k in self.aegis.env if k.startswith(("ANTHROPIC_BASE", "CLAUDE_CONFIG"))]:
            del self.aegis.env[name]
        # Default channels: the terminal, the phone (configured) and the CLI.
        self.aegis.configure("[approvals]\ntimeout_seconds = 120\n", POLICY)
        self.terminal: Terminal | None = None

    def run_claude(self, api: FakeAnthropic) -> Terminal:
        env = {**self.aegis.env, "ANTHROPIC_BASE_URL": api.base_url}
        argv = [*self.aegis.cli_argv, "wrap", "claude", "--permission-mode", "default",
                "Create the marker file"]
        self.terminal = Terminal(argv, rows=40, cols=120, env=env, cwd=str(self.project), patience=120)
        return self.terminal

    def phone_message(self) -> dict[str, Any]:
        return self.bot.wait_for(lambda: next((m for m in self.bot.sent_messages if m.get("reply_markup")),
                                              None), timeout=60)

    def close(self) -> None:
        if self.terminal is not None:
            self.terminal.close()
        self.aegis.close()


@pytest.fixture
def desk() -> Iterator[Desk]:
    claude = find_claude_cli(REPO)
    if claude is None:
        pytest.skip("Claude Code is not installed (run .ci/install-claude.sh)")
    fake_api = pytest.importorskip("aegis_telegram.fake_api")
    with fake_api.FakeBotApi(users=[USER]) as bot:
        made = Desk(claude, bot)
        try:
            yield made
        finally:
            made.close()


def script(desk: Desk) -> list[Any]:
    # The command takes a while: an answer typed in the dialog must be recorded when it
    # is typed, not only once the command has run.
    return [tool_use("Bash", command=f"sleep 2; touch {desk.marker}", description="Create the marker file"),
            text("All done.")]


def records_of(desk: Desk, approval_id: str) -> dict[str, dict[str, Any]]:
    """Every audit record of the call the approval is for, as `aegis audit show --json`
    prints them, by event, joined by the agent's own call id; they must all name the
    same Aegis call."""
    shown = desk.aegis.cli("audit", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    events = [json.loads(line) for line in shown.stdout.splitlines() if line.strip()]
    requested = next(e["details"] for e in events if e["event"] == "approval.requested"
                     and e["details"]["approval_id"] == approval_id)
    agent_call = requested["agent_call_id"]
    assert agent_call.startswith("toolu_")
    joined = [e for e in events if e["details"].get("agent_call_id") == agent_call]
    assert {e["details"]["call_id"] for e in joined} == {requested["call_id"]}
    return {e["event"]: e["details"] for e in joined}


def open_dialog(desk: Desk, api: FakeAnthropic) -> tuple[Terminal, dict[str, Any]]:
    """Claude Code asks: its dialog is on screen and the approval pending at once."""
    terminal = desk.run_claude(api)
    terminal.expect(DIALOG, on_screen=True)
    (approval,) = wait_until(desk.aegis.pending, what="the approval was never pending")
    # Where the user looks: the dialog names the approval, the other channels asked
    # and how to answer it from another terminal.
    screen = " ".join(terminal.screen_text().split())
    short = approval["id"][:12]
    assert f"Aegis approval {short}" in screen
    assert "also waiting on telegram, cli" in screen and f"aegis approvals approve {short}" in screen
    message = desk.phone_message()
    assert str(desk.marker) in message["text"]
    # The relay and the daemon run outside the sandbox, Claude Code inside it (where
    # this machine has one; without it the session is recorded as unsandboxed).
    (created,) = desk.aegis.audit_events("session.created")
    assert created["details"]["sandbox"]["sandboxed"] is BwrapBackend().available().ok
    return terminal, approval


@pytest.mark.parametrize(("keys", "status"), [("1", "approved"), ("\x1b", "denied")])
def test_answered_in_the_dialog_is_recorded_via_terminal_and_the_phone_follows(
    desk: Desk, keys: str, status: str
) -> None:
    with FakeAnthropic(script(desk)) as api:
        terminal, approval = open_dialog(desk, api)
        terminal.type(keys)
        terminal.expect("All done." if status == "approved" else "Interrupted", on_screen=True)
        resolved = wait_until(lambda: desk.aegis.audit_events("approval.resolved"), what="never resolved")
    (details,) = [r["details"] for r in resolved]
    assert (details["approval_id"], details["status"], details["channel"]) == (approval["id"], status,
                                                                               "terminal")
    assert desk.marker.exists() is (status == "approved")
    word = "Approved" if status == "approved" else "Denied"
    assert desk.bot.wait_for(lambda: [e for e in desk.bot.edits if word in str(e.get("text", ""))],
                             timeout=30), "the phone message was not edited"
    joined = records_of(desk, approval["id"])
    assert joined["approval.resolved"]["status"] == status
    if status == "approved":
        # The relay read the key: recorded at once, not inferred after the command ran.
        assert details["reason"] == "answered 'Yes' at the keyboard"
        assert details["choice"] == "Yes"
        wait_until(lambda: desk.aegis.audit_events("call.executed"), what="the outcome was not recorded")
        events = [e["event"] for e in desk.aegis.audit_events()]
        assert events.index("approval.resolved") < events.index("call.executed")
        assert records_of(desk, approval["id"])["call.executed"]["approval_id"] == approval["id"]
    assert desk.aegis.pending() == []
    desk.aegis.verify_audit()


@pytest.mark.parametrize("verb", ["approve", "deny"])
def test_answered_elsewhere_the_dialog_follows(desk: Desk, verb: str) -> None:
    with FakeAnthropic(script(desk)) as api:
        terminal, approval = open_dialog(desk, api)
        answered = desk.aegis.cli("approvals", verb, approval["id"])
        assert answered.returncode == 0, answered.stdout + answered.stderr
        terminal.expect("All done." if verb == "approve" else "Did not run", on_screen=True)
        if verb == "approve":
            terminal.expect("Allowed by PermissionRequest hook", on_screen=True)
        wait_until(lambda: desk.aegis.audit_events("approval.resolved"), what="never resolved")
    assert desk.marker.exists() is (verb == "approve")
    (resolved,) = desk.aegis.audit_events("approval.resolved")
    assert resolved["details"]["channel"] == "cli"
    joined = records_of(desk, approval["id"])
    assert joined["approval.resolved"]["approval_id"] == approval["id"]
    if verb == "approve":
        wait_until(lambda: desk.aegis.audit_events("call.executed"), what="the outcome was not recorded")
        assert records_of(desk, approval["id"])["call.executed"]["approval_id"] == approval["id"]
    desk.aegis.verify_audit()


def test_the_phone_closes_the_dialog(desk: Desk) -> None:
    with FakeAnthropic(script(desk)) as api:
        terminal, _ = open_dialog(desk, api)
        message = desk.phone_message()
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        deny = next(b["callback_data"] for b in buttons if b["text"] == "Deny")
        desk.bot.press_button(message["chat_id"], message["message_id"], deny)
        terminal.expect("Did not run", on_screen=True)
    assert not desk.marker.exists()
    (resolved,) = desk.aegis.audit_events("approval.resolved")
    assert (resolved["details"]["status"], resolved["details"]["channel"]) == ("denied", "telegram")
    (result,) = api.tool_results()
    assert result["is_error"] is True and "telegram" in json.dumps(result["content"])




def test_the_resume_command_printed_on_exit_works_under_aegis(desk: Desk) -> None:
    """Claude Code's own resume hint names Aegis' session settings file, deleted when
    the session ends; `aegis wrap` prints the command that resumes under Aegis."""
    with FakeAnthropic([text("Hello from the model."), text("Welcome back.")]) as api:
        terminal = desk.run_claude(api)
        terminal.expect("Hello from the model.", on_screen=True)
        terminal.type("/exit")
        terminal.type("\r")
        terminal.expect("aegis wrap claude --resume ")
        assert terminal.wait() == 0
        printed = " ".join(terminal.text.split())
        conversation = printed.split("aegis wrap claude --resume ", 1)[1].split()[0]
        # The printed command works: the conversation goes on, under Aegis again.
        resumed = desk.aegis.cli_with({"ANTHROPIC_BASE_URL": api.base_url}, "wrap", "claude",
                                      "--resume", conversation, "-p", "And now?", timeout=180)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert "Welcome back." in resumed.stdout
        history = json.dumps(api.agent_requests()[-1]["messages"])
    assert "Hello from the model." in history and "And now?" in history
    assert len(desk.aegis.audit_events("session.created")) == 2
