"""The prompt relay end to end: real programs in a real terminal, the PTY adapter
around them, and a STAND-IN daemon (conftest.StandInDaemon, speaking
docs/protocol.md) deciding. The test through the real daemon lives with the daemon."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).with_name("programs")
PYTHON = os.path.basename(sys.executable)


def allow(request):
    return {"decision": "allow"}


def deny(request):
    return {"decision": "deny", "reason": "not today"}


def test_an_approved_yes_no_question_is_answered_yes(wrapped, daemon):
    server = daemon(allow)
    terminal = wrapped([sys.executable, str(PROGRAMS / "ask_yes_no.py")])
    terminal.expect("ANSWER='y'")
    assert terminal.wait() == 0
    (request,) = server.wait_for("judge")
    assert (request["v"], request["adapter"]) == (1, "pty")
    assert (request["session"], request["token"]) == ("sess-test", "tok-test")
    payload = request["payload"]
    assert payload["question"] == "Delete the build directory? [y/N]"
    assert payload["choices"] == [{"label": "Yes", "keys": "y\r", "meaning": "approve"},
                                  {"label": "No", "keys": "n\r", "meaning": "deny"}]
    assert payload["program"] == PYTHON
    assert payload["cwd"] == os.getcwd()
    assert "Delete the build directory? [y/N]" in payload["screen"]


@pytest.mark.parametrize(("decide", "removed"), [(allow, True), (deny, False)])
def test_rm_interactive_is_answered_as_decided(wrapped, daemon, tmp_path, decide, removed):
    server = daemon(decide)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me?\n")
    terminal = wrapped(["rm", "-i", str(victim)])
    status = terminal.wait()
    (request,) = server.wait_for("judge")
    assert request["payload"]["question"] == f"rm: remove regular file '{victim}'?"
    assert victim.exists() is not removed
    assert status == 0


@pytest.mark.parametrize(("answer", "typed"), [
    ({"decision": "allow", "choice": "production"}, "2"),  # a named choice is typed as chosen
    ({"decision": "deny"}, "3"),  # deny: the cancelling option, whatever its number
])
def test_a_numbered_line_menu_is_parsed_and_answered(wrapped, daemon, answer, typed):
    server = daemon(lambda request: answer)
    terminal = wrapped([sys.executable, str(PROGRAMS / "menu.py")])
    terminal.expect(f"CHOICE='{typed}'")
    assert terminal.wait() == 0
    payload = server.wait_for("judge")[0]["payload"]
    assert payload["question"] == "Which environment should be deployed?"
    assert payload["choices"] == [
        {"label": "staging", "keys": "1\r", "meaning": "other"},
        {"label": "production", "keys": "2\r", "meaning": "other"},
        {"label": "Cancel", "keys": "3\r", "meaning": "deny"},
    ]


def test_an_approval_never_picks_a_menu_option_that_is_not_a_plain_yes(wrapped, daemon):
    server = daemon(allow)  # "allow" but the menu has no plain yes: nothing may be typed
    terminal = wrapped([sys.executable, str(PROGRAMS / "menu.py")])
    server.wait_for("judge")
    terminal.expect("offers no matching option")
    terminal.type("1\r")
    terminal.expect("CHOICE='1'")
    assert terminal.wait() == 0


@pytest.mark.parametrize(("decide", "selected"), [(allow, "'1'"), (deny, "'4'")])
def test_a_claude_style_dialog_drawn_with_cursor_moves_is_answered(wrapped, daemon, decide,
                                                                   selected):
    server = daemon(decide)
    terminal = wrapped([sys.executable, str(PROGRAMS / "fake_claude_dialog.py")])
    terminal.expect(f"SELECTED {selected}")
    assert terminal.wait() == 0
    payload = server.wait_for("judge")[0]["payload"]
    assert payload["question"] == "Do you want to proceed?"
    assert [(c["label"], c["keys"], c["meaning"]) for c in payload["choices"]] == [
        ("Yes", "1", "approve"),
        ("Yes, and always allow access to tmp/ from this project", "2", "other"),
        ("Yes, and switch to auto mode", "3", "other"),
        ("No", "4", "deny"),
    ]
    assert "touch /tmp/aegis-demo" in payload["screen"]


def test_a_password_prompt_is_never_relayed(wrapped, daemon):
    server = daemon(allow)
    terminal = wrapped([sys.executable, str(PROGRAMS / "password.py")])
    terminal.expect("type it at the keyboard")
    terminal.type("hunter2\r")
    terminal.expect("GOT 7 CHARACTERS")
    assert terminal.wait() == 0
    assert server.requests == []
    assert "hunter2" not in terminal.text  # not echoed, not repeated by the wrapper


def test_output_with_question_marks_is_not_taken_for_a_prompt(wrapped, daemon):
    server = daemon(deny)
    script = ("print('Did you know? Python has generators?')\n"
              "print('FAQ: why is the sky blue? what is 2+2?')\n"
              "input('Are we there yet? ')\n"  # waiting, cursor after a '?': still no prompt
              "print('ANSWER', input('Proceed? '))\n")
    terminal = wrapped([sys.executable, "-c", script], idle_ms=50)
    terminal.expect("Are we there yet? ")
    time.sleep(1.0)  # twenty idle periods: the relay has looked at this screen
    terminal.type("\r")
    terminal.expect("ANSWER n")
    assert terminal.wait() == 0
    assert [r["payload"]["question"] for r in server.wait_for("judge")] == ["Proceed?"]
    assert server.ops() == ["judge"]


@pytest.mark.parametrize(("typed", "outcome", "choice"), [
    ("n\r", "deny", "No"), ("yes\r", "approve", "Yes"), ("\r", "deny", "No"),  # [y/N]: Enter is No
])
def test_an_answer_at_the_keyboard_wins_and_is_recorded_via_terminal(wrapped, daemon, typed, outcome,
                                                                     choice):
    human_answered = threading.Event()

    def slow_human(request):
        human_answered.wait(30)
        return {"decision": "allow"}  # too late: must not be typed

    server = daemon(slow_human)
    try:
        terminal = wrapped([sys.executable, str(PROGRAMS / "ask_yes_no.py")])
        server.wait_for("judge")
        terminal.type(typed)
        terminal.expect(f"ANSWER={typed.rstrip(chr(13))!r}")
        (answered,) = server.wait_for("approval.resolve")
        assert (answered["approval_id"], answered["channel"]) == ("appr-1", "terminal")
        assert (answered["outcome"], answered["choice"]) == (outcome, choice)
        assert (answered["session"], answered["token"]) == ("sess-test", "tok-test")
        assert terminal.wait() == 0
    finally:
        human_answered.set()
    assert "ANSWER='y'" not in terminal.text
    assert "approval.cancel" not in server.ops()


def test_an_answer_the_prompt_does_not_offer_cancels_the_approval(wrapped, daemon):
    human_answered = threading.Event()
    server = daemon(lambda request: human_answered.wait(30) and {"decision": "allow"})
    try:
        terminal = wrapped([sys.executable, str(PROGRAMS / "ask_yes_no.py")])
        server.wait_for("judge")
        terminal.type("maybe\r")
        terminal.expect("ANSWER='maybe'")
        (cancel,) = server.wait_for("approval.cancel")
        assert cancel["reason"] == "answered at the keyboard"
        assert terminal.wait() == 0
    finally:
        human_answered.set()


def test_ask_leaves_the_prompt_at_the_keyboard(wrapped, daemon):
    server = daemon(lambda request: {"decision": "ask"})
    terminal = wrapped([sys.executable, str(PROGRAMS / "ask_yes_no.py")])
    server.wait_for("judge")
    time.sleep(0.5)  # the relay has had the answer for a while: it must have typed nothing
    assert "ANSWER" not in terminal.text
    terminal.type("y\r")
    terminal.expect("ANSWER='y'")
    assert terminal.wait() == 0


def test_an_unreachable_daemon_leaves_the_prompt_at_the_keyboard(wrapped):
    terminal = wrapped([sys.executable, str(PROGRAMS / "ask_yes_no.py")])  # no daemon listening
    terminal.expect("Aegis daemon is not running")
    terminal.type("n\r")
    terminal.expect("ANSWER='n'")
    assert terminal.wait() == 0
    notices = [line for line in terminal.text.splitlines() if "aegis:" in line]
    assert len(notices) == 1, notices  # one clear line, not a traceback
    assert "answer at the keyboard" in notices[0]


def test_a_malformed_daemon_answer_types_nothing(wrapped, daemon):
    server = daemon(lambda request: {"decision": "allow", "ok": False, "error": "session unknown"})
    terminal = wrapped([sys.executable, str(PROGRAMS / "ask_yes_no.py")])
    server.wait_for("judge")
    terminal.expect("session unknown")
    terminal.type("n\r")
    terminal.expect("ANSWER='n'")
    assert terminal.wait() == 0


def test_the_same_question_asked_twice_is_relayed_twice(wrapped, daemon):
    server = daemon(allow)
    script = "for i in range(2):\n    print('GOT', i, input('Continue? [y/N] '))\n"
    terminal = wrapped([sys.executable, "-c", script])
    terminal.expect("GOT 1 y")
    assert terminal.wait() == 0
    assert len(server.wait_for("judge", count=2)) == 2


def test_rm_is_on_path():
    # The rm -i test needs coreutils' wording; fail loudly rather than skip if absent.
    assert subprocess.run(["rm", "--version"], capture_output=True).returncode == 0


TWO_QUESTIONS = ("first = input('Continue? [y/N] ')\n"
                 "print(f\"you answered: {first!r}\")\n"
                 "print()\n"
                 "print('Removing build/ (312 files)')\n"
                 "print('ANSWER', input('Delete? [y/N] '))\n")


def test_the_phone_is_sent_the_question_and_its_lines_not_earlier_answers(wrapped, daemon):
    def decide(request):
        # The first question stays at the keyboard; the second is approved.
        return {"decision": "ask"} if "Continue" in request["payload"]["question"] else {"decision": "allow"}

    server = daemon(decide)
    terminal = wrapped([sys.executable, "-c", TWO_QUESTIONS], idle_ms=50)
    terminal.expect("Continue? [y/N] ")
    server.wait_for("judge")
    terminal.type("y\r")
    terminal.expect("ANSWER y")
    assert terminal.wait() == 0
    first, second = server.wait_for("judge", count=2)
    assert first["payload"]["screen"] == "Continue? [y/N]"
    assert second["payload"]["question"] == "Delete? [y/N]"
    assert second["payload"]["screen"] == "Removing build/ (312 files)\nDelete? [y/N]"


# The program reacts to the first answer (a line, then a progress line finished after a
# pause), works a while, then asks again with the lines of its new question.
REACTS_THEN_ASKS = ("import sys, time\n"
                    "first = input('Continue? [y/N] ')\n"
                    "print(f\"you answered: {first!r}\")\n"
                    "sys.stdout.write('Deploying staging...'); sys.stdout.flush(); time.sleep(0.4)\n"
                    "print(' done'); time.sleep(0.4)\n"
                    "print('Removing build/ (312 files)')\n"
                    "print('ANSWER', input('Delete? [y/N] '))\n")

# `git add -p`'s shape: the next question's own lines follow the answer at once.
NEXT_HUNK = ("first = input('Stage this hunk? [y/N] ')\n"
             "print('@@ -1,3 +1,4 @@')\n"
             "print('+new line')\n"
             "print('ANSWER', input('Stage this hunk? [y/N] '))\n")


@pytest.mark.parametrize("by", ["keyboard", "phone"])
def test_a_later_question_is_sent_without_the_reaction_to_the_earlier_answer(wrapped, daemon, by):
    def decide(request):
        first = "Continue" in request["payload"]["question"]
        return {"decision": "ask"} if first and by == "keyboard" else {"decision": "allow"}

    server = daemon(decide)
    terminal = wrapped([sys.executable, "-c", REACTS_THEN_ASKS], idle_ms=100)
    terminal.expect("Continue? [y/N] ")
    server.wait_for("judge")
    if by == "keyboard":
        terminal.type("y\r")
    terminal.expect("ANSWER y")
    assert terminal.wait() == 0
    first, second = server.wait_for("judge", count=2)
    assert first["payload"]["screen"] == "Continue? [y/N]"
    assert second["payload"]["question"] == "Delete? [y/N]"
    # Nothing of the first exchange or of the work in between: the question's own lines.
    assert second["payload"]["screen"] == "Removing build/ (312 files)\nDelete? [y/N]"


def test_the_lines_a_question_prints_right_after_the_earlier_answer_are_sent(wrapped, daemon):
    server = daemon(allow)
    terminal = wrapped([sys.executable, "-c", NEXT_HUNK], idle_ms=100)
    terminal.expect("ANSWER y")
    assert terminal.wait() == 0
    first, second = server.wait_for("judge", count=2)
    assert first["payload"]["screen"] == "Stage this hunk? [y/N]"
    assert second["payload"]["screen"] == "@@ -1,3 +1,4 @@\n+new line\nStage this hunk? [y/N]"


# Lines printed, a pause (the program thinks), then the question alone.
THINKS_THEN_ASKS = ("import time\n"
                    "print('Found 3 files in build/'); time.sleep(0.4)\n"
                    "first = input('Delete them? [y/N] ')\n"
                    "print('Removing build/ (312 files)'); time.sleep(0.4)\n"
                    "print('ANSWER', input('Delete? [y/N] '))\n")


def test_a_question_asked_alone_after_a_pause_keeps_the_lines_before_the_pause(wrapped, daemon):
    server = daemon(allow)
    terminal = wrapped([sys.executable, "-c", THINKS_THEN_ASKS], idle_ms=100)
    terminal.expect("ANSWER y")
    assert terminal.wait() == 0
    first, second = server.wait_for("judge", count=2)
    assert first["payload"]["screen"] == "Found 3 files in build/\nDelete them? [y/N]"
    assert second["payload"]["screen"] == "Removing build/ (312 files)\nDelete? [y/N]"
