"""Interactive prompts on a terminal screen, for the PTY adapter: what a detector
sees (a rendered screen) and what it reports (a question with choices)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

APPROVE = "approve"
DENY = "deny"
OTHER = "other"


@dataclass(frozen=True)
class Screen:
    """The rendered terminal: one string per row, trailing spaces stripped."""

    lines: tuple[str, ...]
    cursor: tuple[int, int] = (0, 0)  # (row, column)
    columns: int = 0  # the width, when known: a full row may continue on the next

    def logical_line(self, row: int) -> tuple[int, str]:
        """The row joined with the full-width rows above it that wrapped into it:
        (first row, text)."""
        if not 0 <= row < len(self.lines):
            return row, ""
        start = row
        while self.columns and start > 0 and len(self.lines[start - 1]) >= self.columns:
            start -= 1
        return start, "".join(self.lines[start:row + 1])

    @property
    def text(self) -> str:
        return "\n".join(self.lines).rstrip()

    @property
    def cursor_line(self) -> str:
        """The row the cursor is on (empty when the cursor is off the screen)."""
        row = self.cursor[0]
        return self.lines[row] if 0 <= row < len(self.lines) else ""

    def last_nonblank_row(self) -> int:
        """Index of the last row with text, or -1 for a blank screen."""
        for row in range(len(self.lines) - 1, -1, -1):
            if self.lines[row].strip():
                return row
        return -1


@dataclass(frozen=True)
class Choice:
    """One answer a prompt offers. ``keys`` is what to type to choose it;
    ``meaning`` is ``approve``, ``deny`` or ``other`` (modes, always-allow...)."""

    label: str
    keys: str
    meaning: str = OTHER

    def to_dict(self) -> dict[str, str]:
        return {"label": self.label, "keys": self.keys, "meaning": self.meaning}


@dataclass(frozen=True)
class Prompt:
    question: str
    choices: tuple[Choice, ...]
    kind: str = "yesno"  # yesno | menu | password
    secret: bool = False  # never relayed: the answer must come from the keyboard
    detector: str = ""
    selected: int | None = None  # the choice a dialog's selection marker is on (Enter picks it)

    @property
    def approve(self) -> Choice | None:
        """The plain "yes" answer, never an always-allow or mode-switching one."""
        return next((c for c in self.choices if c.meaning == APPROVE), None)

    @property
    def deny(self) -> Choice | None:
        return next((c for c in self.choices if c.meaning == DENY), None)

    def choice(self, named: str) -> Choice | None:
        """The choice a human picked by label (case and surrounding space ignored)."""
        wanted = named.strip().casefold()
        return next((c for c in self.choices if c.label.strip().casefold() == wanted), None)

    @property
    def fingerprint(self) -> tuple[Any, ...]:
        """What makes two sightings the same prompt (the selection marker excluded)."""
        return (self.detector, self.question, tuple((c.label, c.meaning) for c in self.choices))


@runtime_checkable
class PromptDetector(Protocol):
    name: str

    def detect(self, screen: Screen) -> Prompt | None:
        """Return the prompt the screen is waiting at, or None."""
        ...
