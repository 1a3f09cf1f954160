"""What a line-oriented program printed since its last prompt was answered: the lines
that belong to the next question (the packages apt is about to install above "Do you
want to continue?"), without the earlier prompts and the answers typed to them.

Where the next question's lines begin: after the last answer (the rest of the answered
line, the echo of what was typed, goes with it), after the last moment the program
went quiet without asking anything (what it printed before was its reaction to the
answer or the progress of its work: "you answered: 'y'", "Deploying... done"), and
after the last blank line. A question printed alone right after such a pause (the
program printed its lines, thought, then asked) takes the block before the pause.

A program that prints its reaction and the next question's lines in one go, with no
blank line between, cannot be told apart from one whose question's lines follow the
answer directly (``git add -p`` prints the next hunk right after the answer): those
lines are all sent, at most MAX_LINES of them."""

from __future__ import annotations

import re

from aegis_core.redact import redact_text

MAX_BYTES = 16 * 1024  # more than any question's context; a flood keeps its tail
MAX_LINES = 8
MAX_CHARS = 2000

_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, erase
    rb"|\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)"  # OSC: window titles, hyperlinks
    rb"|\x1b[@-Z\\-_]"  # other two-byte escapes
    rb"|[\x00-\x07\x0b\x0c\x0e-\x1f]"  # other control characters (not \b \t \n \r)
)


def _clean_line(raw: str) -> str:
    """A line as the terminal shows it: a carriage return rewrites it from the start,
    a backspace removes the character before it."""
    shown = ""
    for part in raw.split("\r"):
        if part:
            shown = part + shown[len(part):]
    out: list[str] = []
    for char in shown:
        if char == "\b":
            if out:
                out.pop()
        else:
            out.append(char)
    return "".join(out).rstrip()


class Transcript:
    """Output since the last answer, with the places where the program went quiet
    without asking (``quiet()``). ``answered()`` starts a new one; the rest of the
    answered line (the echo of what was typed) is dropped with it."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._skip_line = False
        self._pauses: list[int] = []  # offsets in _data where a quiet moment ended a line
        self._pause_at_newline = False  # went quiet mid-line: the pause ends that line

    def feed(self, data: bytes) -> None:
        if self._skip_line:
            newline = data.find(b"\n")
            if newline < 0:
                return
            data, self._skip_line = data[newline + 1:], False
        if self._pause_at_newline:
            newline = data.find(b"\n")
            if newline >= 0:
                self._pause_at_newline = False
                self._pauses.append(len(self._data) + newline + 1)
        self._data += data
        if len(self._data) > MAX_BYTES:
            dropped = len(self._data) - MAX_BYTES
            del self._data[:dropped]
            self._pauses = [p - dropped for p in self._pauses if p > dropped]

    def answered(self) -> None:
        self._data.clear()
        self._pauses.clear()
        self._pause_at_newline = False
        self._skip_line = True

    def quiet(self) -> None:
        """The program went quiet with no question on the screen: a later question's
        own lines begin after this moment (after the line being written, if any)."""
        if not self._data or (self._pauses and self._pauses[-1] == len(self._data)):
            return
        if self._data.endswith(b"\n"):
            self._pauses.append(len(self._data))
        else:
            self._pause_at_newline = True

    def context(self, question: str) -> str:
        """The block of lines that ends with ``question``, secrets redacted: printed
        since the last answer and after the program last went quiet, from the last
        blank line (at most MAX_LINES). A question printed alone after a pause takes
        the block printed before that pause: the lines that introduced it."""
        data = bytes(self._data)
        last = self._pauses[-1] if self._pauses else 0
        block = _block(data[last:], question)
        if len(block) <= 1 and self._pauses:
            before = self._pauses[-2] if len(self._pauses) > 1 else 0
            block = _block(data[before:], question)
        text = "\n".join(block[-MAX_LINES:])
        return redact_text(text[-MAX_CHARS:])


def _block(data: bytes, question: str) -> list[str]:
    """The lines of ``data`` up to the one holding ``question``, from the last blank line."""
    text = _ESCAPES.sub(b"", data).decode("utf-8", "replace")
    lines = [_clean_line(line) for line in text.split("\n")]
    # The question is the last thing printed; what follows it would be the echo
    # of keys typed meanwhile.
    wanted = question.strip()
    for index in range(len(lines) - 1, -1, -1):
        if wanted and wanted in lines[index]:
            lines = lines[: index + 1]
            break
    while lines and not lines[-1].strip():
        lines.pop()
    block: list[str] = []
    for line in reversed(lines):
        if not line.strip():
            break
        block.append(line)
    return block[::-1]
