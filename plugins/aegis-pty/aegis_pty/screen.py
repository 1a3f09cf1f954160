"""A terminal emulator (pyte) fed with the wrapped program's output, so detectors
read the screen as the user sees it, whatever cursor movement drew it."""

from __future__ import annotations

import pyte

from aegis_core.prompts import Screen
from aegis_core.redact import redact_text

MAX_SCREEN_CHARS = 4000
MAX_PENDING = 256 * 1024  # output queued for rendering before a flood is trimmed
KEEP_AFTER_FLOOD = 64 * 1024  # plenty for the bottom of any screen


class TerminalScreen:
    """The wrapped program's screen, rendered from the bytes it writes.

    Emulation is far slower than copying bytes, so output is only queued as it
    passes and rendered when someone looks (at idle moments). During a flood only
    the tail is kept: the screen shows the last rows anyway."""

    def __init__(self, rows: int = 24, cols: int = 80) -> None:
        self._screen = pyte.Screen(max(cols, 2), max(rows, 2))
        self._stream = pyte.ByteStream(self._screen)
        self._pending = bytearray()
        self._flooded = False

    @property
    def size(self) -> tuple[int, int]:
        return self._screen.lines, self._screen.columns

    def feed(self, data: bytes) -> None:
        self._pending += data
        if len(self._pending) > MAX_PENDING:
            tail = self._pending[-KEEP_AFTER_FLOOD:]
            # Start at a line boundary so no escape sequence is cut in half.
            newline = tail.find(b"\n")
            self._pending = tail[newline + 1:] if newline >= 0 else tail
            self._flooded = True

    def _render(self) -> None:
        if self._flooded:
            self._screen.reset()
            self._stream = pyte.ByteStream(self._screen)
            self._flooded = False
        if not self._pending:
            return
        data, self._pending = bytes(self._pending), bytearray()
        try:
            self._stream.feed(data)
        except Exception:  # pragma: no cover - pyte rejects odd sequences rarely
            # A confused emulator must never break the passthrough: start afresh and
            # the next redraw fills it again.
            self._screen.reset()

    def resize(self, rows: int, cols: int) -> None:
        self._render()
        self._screen.resize(max(rows, 2), max(cols, 2))

    def snapshot(self) -> Screen:
        self._render()
        lines = tuple(line.rstrip() for line in self._screen.display)
        cursor = self._screen.cursor
        return Screen(lines=lines, cursor=(cursor.y, cursor.x), columns=self._screen.columns)


def screen_excerpt(screen: Screen, *, limit: int = MAX_SCREEN_CHARS) -> str:
    """The screen's text for a human or a policy: blank rows trimmed, at most
    ``limit`` characters (the bottom, where the prompt is), secrets redacted."""
    lines = list(screen.lines)
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    text = "\n".join(lines)
    if len(text) > limit:
        text = text[-limit:]
    return redact_text(text)


DIALOG_ROWS = 16  # a dialog's own rows above its question, at most


def dialog_excerpt(screen: Screen, question: str) -> str:
    """The rows of a dialog drawn on the screen: from its top (a horizontal rule, or
    at most DIALOG_ROWS above the question) to the bottom, secrets redacted. What the
    program showed before the dialog opened (earlier output and answers) is left out."""
    rows = [line.rstrip() for line in screen.lines]
    at = next((i for i in range(len(rows) - 1, -1, -1) if question and question in rows[i]), None)
    if at is None:
        return screen_excerpt(screen)
    top = max(0, at - DIALOG_ROWS)
    for row in range(at - 1, top - 1, -1):
        stripped = rows[row].strip()
        if len(stripped) >= 10 and set(stripped) <= set("─━═"):  # a solid rule; dashed ones are inside
            top = row + 1
            break
    return screen_excerpt(Screen(lines=tuple(rows[top:]), cursor=(0, 0), columns=screen.columns))
