"""A terminal emulator (pyte) fed with the wrapped program's output, so detectors
read the screen as the user sees it, whatever cursor movement drew it."""

from __future__ import annotations

import pyte

from aegis_core.prompts import Screen
from aegis_core.redact import redact_text

MAX_SCREEN_CHARS = 4000


class TerminalScreen:
    """The wrapped program's screen, rendered from the bytes it writes."""

    def __init__(self, rows: int = 24, cols: int = 80) -> None:
        self._screen = pyte.Screen(max(cols, 2), max(rows, 2))
        self._stream = pyte.ByteStream(self._screen)

    @property
    def size(self) -> tuple[int, int]:
        return self._screen.lines, self._screen.columns

    def feed(self, data: bytes) -> None:
        try:
            self._stream.feed(data)
        except Exception:  # pragma: no cover - pyte rejects odd sequences rarely
            # A confused emulator must never break the passthrough: start afresh and
            # the next redraw fills it again.
            self._screen.reset()

    def resize(self, rows: int, cols: int) -> None:
        self._screen.resize(max(rows, 2), max(cols, 2))

    def snapshot(self) -> Screen:
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
