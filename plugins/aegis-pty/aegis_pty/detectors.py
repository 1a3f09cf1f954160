"""The built-in prompt detectors: yes/no questions, numbered menus (Claude Code's and
Codex CLI's permission dialogs among them) and password prompts.

Each reads the rendered screen only near the cursor or at the bottom of the screen,
where a program waiting for an answer leaves its question, so ordinary output that
merely contains a question mark does not count."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aegis_core.prompts import APPROVE, DENY, OTHER, Choice, Prompt, Screen

_BORDER = "│|║┃"


def _unboxed(line: str) -> str:
    """A screen row without the box-drawing borders dialogs are drawn in."""
    return line.strip().strip(_BORDER).strip()


def _waiting_line(screen: Screen) -> str | None:
    """The cursor's line (joined with the rows it wrapped from), if the cursor sits at
    its end, where a line prompt waits."""
    if screen.cursor[1] < len(screen.cursor_line.rstrip()):
        return None
    _, line = screen.logical_line(screen.cursor[0])
    return _unboxed(line) or None


# -- password ---------------------------------------------------------------------

_PASSWORD = re.compile(
    r"(?i)\b(?:password|passphrase|passcode|pin|one-time code|otp|verification code)\b"
    r"[^\n]{0,100}:$"
)


@dataclass(frozen=True)
class PasswordDetector:
    """``Password:``, ``[sudo] password for me:``, ``Enter passphrase for key ...:``.
    Secret: the relay never sends these anywhere and tells the user to type it."""

    name: str = "password"

    def detect(self, screen: Screen) -> Prompt | None:
        line = _waiting_line(screen)
        if line is None or not _PASSWORD.search(line):
            return None
        return Prompt(question=line, choices=(), kind="password", secret=True, detector=self.name)


# -- yes / no ----------------------------------------------------------------------

_YES_NO = (
    # (pattern at the end of the line, yes keys, no keys)
    (re.compile(r"[\[(](?:y/n|yes/no)[\])]\s*[:?]?$", re.I), None, None),
    (re.compile(r"\((?:yes/no)(?:/\[[^\]]{0,40}\])?\)\s*[:?]?$", re.I), "yes\r", "no\r"),
    (re.compile(r"\b(?:proceed|continue)\s*\?$", re.I), "y\r", "n\r"),
    # coreutils' -i questions: "rm: remove regular file 'x'?", "cp: overwrite 'y'?"
    (re.compile(r"^(?:\S*/)?(?:rm|cp|mv|ln|install): .{1,4000}\?$"), "y\r", "n\r"),
)


@dataclass(frozen=True)
class YesNoDetector:
    """A line prompt ending in ``[y/N]``, ``[Y/n]``, ``(yes/no)``, ``Proceed?``,
    ``Continue?`` or a coreutils ``-i`` question, with the cursor right after it."""

    name: str = "yesno"

    def detect(self, screen: Screen) -> Prompt | None:
        line = _waiting_line(screen)
        if line is None:
            return None
        for pattern, yes_keys, no_keys in _YES_NO:
            match = pattern.search(line)
            if match is None:
                continue
            if yes_keys is None or no_keys is None:  # [y/n] style: answer in its own words
                words = "yes" in match.group(0).lower()
                yes_keys, no_keys = ("yes\r", "no\r") if words else ("y\r", "n\r")
            question = line
            if not line[: match.start()].strip() and line[0] in "[(":
                # A bare "[y/N]": the question is on the line above.
                first_row, _ = screen.logical_line(screen.cursor[0])
                question = f"{_line_above(screen, first_row)} {line}".strip()
            return Prompt(
                question=question,
                choices=(Choice("Yes", yes_keys, APPROVE), Choice("No", no_keys, DENY)),
                kind="yesno",
                detector=self.name,
            )
        return None


def _line_above(screen: Screen, row: int) -> str:
    for above in range(row - 1, max(row - 4, -1), -1):
        text = _unboxed(screen.lines[above])
        if text:
            return text
    return ""


# -- numbered menus ---------------------------------------------------------------------

# Selection markers: > and the arrows Claude Code (U+276F) and Codex CLI (U+203A) draw.
_OPTION = re.compile(
    r"^(?P<marker>[>\u276f\u203a\u25b6\u2192\u279c*]\s*)?(?P<number>\d{1,2})[.)]\s+(?P<label>\S.*)$"
)
_SHORTCUT = re.compile(r"\s*\((?P<key>[a-z]|esc|enter)\)$", re.I)
_NOT_PLAIN = re.compile(
    r"(?i)\b(?:always|don'?t ask|do not ask|again|auto|mode|remember|session|all|every|"
    r"permanently|future|bypass|skip)\b"
)
_APPROVE_WORDS = ("yes", "allow", "approve", "proceed", "run", "accept", "ok", "y")
_DENY_WORDS = ("no", "deny", "reject", "cancel", "abort", "decline", "n")

MENU_WINDOW = 30  # rows above the bottom of the screen a menu may start in
MAX_FOOTER_LINES = 4  # hint lines allowed under the last option ("Esc to cancel")


def meaning_of(label: str) -> str:
    """``approve`` for a plain yes, ``deny`` for a no, ``other`` for the rest: an
    option that always-allows or switches modes is never taken for a plain yes."""
    text = _SHORTCUT.sub("", label).strip().casefold()
    first = re.split(r"[\s,.;:!()-]+", text, maxsplit=1)[0]
    if first in _DENY_WORDS:
        return DENY
    if first in _APPROVE_WORDS and not _NOT_PLAIN.search(text) and ", and" not in text:
        return APPROVE
    return OTHER


@dataclass(frozen=True)
class _Option:
    row: int
    number: int
    label: str
    marked: bool


@dataclass(frozen=True)
class MenuDetector:
    """A numbered menu at the bottom of the screen, parsed from what is shown.

    Two shapes: a full-screen dialog with a selection marker (Claude Code's "Do you
    want to proceed?", Codex CLI's "Would you like to run the following command?"),
    answered by the option's number or its shortcut letter; and a line menu whose
    options are followed by an input prompt ("Choose [1-3]: "), answered by the
    number and Enter."""

    name: str = "menu"

    def detect(self, screen: Screen) -> Prompt | None:
        bottom = screen.last_nonblank_row()
        if bottom < 1:
            return None
        rows = [_unboxed(line) for line in screen.lines]
        options = _last_option_run(rows, max(0, bottom - MENU_WINDOW), bottom)
        if options is None:
            return None
        marked = any(o.marked for o in options)
        selected = next((i for i, o in enumerate(options) if o.marked), None)
        footer = [r for r in range(options[-1].row + 1, bottom + 1) if rows[r]]
        if marked:
            if len(footer) > MAX_FOOTER_LINES:
                return None
            question = _question_above(rows, options[0].row, need_mark=True)
            if question is None:
                return None
            choices = tuple(_dialog_choice(o) for o in options)
        else:
            # A line menu waits at an input line under its options, cursor at its end.
            waiting = _waiting_line(screen)
            if waiting is None or screen.cursor[0] <= options[-1].row or len(footer) > 2:
                return None
            if not waiting.endswith((":", "?", ">", "]")):
                return None
            question = _question_above(rows, options[0].row, need_mark=False) or waiting
            choices = tuple(Choice(o.label, f"{o.number}\r", meaning_of(o.label)) for o in options)
        return Prompt(question=question, choices=choices, kind="menu", detector=self.name,
                      selected=selected)


def _dialog_choice(option: _Option) -> Choice:
    shortcut = _SHORTCUT.search(option.label)
    keys = str(option.number)
    if shortcut and len(shortcut.group("key")) == 1:
        keys = shortcut.group("key").lower()  # Codex: "Yes, proceed (y)"
    return Choice(option.label, keys, meaning_of(option.label))


def _last_option_run(rows: list[str], top: int, bottom: int) -> list[_Option] | None:
    """The lowest run of options numbered 1, 2, ... N (N >= 2) between ``top`` and
    ``bottom``; a label may wrap onto the lines before the next option."""
    found: list[_Option] = []
    for row in range(top, bottom + 1):
        match = _OPTION.match(rows[row])
        if match:
            found.append(_Option(row, int(match.group("number")), match.group("label").strip(),
                                 bool(match.group("marker"))))
    best: list[_Option] | None = None
    for start, option in enumerate(found):
        if option.number != 1:
            continue
        run = [option]
        for following in found[start + 1:]:
            if following.number != run[-1].number + 1 or following.row - run[-1].row > 3:
                break
            run.append(following)
        if len(run) >= 2:
            best = run
    if best is None:
        return None
    joined: list[_Option] = []
    for index, current in enumerate(best):
        label = current.label
        if index + 1 < len(best):  # a label may wrap onto the rows before the next option
            extra = [rows[r] for r in range(current.row + 1, best[index + 1].row) if rows[r]]
            label = " ".join([label, *extra])
        joined.append(_Option(current.row, current.number, label, current.marked))
    return joined


def _question_above(rows: list[str], first_option_row: int, *, need_mark: bool) -> str | None:
    for row in range(first_option_row - 1, max(first_option_row - 16, -1), -1):
        text = rows[row]
        if text.endswith("?"):
            return text
        if not need_mark and text:
            return text
    return None


def builtin_detectors() -> tuple[PasswordDetector, MenuDetector, YesNoDetector]:
    """In the order they are tried: a password prompt must never be mistaken for a
    question the phone may answer."""
    return PasswordDetector(), MenuDetector(), YesNoDetector()
