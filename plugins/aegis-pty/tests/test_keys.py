"""Which answer typed keys give a prompt (aegis_pty.keys): what is recorded as the
human's answer at the terminal."""

from __future__ import annotations

import pytest
from aegis_pty.keys import KeyReader, UnknownAnswer, outcome_of

from aegis_core.prompts import APPROVE, DENY, OTHER, Choice, Prompt

CLAUDE = Prompt("Do you want to proceed?", (Choice("Yes", "1", APPROVE),
                                             Choice("Yes, and don't ask again for rm", "2", OTHER),
                                             Choice("No", "3", DENY)), kind="menu", selected=0)
LINE = Prompt("Delete? [y/N]", (Choice("Yes", "y\r", APPROVE), Choice("No", "n\r", DENY)))
MENU = Prompt("Which environment?", (Choice("staging", "1\r", OTHER), Choice("Cancel", "2\r", DENY)),
              kind="menu")


def answer(prompt: Prompt, *chunks: bytes):
    reader = KeyReader(prompt)
    result = None
    for chunk in chunks:
        result = reader.feed(chunk)
    return result


@pytest.mark.parametrize(("chunks", "label"), [
    ((b"1",), "Yes"), ((b"3",), "No"), ((b"\r",), "Yes"),  # Enter: the option the marker is on
    ((b"\x1b[B", b"\r"), "Yes, and don't ask again for rm"), ((b"\x1b[B\x1b[B\r",), "No"),
    ((b"\x1b[A\x1b[A\r",), "Yes"),  # the marker stops at the top
    ((b"\x1b",), "No"),  # Esc cancels: the dialog's no
    ((b"\t", b"1"), "Yes"),  # Tab (amend) answers nothing yet
])
def test_dialog_keys(chunks, label):
    chosen = answer(CLAUDE, *chunks)
    assert isinstance(chosen, Choice) and chosen.label == label


def test_dialog_keys_that_answer_nothing_yet():
    assert answer(CLAUDE, b"\t") is None and answer(CLAUDE, b"\x1b[B") is None


@pytest.mark.parametrize(("chunks", "label"), [
    ((b"y\r",), "Yes"), ((b"Y", b"E", b"S", b"\r"), "Yes"), ((b"n\r",), "No"), ((b"\r",), "No"),
    ((b"x\x7fy\r",), "Yes"),  # a backspace undoes the x
])
def test_line_prompt_keys(chunks, label):
    chosen = answer(LINE, *chunks)
    assert isinstance(chosen, Choice) and chosen.label == label


def test_line_prompt_answer_it_does_not_offer():
    assert isinstance(answer(LINE, b"maybe\r"), UnknownAnswer)
    assert answer(LINE, b"ye") is None  # no Enter yet


def test_a_menu_choice_is_an_approval_unless_it_says_no():
    assert outcome_of(answer(MENU, b"1\r")) == "approve"
    assert outcome_of(answer(MENU, b"2\r")) == "deny"
    assert outcome_of(answer(CLAUDE, b"2")) == "approve"  # always-allow is still a yes
