"""Expansion of lexed shell words into arguments: brace expansion and globs on the
unquoted parts only, and the flags the policy needs (dynamic, glob, obfuscated)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from aegis_core.policy.tokens import Word

MAX_BRACE_WORDS = 64
# Answers about single words (is it a database word? what is it to the migration
# check?) are kept between calls for words up to this long: an agent uses the same
# words over and over, and a longer one (code, a message) is rarely seen twice.
MAX_KEPT_WORD = 256
MAX_KEPT_ANSWERS = 8192  # per table: past it the table starts afresh


class WordAnswers(dict):
    """Answers about single words (or keys made of one), kept between calls, bounded in
    number and in word length; looked up with ``get`` (a dict's own, no Python call),
    stored with ``keep``. Every table is emptied by ``forget`` (policy.forget_caches)."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        _TABLES.append(self)

    def keep(self, key: object, answer: object, word: str) -> None:
        """Keep ``answer`` under ``key`` when ``word`` is short enough to be seen again."""
        if len(word) <= MAX_KEPT_WORD:
            if len(self) >= MAX_KEPT_ANSWERS:
                self.clear()
            self[key] = answer


_TABLES: list[WordAnswers] = []

# Quoted characters are swapped for private-use ones so expansion ignores them.
_PROTECT = str.maketrans({"{": "\ue001", "}": "\ue002", ",": "\ue003", "*": "\ue004",
                          "?": "\ue005", "[": "\ue006"})
_RESTORE = str.maketrans({v: k for k, v in {"{": "\ue001", "}": "\ue002", ",": "\ue003",
                                            "*": "\ue004", "?": "\ue005", "[": "\ue006"}.items()})


_EXPANDABLE = re.compile(r"[{*?\[]")


@dataclass(slots=True)
class Arg:
    """One argument as the program receives it (as far as we can know).

    Not frozen because a frozen dataclass costs four times as much to build and
    every call builds dozens; analyses are cached and shared, so never mutate one."""

    text: str
    dynamic: bool = False  # value depends on something computed at run time
    glob: bool = False  # an unquoted * ? [ the shell will expand
    tricky: bool = False  # quoting, escaping or braces used to spell it


# Literal arguments by text, plain and tricky apart: an Arg is never changed once built,
# and an agent uses the same words over and over, so each is built once (building one
# costs several times a lookup). Bounded; emptied by policy.forget_caches. PLAIN_LITERALS
# is read directly by the analysis' fast path (``PLAIN_LITERALS.get(text) or
# literal_arg(text)``: a lookup without a call).
PLAIN_LITERALS = WordAnswers()
_TRICKY_LITERALS = WordAnswers()


def literal_arg(text: str, tricky: bool = False) -> Arg:
    """``Arg(text, False, False, tricky)``, shared."""
    table = _TRICKY_LITERALS if tricky else PLAIN_LITERALS
    arg = table.get(text)
    if arg is None:
        arg = Arg(text, False, False, tricky)
        table.keep(text, arg, text)
    return arg


def forget() -> None:
    """Forget every answer about words (see ``WordAnswers``)."""
    for table in _TABLES:
        table.clear()


def _expand_braces(text: str, budget: list[int]) -> list[str]:
    start = text.find("{")
    while start >= 0:
        depth, j, commas = 0, start, []
        while j < len(text):
            ch = text[j]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
            elif ch == "," and depth == 1:
                commas.append(j)
            j += 1
        if j < len(text) and commas:
            head, tail = text[:start], text[j + 1:]
            bounds = [start, *commas, j]
            out: list[str] = []
            for a, b in itertools.pairwise(bounds):
                for piece in _expand_braces(text[a + 1:b] + tail, budget):
                    budget[0] -= 1
                    if budget[0] < 0:
                        raise OverflowError
                    out.append(head + piece)
            return out
        start = text.find("{", start + 1)
    return [text]


def expand(word: Word) -> tuple[list[Arg], bool]:
    """The arguments one word becomes; second value is True if expansion overflowed."""
    tricky = word.escaped
    if len(word.parts) == 1:
        text, quoted = word.parts[0]
        if quoted or _EXPANDABLE.search(text) is None:
            return [Arg(text, True, False, tricky) if word.dynamic else literal_arg(text, tricky)], False
    raw = "".join(t.translate(_PROTECT) if q else t for t, q in word.parts)
    candidates = [raw]
    if "{" in raw and "," in raw:
        try:
            candidates = _expand_braces(raw, [MAX_BRACE_WORDS])
        except (OverflowError, RecursionError):
            return [Arg(word.text, dynamic=True, tricky=True)], True
        if len(candidates) > 1:
            tricky = True
    args = []
    for candidate in candidates:
        bracket = candidate.find("[")
        glob = "*" in candidate or "?" in candidate or (bracket >= 0 and "]" in candidate[bracket + 2:])
        args.append(Arg(candidate.translate(_RESTORE), dynamic=word.dynamic, glob=glob, tricky=tricky))
    return args, False


def operands(texts: list[str], with_value: frozenset[str]) -> list[str]:
    """The words that are neither options nor the value of an option of ``with_value``
    (whose value is the next word)."""
    found: list[str] = []
    skip = False
    for text in texts:
        if skip:
            skip = False
        elif text.startswith("-"):
            skip = text in with_value
        else:
            found.append(text)
    return found
