"""The PTY adapter through the REAL daemon: `aegis wrap --adapter pty -- PROGRAM` in a
real terminal, the program's prompt relayed to a daemon started by the wrap, and
answered with `aegis approvals approve/deny` (the cli channel), at the keyboard (the
default terminal channel), or, for the real Claude Code CLI's permission dialog,
from another terminal while Claude waits."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("aegis_pty")
from aegis_pty.testing import Terminal
from e2e_aegis import AegisHome

REPO = Path(__file__).resolve().parents[2]
CLI_CHANNEL = '[approvals]\nchannels = ["cli"]\ntimeout_seconds = 60\n'
QUESTION = "Delete the cache? [y/N]"
SCRIPT = f"answer = input({QUESTION + ' '!r})\nprint(f'ANSWER={{answer!r}}')\n"


class Session:
    """An Aegis home plus the terminals the test opened in it."""

    def __init__(self, home: AegisHome) -> None:
        self.aegis = home
        self.terminals: list[Terminal] = []
        self.script = home.root / "ask.py"
        self.script.write_text(SCRIPT)

    def wrap(
        self,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        rows: int = 24,
        cols: int = 80,
    ) -> Terminal:
        command = [*self.aegis.cli_argv, "wrap", "--adapter", "pty", "--", *argv]
        terminal = Terminal(
            command,
            rows=rows,
            cols=cols,
            env=env or {**self.aegis.env, "TERM": "xterm"},
            cwd=str(cwd or self.aegis.root),
            patience=60.0,  # the whole stack (daemon start, relay, real CLIs) is slower than the unit tests
        )
        self.terminals.append(terminal)
        return terminal

    def wrap_script(self) -> Terminal:
        return self.wrap([sys.executable, str(self.script)])

    def close(self) -> None:
        for terminal in self.terminals:
            terminal.close()
        self.aegis.close()


@pytest.fixture
def session() -> Iterator[Session]:
    made = Session(AegisHome(prefix="aepty-"))
    try:
        yield made
    finally:
        made.close()


def resolved_statuses(home: AegisHome) -> list[str]:
    return [e["details"]["status"] for e in home.audit_events("approval.resolved")]


def test_approved_with_the_cli_the_script_gets_yes(session: Session) -> None:
    session.aegis.configure(CLI_CHANNEL)
    terminal = session.wrap_script()
    approval = session.aegis.wait_for_pending()
    assert (approval["tool"], approval["kind"]) == ("prompt", "prompt")
    assert approval["summary"] == QUESTION
    assert approval["choices"] == ["Yes", "No"]
    assert "ANSWER" not in terminal.text  # nothing typed while the approval waits
    approved = session.aegis.cli("approvals", "approve", approval["id"])
    assert approved.returncode == 0, approved.stdout + approved.stderr
    terminal.expect("ANSWER='y'")
    assert terminal.wait() == 0
    assert resolved_statuses(session.aegis) == ["approved"]
    session.aegis.verify_audit()


def test_denied_with_the_cli_the_script_gets_no_and_the_denial_is_audited(session: Session) -> None:
    session.aegis.configure(CLI_CHANNEL)
    terminal = session.wrap_script()
    approval = session.aegis.wait_for_pending()
    denied = session.aegis.cli("approvals", "deny", approval["id"], "--reason", "keep the cache")
    assert denied.returncode == 0, denied.stdout + denied.stderr
    terminal.expect("ANSWER='n'")
    assert terminal.wait() == 0
    assert "ANSWER='y'" not in terminal.text
    (resolved,) = session.aegis.audit_events("approval.resolved")
    assert resolved["details"]["status"] == "denied"
    assert resolved["details"]["approval_id"] == approval["id"]
    assert resolved["details"]["reason"] == "keep the cache"
    session.aegis.verify_audit()


def test_with_no_channel_configured_the_keyboard_and_the_cli_race(session: Session) -> None:
    terminal = session.wrap_script()  # no config: the terminal (this keyboard) and the cli
    terminal.expect(QUESTION)
    approval = session.aegis.wait_for_pending()  # the cli could answer it too
    terminal.expect(f"aegis: approval {approval['id'][:12]} is waiting here")  # where to answer
    # Give the relay time: it must type nothing while nobody has answered.
    time.sleep(1.0)
    assert "ANSWER" not in terminal.text
    terminal.type("y\r")  # the human at the keyboard answers first
    terminal.expect("ANSWER=")
    assert terminal.wait() == 0
    assert "ANSWER='y'" in terminal.text and "ANSWER='n'" not in terminal.text
    (resolved,) = session.aegis.audit_events("approval.resolved")
    assert (resolved["details"]["status"], resolved["details"]["channel"]) == ("approved", "terminal")
    assert resolved["details"]["choice"] == "Yes"
    assert session.aegis.pending() == []
    late = session.aegis.cli("approvals", "deny", approval["id"])
    assert late.returncode != 0 and "too late" in late.stderr
    session.aegis.verify_audit()


# -- the real Claude Code CLI, interactive, its permission dialog relayed -------------

API_KEY = "sk-ant-api03-" + "a" * 80 + "TEST"


def claude_env(session: Session, project: Path, base_url: str) -> dict[str, str]:
    """A ~/.claude.json that skips onboarding, the trust dialog and the API-key question
    (so it works as root), and an environment pointing at the scripted Messages API."""
    (session.aegis.home / ".claude.json").write_text(
        json.dumps(
            {
                "hasCompletedOnboarding": True,
                "numStartups": 3,
                "projects": {
                    str(project): {
                        "hasTrustDialogAccepted": True,
                        "hasCompletedProjectOnboarding": True,
                        "allowedTools": [],
                    }
                },
                "customApiKeyResponses": {"approved": [API_KEY[-20:]], "rejected": []},
            }
        )
    )
    env = {k: v for k, v in session.aegis.env.items() if not k.startswith(("ANTHROPIC_", "CLAUDE"))}
    env.update(
        TERM="xterm-256color",
        ANTHROPIC_API_KEY=API_KEY,
        ANTHROPIC_BASE_URL=base_url,
        DISABLE_AUTOUPDATER="1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
        # Interactive Claude Code fetches its plugin marketplace from github.com, which the
        # sandbox's egress proxy would (rightly) ask the human about first.
        CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL="1",
        DISABLE_TELEMETRY="1",
    )
    return env


@pytest.mark.claude
@pytest.mark.slow
@pytest.mark.parametrize("verb", ["approve", "deny"])
def test_claude_permission_dialog_is_answered_through_the_daemon(session: Session, verb: str) -> None:
    fake_anthropic = pytest.importorskip("aegis_claude_hook.testing.fake_anthropic")
    claude = pytest.importorskip("aegis_claude_hook.testing").find_claude_cli(REPO)
    if claude is None:
        pytest.skip("Claude Code is not installed (run .ci/install-claude.sh)")
    session.aegis.configure(CLI_CHANNEL)
    project = session.aegis.root / "project"
    project.mkdir()
    marker = project / "marker.txt"
    script = [
        fake_anthropic.tool_use("Bash", command=f"touch {marker}", description="Create the marker file"),
        fake_anthropic.text("All done."),
    ]
    with fake_anthropic.FakeAnthropic(script) as api:
        terminal = session.wrap(
            [claude, "--permission-mode", "default", "Create the marker file"],
            env=claude_env(session, project, api.base_url),
            cwd=project,
            rows=40,
            cols=120,
        )
        approval = session.aegis.wait_for_pending(timeout=90)
        assert (approval["tool"], approval["kind"]) == ("prompt", "prompt")
        assert approval["choices"][0] == "Yes" and approval["choices"][-1] == "No"
        answered = session.aegis.cli("approvals", verb, approval["id"])
        assert answered.returncode == 0, answered.stdout + answered.stderr
        terminal.expect("All done." if verb == "approve" else "Did not run", timeout=90, on_screen=True)
    assert marker.exists() is (verb == "approve")
    assert resolved_statuses(session.aegis) == ["approved" if verb == "approve" else "denied"]
    session.aegis.verify_audit()


# -- the same prompt answered from the phone --------------------------------------------


def test_prompt_answered_with_a_telegram_button(session: Session) -> None:
    fake_api = pytest.importorskip("aegis_telegram.fake_api")
    user = 7070
    with fake_api.FakeBotApi(users=[user]) as bot:
        session.aegis.env.update({
            "AEGIS_TELEGRAM_BOT_TOKEN": bot.token, "AEGIS_TELEGRAM_API_BASE": bot.api_base,
            "AEGIS_TELEGRAM_ALLOWED_USERS": str(user), "AEGIS_TELEGRAM_POLL_TIMEOUT": "1",
        })
        session.aegis.configure("[approvals]\ntimeout_seconds = 60\n")  # default: telegram + cli
        terminal = session.wrap_script()
        message = bot.wait_for(
            lambda: next((m for m in bot.sent_messages if m.get("reply_markup")), None), timeout=60)
        assert QUESTION in message["text"]
        assert "ANSWER" not in terminal.text  # nothing typed while the phone decides
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        approve = next(b["callback_data"] for b in buttons if b["text"] == "Approve")
        bot.press_button(message["chat_id"], message["message_id"], approve)
        terminal.expect("ANSWER='y'")
        assert terminal.wait() == 0
        assert bot.wait_for(lambda: [e for e in bot.edits if "Approved" in str(e.get("text", ""))], timeout=15)
    (resolved,) = session.aegis.audit_events("approval.resolved")
    assert resolved["details"]["status"] == "approved" and resolved["details"]["channel"] == "telegram"
    session.aegis.verify_audit()


def test_prompt_answered_at_the_keyboard_edits_the_phone_message(session: Session) -> None:
    """Keyboard and phone together for any program under the PTY adapter: the prompt
    waits at the keyboard and on the phone at once; the key typed first wins and the
    phone message is edited to say so."""
    fake_api = pytest.importorskip("aegis_telegram.fake_api")
    user = 7071
    with fake_api.FakeBotApi(users=[user]) as bot:
        session.aegis.env.update({
            "AEGIS_TELEGRAM_BOT_TOKEN": bot.token, "AEGIS_TELEGRAM_API_BASE": bot.api_base,
            "AEGIS_TELEGRAM_ALLOWED_USERS": str(user), "AEGIS_TELEGRAM_POLL_TIMEOUT": "1",
        })
        session.aegis.configure("[approvals]\ntimeout_seconds = 60\n")  # default: terminal, telegram, cli
        terminal = session.wrap_script()
        terminal.expect(QUESTION)
        message = bot.wait_for(
            lambda: next((m for m in bot.sent_messages if m.get("reply_markup")), None), timeout=60)
        approval = session.aegis.wait_for_pending()
        assert QUESTION in message["text"] and approval["id"][:12] in terminal.text
        assert "ANSWER" not in terminal.text
        terminal.type("y\r")
        terminal.expect("ANSWER='y'")
        assert terminal.wait() == 0
        edited = bot.wait_for(lambda: [e for e in bot.edits if "Approved" in str(e.get("text", ""))],
                              timeout=30)
        assert edited[0]["message_id"] == message["message_id"]
        assert "at the keyboard" in str(edited[0]["text"])
    (resolved,) = session.aegis.audit_events("approval.resolved")
    assert (resolved["details"]["status"], resolved["details"]["channel"]) == ("approved", "terminal")
    assert session.aegis.pending() == []
    session.aegis.verify_audit()


TWO_QUESTIONS = ("first = input('Continue? [y/N] ')\n"
                 "print(f'you answered: {first!r}')\n"
                 "print('Removing build/ (312 files)')\n"
                 "print('ANSWER', input('Delete? [y/N] '))\n")


def test_the_phone_gets_the_question_and_its_lines_not_earlier_answers(session: Session) -> None:
    fake_api = pytest.importorskip("aegis_telegram.fake_api")
    user = 7072
    with fake_api.FakeBotApi(users=[user]) as bot:
        session.aegis.env.update({
            "AEGIS_TELEGRAM_BOT_TOKEN": bot.token, "AEGIS_TELEGRAM_API_BASE": bot.api_base,
            "AEGIS_TELEGRAM_ALLOWED_USERS": str(user), "AEGIS_TELEGRAM_POLL_TIMEOUT": "1",
        })
        session.aegis.configure("[approvals]\ntimeout_seconds = 60\n")
        terminal = session.wrap([sys.executable, "-c", TWO_QUESTIONS])
        terminal.expect("Continue? [y/N]")
        session.aegis.wait_for_pending()
        terminal.type("y\r")  # the first is answered at the keyboard
        terminal.expect("Delete? [y/N]")
        second = bot.wait_for(lambda: next((m for m in bot.sent_messages
                                            if m.get("reply_markup") and "Delete?" in m["text"]), None), timeout=60)
        # What the program printed for this question reaches the phone; the earlier
        # prompt and the answer typed to it do not.
        assert "Removing build/ (312 files)\nDelete? [y/N]" in second["text"]
        assert "Continue?" not in second["text"]
        assert "why: Delete? [y/N]: no rule covers it" in second["text"]
        buttons = [b for row in second["reply_markup"]["inline_keyboard"] for b in row]
        bot.press_button(second["chat_id"], second["message_id"],
                         next(b["callback_data"] for b in buttons if b["text"] == "Deny"))
        terminal.expect("ANSWER n")
        assert terminal.wait() == 0
    channels = [e["details"]["channel"] for e in session.aegis.audit_events("approval.resolved")]
    assert channels == ["terminal", "telegram"]
    session.aegis.verify_audit()
