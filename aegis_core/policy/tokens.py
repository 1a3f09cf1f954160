"""What both shell lexers produce (the full one in ``lexer.py``, the fast one in
``fastlex.py``): words, redirects and operators, with the budgets that bound them,
and the decoding of ``$'...'`` strings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_TOKENS = 400
MAX_STEPS = 1200  # lexer loop iterations (and here-document lines): bounds the time
MAX_DEPTH = 6
TOO_COMPLEX = "command too complex to analyse"


class Problem(str):
    """A problem of an analysis: its text (what the user is told) and its kind, which
    callers test instead of the wording. ``COMPUTED``: every command was read, one runs a
    program only known at run time (judged as computed); ``OPEN``: the text ends inside a
    construct later text may close (a quote, a ``$(``, a here-document); ``OTHER``: any
    other reason the text could not be read."""

    __slots__ = ("kind",)
    kind: str
    COMPUTED = "computed"
    OPEN = "open"
    OTHER = "other"

    def __new__(cls, text: str, kind: str = "other") -> Problem:
        made = super().__new__(cls, text)
        made.kind = kind
        return made

    def __reduce__(self) -> tuple:
        return (Problem, (str(self), self.kind))


def kind_of(problem: str) -> str:
    """The kind of a problem (``Problem.OTHER`` for a plain text)."""
    return problem.kind if isinstance(problem, Problem) else Problem.OTHER

_ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n",
                "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_ANSI_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)", re.S)


@dataclass
class Word:
    """One shell word. ``parts`` keeps which text was quoted, for glob and brace
    expansion; ``subs`` holds the token lists of substitutions inside it."""

    parts: list[tuple[str, bool]] = field(default_factory=list)
    dynamic: bool = False  # contains an expansion whose value we do not know
    subs: list[tuple[str, list]] = field(default_factory=list)  # (kind, tokens)
    escaped: bool = False  # quoting or escaping was used inside the word

    @property
    def text(self) -> str:
        parts = self.parts
        if len(parts) == 1:
            return parts[0][0]
        return "".join([text for text, _ in parts])

    def add(self, text: str, quoted: bool) -> None:
        if text:
            self.parts.append((text, quoted))
        elif quoted:
            # "" is an empty word, not nothing.
            self.parts.append(("", True))

    def __bool__(self) -> bool:
        return bool(self.parts) or self.dynamic or bool(self.subs)


@dataclass
class Redirect:
    op: str
    fd: str
    target: Word | None
    body: str | None = None  # here-document / here-string text
    body_subs: list[tuple[str, list]] = field(default_factory=list)


@dataclass
class Lexed:
    tokens: list  # Word | Redirect | str (operator)
    problems: list[str]
    end: int


def decode_ansi(body: str) -> str:
    """The text of a ``$'...'`` body: C escapes decoded as bash does."""
    def one(match: re.Match[str]) -> str:
        seq = match.group(1)
        head = seq[0]
        if head in "xuU":
            return chr(min(int(seq[1:], 16), 0x10FFFF))
        if head.isdigit():
            return chr(int(seq, 8) & 0xFF)
        if head == "c":
            return chr(ord(seq[1]) & 0x1F)
        return _ANSI_SIMPLE.get(seq, "\\" + seq)

    return _ANSI_ESCAPE.sub(one, body)
