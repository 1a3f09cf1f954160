"""Which answer the keys a human types give a prompt on the screen, so an answer given
at the keyboard is recorded as what it was (``approved|denied via terminal``).

A dialog (Claude Code's, Codex CLI's) is answered by an option's key, by Enter on
the option its selection marker is on (arrows move it), or by Esc (cancel: its "no").
A line prompt is answered by the line typed before Enter; an empty line takes the
default the question shows in capitals (``[y/N]``)."""

from __future__ import annotations

import re

from aegis_core.prompts import APPROVE, DENY, Choice, Prompt

UP = (b"\x1b[A", b"\x1bOA")
DOWN = (b"\x1b[B", b"\x1bOB")
_OTHER_ESCAPE = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|O.)")
# The default an empty line takes: the capital one ([Y/n], (y/N), [Yes/no]).
_DEFAULT = re.compile(r"[\[(](?:(Y(?:es)?)/n(?:o)?|y(?:es)?/(N(?:o)?))[\])]")
_YES = ("y", "yes")
_NO = ("n", "no")


class UnknownAnswer:
    """The prompt was answered, but not with one of its choices Aegis can name."""

    def __init__(self, typed: str) -> None:
        self.typed = typed


def is_dialog(prompt: Prompt) -> bool:
    return bool(prompt.choices) and not any(c.keys.endswith("\r") for c in prompt.choices)


class KeyReader:
    """Follows the keys typed at one prompt until they answer it."""

    def __init__(self, prompt: Prompt) -> None:
        self.prompt = prompt
        self.selected = prompt.selected
        self.typed = ""

    def feed(self, data: bytes) -> Choice | UnknownAnswer | None:
        """The answer ``data`` completes, or None while it is not complete."""
        return self._dialog(data) if is_dialog(self.prompt) else self._line(data)

    # -- a dialog: one key answers ------------------------------------------------------

    def _dialog(self, data: bytes) -> Choice | UnknownAnswer | None:
        choices = self.prompt.choices
        at = 0
        while at < len(data):
            rest = data[at:]
            if rest.startswith(UP) or rest.startswith(DOWN):
                step = -1 if rest.startswith(UP) else 1
                if self.selected is not None:
                    self.selected = min(max(self.selected + step, 0), len(choices) - 1)
                at += 3
                continue
            escape = _OTHER_ESCAPE.match(rest)
            if escape:
                at += len(escape.group(0))
                continue
            byte = rest[:1]
            at += 1
            if byte == b"\x1b":  # a lone Esc: the dialog's cancel, its "no"
                return self.prompt.deny or UnknownAnswer("Esc")
            if byte in (b"\r", b"\n"):
                if self.selected is not None and 0 <= self.selected < len(choices):
                    return choices[self.selected]
                return UnknownAnswer("Enter")
            key = byte.decode("latin-1").lower()
            chosen = next((c for c in choices if c.keys.lower() == key), None)
            if chosen is not None:
                return chosen
        return None

    # -- a line prompt: the line typed before Enter --------------------------------------

    def _line(self, data: bytes) -> Choice | UnknownAnswer | None:
        for char in _OTHER_ESCAPE.sub(b"", data).decode("utf-8", "replace"):
            if char in "\r\n":
                return self._line_answer(self.typed.strip())
            if char in "\x7f\b":
                self.typed = self.typed[:-1]
            elif char == "\x15":  # Ctrl-U: the line is cleared
                self.typed = ""
            elif char.isprintable():
                self.typed += char
        return None

    def _line_answer(self, typed: str) -> Choice | UnknownAnswer:
        choices = self.prompt.choices
        if not typed:
            default = _DEFAULT.search(self.prompt.question)
            if default is not None:
                meaning = APPROVE if default.group(1) else DENY
                chosen = next((c for c in choices if c.meaning == meaning), None)
                if chosen is not None:
                    return chosen
            return UnknownAnswer("")
        wanted = typed.casefold()
        for choice in choices:
            if wanted in (choice.keys.rstrip("\r").casefold(), choice.label.strip().casefold()):
                return choice
        for words, meaning in ((_YES, APPROVE), (_NO, DENY)):
            if wanted in words:
                chosen = next((c for c in choices if c.meaning == meaning), None)
                if chosen is not None:
                    return chosen
        return UnknownAnswer(typed)


def outcome_of(choice: Choice) -> str:
    """``deny`` for a choice that says no, else ``approve``: the human chose to go on
    (plain yes, always-allow, or one of a menu's options)."""
    return "deny" if choice.meaning == DENY else "approve"
