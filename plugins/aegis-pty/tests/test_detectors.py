"""The built-in detectors on screens rendered by a real terminal emulator (pyte),
from the bytes programs write: what must be found, and what must not."""

from __future__ import annotations

import pytest
from aegis_pty.detectors import MenuDetector, builtin_detectors, meaning_of
from aegis_pty.relay import detect
from aegis_pty.screen import TerminalScreen, screen_excerpt

from aegis_core.prompts import Prompt


def render(data: str, rows: int = 24, cols: int = 80) -> TerminalScreen:
    screen = TerminalScreen(rows, cols)
    screen.feed(data.replace("\n", "\r\n").encode())
    return screen


def prompt_on(data: str, **size: int) -> Prompt | None:
    return detect(builtin_detectors(), render(data, **size).snapshot())


@pytest.mark.parametrize(("output", "question", "yes"), [
    ("Install 3 packages? [Y/n] ", "Install 3 packages? [Y/n]", "y\r"),
    ("Overwrite config? [y/N]: ", "Overwrite config? [y/N]:", "y\r"),
    ("Are you sure you want to continue connecting (yes/no/[fingerprint])? ",
     "Are you sure you want to continue connecting (yes/no/[fingerprint])?", "yes\r"),
    ("Really delete? (yes/no) ", "Really delete? (yes/no)", "yes\r"),
    ("12 files will change.\nProceed? ", "Proceed?", "y\r"),
    ("Continue? ", "Continue?", "y\r"),
    ("rm: remove write-protected regular file 'a.txt'? ",
     "rm: remove write-protected regular file 'a.txt'?", "y\r"),
    ("Delete everything?\n[y/N] ", "Delete everything? [y/N]", "y\r"),
])
def test_yes_no_prompts_are_found(output, question, yes):
    prompt = prompt_on(output)
    assert prompt is not None and prompt.kind == "yesno"
    assert prompt.question == question
    assert (prompt.approve.keys, prompt.approve.label) == (yes, "Yes")
    assert prompt.deny.keys == yes.replace("yes", "no").replace("y", "n")


def test_a_question_wrapped_over_several_rows_is_read_whole():
    path = "/very/long/" + "directory/" * 12 + "file.txt"
    prompt = prompt_on(f"rm: remove regular file '{path}'? ", cols=40)
    assert prompt is not None and prompt.question == f"rm: remove regular file '{path}'?"


@pytest.mark.parametrize("output", [
    "Did you know? Python has generators?\n",  # cursor on the next, empty line
    "Why? Because.\nIs it done? yes\n$ ",
    "Are we there yet? ",  # waiting at a '?' that offers no answers
    "Proceed? y",  # already answered: the cursor is past the question
    "What does [y/N] mean in a prompt?\n",
    "Steps:\n1. clone the repo\n2. run make\n3. ship it?\n",  # a numbered list in ordinary output
    # Not waiting at an input line:
    "Which one?\n1. alpha\n2. beta\nthen we talk about it\nand more\n",
    "",
])
def test_ordinary_output_is_not_a_prompt(output):
    assert prompt_on(output) is None


@pytest.mark.parametrize("output", [
    "Password: ",
    "[sudo] password for alice: ",
    "Enter passphrase for key '/root/.ssh/id_ed25519': ",
    "Password for 'https://alice@github.com': ",
])
def test_password_prompts_are_secret(output):
    prompt = prompt_on(output)
    assert prompt is not None and prompt.secret and prompt.kind == "password"
    assert prompt.choices == ()


def test_a_password_question_with_y_n_is_still_secret():
    # The password detector runs first: a secret must never go to the phone.
    prompt = prompt_on("Enter PIN [y/n] to unlock the key:")
    assert prompt is not None and prompt.secret


def _cursor_forward(text: str) -> str:
    return text.replace(" ", "\x1b[1C")


CLAUDE_DIALOG = [
    " Bash command",
    "",
    "   rm -rf build/",
    "   Remove the build output",
    "",
    " Do you want to proceed?",
    " ❯ 1. Yes",  # noqa: RUF001 - the character the program draws
    "   2. Yes, and always allow access to build/ from",
    "      this project",
    "   3. Yes, and switch to auto mode",
    "   4. No",
    "",
    " Esc to cancel · Tab to amend",
]


def _draw(rows: list[str], *, park: str = "\x1b[1;1H") -> str:
    out = "\x1b[2J"
    for number, text in enumerate(rows, start=1):
        out += f"\x1b[{number};1H{_cursor_forward(text)}"
    return out + park


def test_claude_codes_dialog_is_parsed_from_the_rendered_screen():
    prompt = prompt_on(_draw(CLAUDE_DIALOG))
    assert prompt is not None and prompt.kind == "menu"
    assert prompt.question == "Do you want to proceed?"
    assert [(c.label, c.keys, c.meaning) for c in prompt.choices] == [
        ("Yes", "1", "approve"),
        ("Yes, and always allow access to build/ from this project", "2", "other"),
        ("Yes, and switch to auto mode", "3", "other"),
        ("No", "4", "deny"),
    ]


def test_claude_codes_older_three_option_dialog():
    rows = [r for r in CLAUDE_DIALOG if "auto mode" not in r]
    rows = [r.replace("4. No", "3. No, and tell Claude what to do differently (esc)") for r in rows]
    prompt = prompt_on(_draw(rows))
    assert prompt is not None
    assert (prompt.approve.keys, prompt.deny.keys) == ("1", "3")
    assert prompt.deny.label == "No, and tell Claude what to do differently (esc)"


def test_codex_clis_dialog_uses_its_shortcut_letters():
    rows = [
        "Would you like to run the following command?",
        "",
        "Reason: the tests need a clean tree",
        "",
        "$ git clean -fdx",
        "",
        "› 1. Yes, proceed (y)",  # noqa: RUF001 - the character the program draws
        "  2. Yes, and don't ask again for this command (a)",
        "  3. No, and tell Codex what to do differently (esc)",
        "",
        "Press enter to confirm or esc to cancel",
    ]
    prompt = prompt_on(_draw(rows))
    assert prompt is not None
    assert prompt.question == "Would you like to run the following command?"
    assert [(c.keys, c.meaning) for c in prompt.choices] == [
        ("y", "approve"), ("a", "other"), ("3", "deny")]


def test_a_dialog_that_scrolled_up_under_new_output_is_not_waiting():
    filler = [f"log line {n}" for n in range(8)]
    assert MenuDetector().detect(render(_draw(CLAUDE_DIALOG + filler)).snapshot()) is None


@pytest.mark.parametrize(("label", "meaning"), [
    ("Yes", "approve"),
    ("Yes, proceed (y)", "approve"),
    ("Yes, allow once", "approve"),
    ("Yes, and don't ask again for this command (a)", "other"),
    ("Yes, allow all edits during this session (shift+tab)", "other"),
    ("Yes, and switch to auto mode", "other"),
    ("Always allow", "other"),
    ("No", "deny"),
    ("No, and tell Claude what to do differently (esc)", "deny"),
    ("Cancel", "deny"),
    ("Nothing to see", "other"),
    ("production", "other"),
])
def test_meanings_of_menu_labels(label, meaning):
    assert meaning_of(label) == meaning


def test_the_screen_excerpt_is_trimmed_and_redacted():
    key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz"
    screen = render(f"\n\nexport API_KEY={key}\nProceed? ").snapshot()
    excerpt = screen_excerpt(screen)
    assert excerpt.startswith("export API_KEY=")
    assert "abcdefghijklmnop" not in excerpt
    assert excerpt.endswith("Proceed?")


def test_a_detector_that_raises_is_skipped():
    class Broken:
        name = "broken"

        def detect(self, screen):
            raise RuntimeError("boom")

    screen = render("Continue? ").snapshot()
    prompt = detect([Broken(), *builtin_detectors()], screen)
    assert prompt is not None and prompt.detector == "yesno"


def test_a_prompt_after_a_flood_of_output_is_still_found():
    screen = TerminalScreen(24, 80)
    for chunk in range(200):  # 1.6 MB: far more than is kept for rendering
        screen.feed(b"".join(b"line %d.%d\r\n" % (chunk, n) for n in range(1000)))
    screen.feed(b"Proceed? ")
    snapshot = screen.snapshot()
    assert snapshot.lines[-2] == "line 199.999"
    prompt = detect(builtin_detectors(), snapshot)
    assert prompt is not None and prompt.question == "Proceed?"
