"""Interactive prompts on a terminal screen, for the PTY adapter: what a detector
sees (a rendered screen) and what it reports (a question with choices)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Screen:
    """The rendered terminal: one string per row, trailing spaces stripped."""

    lines: tuple[str, ...]
    cursor: tuple[int, int] = (0, 0)  # (row, column)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).rstrip()


@dataclass(frozen=True)
class Choice:
    """One answer a prompt offers. ``keys`` is what to type to choose it;
    ``meaning`` is ``approve``, ``deny`` or ``other`` (modes, always-allow...)."""

    label: str
    keys: str
    meaning: str = "other"


@dataclass(frozen=True)
class Prompt:
    question: str
    choices: tuple[Choice, ...]
    kind: str = "yesno"  # yesno | menu | password
    secret: bool = False  # never relayed: the answer must come from the keyboard
    detector: str = ""


@runtime_checkable
class PromptDetector(Protocol):
    name: str

    def detect(self, screen: Screen) -> Prompt | None:
        """Return the prompt the screen is waiting at, or None."""
        ...
